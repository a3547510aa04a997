package shardkv

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/nodes/raftkv"
)

// Messages between groups, and from a group to the controller (which
// speaks kv.Request / kv.Reply).
type (
	// Pull asks the owner of shard Shard before configuration Num for
	// its data and session table.
	Pull struct {
		Num, Shard int
	}
	// PullReply carries the shard (sent by a server of the old owner
	// that has applied configuration Num).
	PullReply struct{ Transfer }
	// Release tells the old owner that the new owner has installed shard
	// Shard of configuration Num: it may delete its copy.
	Release struct {
		Num, Shard int
	}
	// ReleaseAck says the old owner has deleted it (or moved past Num).
	ReleaseAck struct {
		Num, Shard int
	}
)

// Server is one server of a replica group: a Raft node whose state
// machine is the group's shards. Its leader drives the group's part of
// reconfiguration on a tick: it asks the controller for the next
// configuration once no shard is in transit, pulls shards the new
// configuration gives it from their previous owners, and tells those
// owners to delete their copies once the data is installed.
type Server struct {
	cfg  Config
	gid  int
	raft *raftkv.Node
	sm   *groupSM
	seq  uint64 // numbers controller queries
}

var (
	_ nodes.Node           = (*Server)(nil)
	_ nodes.LeaderReporter = (*Server)(nil)
)

// New returns the factory of a cluster's servers: the controller's and
// every group's, by ID. It panics on a Config that does not Validate.
func New(cfg Config) nodes.Factory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.WithDefaults()
	return func(id nodes.ID) nodes.Node {
		g := cfg.GroupOf(id)
		if g == 0 {
			sm := newCtrlSM(cfg)
			return &Controller{cfg: cfg, sm: sm, raft: raftkv.NewNode(cfg.Raft, sm, others(cfg.Ctrl(), id))}
		}
		sm := newGroupSM(cfg, g)
		return &Server{cfg: cfg, gid: g, sm: sm, raft: raftkv.NewNode(cfg.Raft, sm, others(cfg.Members(g), id))}
	}
}

// bind lends the state machine the handler's env (for probes) until done.
func (s *Server) bind(env nodes.Env) func() {
	s.sm.env = env
	return func() { s.sm.env = nil }
}

func (s *Server) Start(env nodes.Env) {
	defer s.bind(env)()
	s.raft.Start(env)
	env.SetTimer(s.cfg.PollInterval, tagTick)
}

func (s *Server) Synced(env nodes.Env, tag uint64) {
	defer s.bind(env)()
	s.raft.Synced(env, tag)
}

// IsLeader reports whether this server leads its group's Raft.
func (s *Server) IsLeader() bool { return s.raft.IsLeader() }

// pick draws the server of another group (or of the controller) to send
// a retry to. Only a leader can act on some messages, and which one leads
// is not known here, so every retry goes to a random member: a fixed
// rotation would fall into step with the tick and keep missing the leader.
func pick(env nodes.Env, ids []nodes.ID) nodes.ID { return ids[env.Rand().IntN(len(ids))] }

func (s *Server) Timer(env nodes.Env, id nodes.TimerID, tag uint64) {
	defer s.bind(env)()
	if tag != tagTick {
		s.raft.Timer(env, id, tag)
		return
	}
	env.SetTimer(s.cfg.PollInterval, tagTick)
	if !s.raft.IsLeader() {
		return
	}
	g := s.sm
	if g.stable() || s.cfg.Bugs.ConfigOutOfOrder {
		s.seq++
		env.Send(pick(env, s.cfg.Ctrl()), kv.Request{Client: env.ID(), Seq: s.seq, Op: nodes.Op{Kind: OpCtrlQuery, Key: strconv.Itoa(g.Cur.Num + 1)}})
	}
	for _, sh := range slices.Sorted(maps.Keys(g.Owned)) {
		from := g.Prev.Owner(sh)
		if from == 0 || from == s.gid {
			continue
		}
		switch g.Owned[sh].State {
		case Pulling:
			env.Send(pick(env, s.cfg.Members(from)), Pull{Num: g.Cur.Num, Shard: sh})
		case Cleanup:
			// To every member: only the old owner's leader can propose
			// the delete, and a random pick found it one tick in three
			// (a move's last step then often outlasted the heal).
			for _, m := range s.cfg.Members(from) {
				env.Send(m, Release{Num: g.Cur.Num, Shard: sh})
			}
		}
	}
}

