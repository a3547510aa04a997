package kv_test

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// fake configures a family of toy KV servers for the client tests. Every
// server keeps its own map and applies a request the moment it arrives,
// with a highest-Seq session table; the knobs make them misbehave in the
// ways a real replicated store does. The struct is shared by all servers
// of a run and records what they saw.
type fake struct {
	// Leader, if set, is the only server that serves; the others answer
	// StatusNotLeader, with Leader as a hint if Hint is set.
	Leader nodes.ID
	Hint   bool
	// RetryFirst answers StatusRetry to the first RetryFirst attempts of
	// every (client, seq) without applying it.
	RetryFirst int
	// ApplyThenRetry applies the first attempt of every (client, seq) but
	// answers StatusRetry, as a leader that committed and then lost its
	// leadership before answering would.
	ApplyThenRetry bool
	// NoSessions disables the session table: a retry is applied again
	// (planted bug 6 of the Raft issue).
	NoSessions bool
	// DropWrites never answers nor applies put/append/cas/write;
	// DropAll never answers anything.
	DropWrites bool
	DropAll    bool
	// Delay holds every answer this long (after applying).
	Delay time.Duration
	// Unsupported answers StatusUnsupported to cas and append, as a store
	// without atomic read-modify-write does.
	Unsupported bool
	// Contexts sets every OK reply's Context to "<server>/<seq>".
	Contexts bool

	// Requests is every request received, in order.
	Requests []seen
	// Applied counts applications per (client, seq).
	Applied  map[session]int
	attempts map[session]int
}

type session struct {
	Client nodes.ID
	Seq    uint64
}

type seen struct {
	At     time.Duration // the server's monotonic clock (virtual time for a server that never restarted)
	Server nodes.ID
	Req    kv.Request
}

func (f *fake) factory() nodes.Factory {
	if f.Applied == nil {
		f.Applied = map[session]int{}
		f.attempts = map[session]int{}
	}
	return func(id nodes.ID) nodes.Node {
		return &fakeServer{f: f, data: map[string]string{}, last: map[nodes.ID]lastReply{}}
	}
}

type lastReply struct {
	seq   uint64
	reply kv.Reply
}

type fakeServer struct {
	nodes.Base
	f     *fake
	data  map[string]string
	last  map[nodes.ID]lastReply
	held  []heldReply
	nextT uint64
}

type heldReply struct {
	tag   uint64
	to    nodes.ID
	reply kv.Reply
}

func (s *fakeServer) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	req, ok := msg.(kv.Request)
	if !ok {
		return
	}
	f := s.f
	f.Requests = append(f.Requests, seen{At: env.Monotonic(), Server: env.ID(), Req: req})
	if f.DropAll || (f.DropWrites && !req.Op.Kind.IsRead()) {
		return
	}
	if f.Leader != 0 && env.ID() != f.Leader {
		r := kv.Reply{Seq: req.Seq, Status: kv.StatusNotLeader}
		if f.Hint {
			r.Leader = f.Leader
		}
		s.answer(env, from, r)
		return
	}
	if f.Unsupported && (req.Op.Kind == nodes.OpCAS || req.Op.Kind == nodes.OpAppend) {
		s.answer(env, from, kv.Reply{Seq: req.Seq, Status: kv.StatusUnsupported})
		return
	}
	key := session{req.Client, req.Seq}
	f.attempts[key]++
	if f.attempts[key] <= f.RetryFirst {
		s.answer(env, from, kv.Reply{Seq: req.Seq, Status: kv.StatusRetry})
		return
	}
	if l, ok := s.last[req.Client]; ok && req.Seq <= l.seq && !f.NoSessions {
		if req.Seq == l.seq {
			s.answer(env, from, l.reply)
		}
		return
	}
	r := s.apply(req)
	if f.Contexts && r.Status == kv.StatusOK {
		r.Context = fmt.Sprintf("%v/%d", env.ID(), req.Seq)
	}
	f.Applied[key]++
	s.last[req.Client] = lastReply{req.Seq, r}
	if f.ApplyThenRetry && f.attempts[key] == f.RetryFirst+1 {
		r = kv.Reply{Seq: req.Seq, Status: kv.StatusRetry}
	}
	s.answer(env, from, r)
}

func (s *fakeServer) apply(req kv.Request) kv.Reply {
	r := kv.Reply{Seq: req.Seq, Status: kv.StatusOK}
	op := req.Op
	cur, exists := s.data[op.Key]
	switch op.Kind {
	case nodes.OpGet, nodes.OpRead:
		r.Value, r.Exists = cur, exists
	case nodes.OpPut, nodes.OpWrite:
		s.data[op.Key] = op.Value
	case nodes.OpAppend:
		s.data[op.Key] = cur + op.Value
	case nodes.OpCAS:
		if !exists || cur != op.Expect {
			r.Status = kv.StatusCASMismatch
		} else {
			s.data[op.Key] = op.Value
		}
	}
	return r
}

func (s *fakeServer) answer(env nodes.Env, to nodes.ID, r kv.Reply) {
	if s.f.Delay <= 0 {
		env.Send(to, r)
		return
	}
	s.nextT++
	s.held = append(s.held, heldReply{s.nextT, to, r})
	env.SetTimer(s.f.Delay, s.nextT)
}

func (s *fakeServer) Timer(env nodes.Env, _ nodes.TimerID, tag uint64) {
	for i, h := range s.held {
		if h.tag == tag {
			s.held = append(s.held[:i], s.held[i+1:]...)
			env.Send(h.to, h.reply)
			return
		}
	}
}