func (s *Server) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	defer s.bind(env)()
	g := s.sm
	switch m := msg.(type) {
	case kv.Request:
		if kv.Known(m.Op.Kind) {
			if sh := KeyShard(m.Op.Key, s.cfg.Shards); g.Cur.Owner(sh) != s.gid {
				env.Send(from, kv.Reply{Seq: m.Seq, Status: kv.StatusNotLeader, Leader: g.hint(sh)})
				return
			}
		}
		s.raft.Message(env, from, m)
	case kv.Reply: // from the controller
		if m.Status != kv.StatusOK || !m.Exists {
			return
		}
		var c ShardConfig
		if err := json.Unmarshal([]byte(m.Value), &c); err != nil {
			return
		}
		if c.Num == g.Cur.Num+1 {
			s.raft.Propose(env, nodes.Op{Kind: OpConfig, Value: m.Value})
		}
	case Pull:
		// Any server that has applied configuration Num holds the frozen
		// shard while it is handed off.
		if sh := g.Owned[m.Shard]; g.Cur.Num == m.Num && sh != nil && sh.State == Handoff {
			c := sh.clone()
			env.Reached("shardkv: shard sent to its new owner")
			env.Send(from, PullReply{Transfer{Num: m.Num, Shard: m.Shard, Data: c.Data, Sessions: c.Sessions}})
		}
	case PullReply:
		if sh := g.Owned[m.Shard]; g.Cur.Num == m.Num && sh != nil && sh.State == Pulling {
			b, err := json.Marshal(m.Transfer)
			if err != nil {
				panic(err)
			}
			s.raft.Propose(env, nodes.Op{Kind: OpInstall, Value: string(b)})
		}
	case Release:
		sh := g.Owned[m.Shard]
		switch {
		case g.Cur.Num > m.Num || (g.Cur.Num == m.Num && (sh == nil || sh.State != Handoff)):
			env.Send(from, ReleaseAck(m))
		case g.Cur.Num == m.Num:
			s.raft.Propose(env, nodes.Op{Kind: OpDelete, Key: strconv.Itoa(m.Shard), Value: strconv.Itoa(m.Num)})
		}
	case ReleaseAck:
		if sh := g.Owned[m.Shard]; g.Cur.Num == m.Num && sh != nil && sh.State == Cleanup {
			s.raft.Propose(env, nodes.Op{Kind: OpCleaned, Key: strconv.Itoa(m.Shard), Value: strconv.Itoa(m.Num)})
		}
	default:
		s.raft.Message(env, from, msg)
	}
}

// Group returns the server's replica group.
func (s *Server) Group() int { return s.gid }

// Status is what the online invariant reads of a group server: the
// configuration it has applied and the shards it serves in it.
func (s *Server) Status() (num int, serving []int) {
	for _, sh := range slices.Sorted(maps.Keys(s.sm.Owned)) {
		if s.sm.servable(sh) {
			serving = append(serving, sh)
		}
	}
	return s.sm.Cur.Num, serving
}

// Value returns the value of key if this server's group holds its shard.
func (s *Server) Value(key string) (string, bool) {
	sh := s.sm.Owned[KeyShard(key, s.cfg.Shards)]
	if sh == nil {
		return "", false
	}
	v, ok := sh.Data[key]
	return v, ok
}

// Settled reports how far the server's group has come through the
// schedule: the configuration it has applied, the schedule's last one, and
// the shards it holds that are not yet serving (in transit), with their
// states.
func (s *Server) Settled() (num, last int, transit []string) {
	for _, sh := range slices.Sorted(maps.Keys(s.sm.Owned)) {
		if st := s.sm.Owned[sh].State; st != Serving {
			transit = append(transit, strconv.Itoa(sh)+" "+st.String())
		}
	}
	return s.sm.Cur.Num, s.cfg.lastConfig(), transit
}
