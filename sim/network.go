package sim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// Packet is a message in flight, as packet rules see it.
type Packet struct {
	From, To nodes.ID
	Type     string // the message's type name
	Msg      nodes.Message
	At       time.Duration // when it was sent
}

// Action is what a rule decides for a packet.
type Action uint8

const (
	// Pass: this rule has no opinion; ask the next rule, then the base link.
	Pass Action = iota
	// Drop: the packet is lost.
	Drop
	// Deliver: deliver after the link's latency plus Verdict.Delay, in
	// Verdict.Copies copies (0 means 1).
	Deliver
	// Hold: keep the packet until the rule is removed, then deliver it
	// (a clogged link that releases in a burst).
	Hold
)

// Verdict is a rule's decision about one packet.
type Verdict struct {
	Action Action
	Delay  time.Duration
	Copies int
}

// Rule decides the fate of packets. Rules form an ordered list; the first
// rule that does not Pass decides. Judge may draw from r (the network
// stream); a rule that does not match a packet must return Pass without
// drawing, so that adding a rule for one link does not reshuffle the
// others. String is the rule's text form, used as the drop reason in the
// trace.
type Rule interface {
	Judge(p *Packet, r *rand.Rand) Verdict
	String() string
}

// RuleHandle names an installed rule so it can be removed.
type RuleHandle uint64

type installed struct {
	h    RuleHandle
	rule Rule
	held []heldPacket
}

type heldPacket struct {
	from, to nodes.ID
	id       uint64
	mt       *msgType
	msg      nodes.Message
}

type network struct {
	base     *Network
	links    map[[2]nodes.ID]Dist
	rules    []installed
	nextRule RuleHandle
	pkt      Packet
}

func (n *network) init(cfg *Network) {
	n.base = cfg
	for _, l := range cfg.Links {
		if n.links == nil {
			n.links = map[[2]nodes.ID]Dist{}
		}
		n.links[[2]nodes.ID{l.From, l.To}] = l.Latency
	}
}

func (n *network) latency(from, to nodes.ID, r *rand.Rand) int64 {
	if n.links != nil {
		if d, ok := n.links[[2]nodes.ID{from, to}]; ok {
			return int64(d.Sample(r))
		}
	}
	return int64(n.base.Latency.Sample(r))
}

// AddRule installs r at the end of the rule list (it is consulted after
// the rules already there) and returns its handle.
func (s *Sim) AddRule(r Rule) RuleHandle {
	s.net.nextRule++
	s.net.rules = append(s.net.rules, installed{h: s.net.nextRule, rule: r})
	return s.net.nextRule
}

// InsertRule installs r at the front of the list: it is consulted first.
func (s *Sim) InsertRule(r Rule) RuleHandle {
	s.net.nextRule++
	s.net.rules = append([]installed{{h: s.net.nextRule, rule: r}}, s.net.rules...)
	return s.net.nextRule
}

// RemoveRule uninstalls a rule. Packets it held are released now, each
// after a fresh link latency (they arrive in a burst). Removing an unknown
// or already removed handle returns an error.
func (s *Sim) RemoveRule(h RuleHandle) error {
	for i := range s.net.rules {
		if s.net.rules[i].h != h {
			continue
		}
		held := s.net.rules[i].held
		s.net.rules = append(s.net.rules[:i], s.net.rules[i+1:]...)
		for _, hp := range held {
			s.scheduleDelivery(hp.from, hp.to, hp.id, hp.mt, hp.msg, s.net.latency(hp.from, hp.to, s.netRng))
		}
		return nil
	}
	return fmt.Errorf("sim: no network rule with handle %d", h)
}

// Rules returns the installed rules in order, for display.
func (s *Sim) Rules() []Rule {
	rs := make([]Rule, len(s.net.rules))
	for i, r := range s.net.rules {
		rs[i] = r.rule
	}
	return rs
}

// Sent returns the number of messages process id has sent so far: its
// Send events, across incarnations, injected ones included (0 for an ID
// that is no process).
func (s *Sim) Sent(id nodes.ID) int {
	if p := s.proc(id); p != nil {
		return p.sent
	}
	return 0
}

func (s *Sim) send(from *proc, to nodes.ID, msg nodes.Message) {
	from.sent++
	s.msgSeq++
	id := s.msgSeq
	mt := s.msgType(msg)
	typ := mt.name
	if !mt.peer && !from.id.IsClient() && !to.IsClient() {
		mt.peer = true
		s.peerTypes[typ] = true
	}
	s.emitMsg(trace.Send, from.id, to, id, mt, "", msg)
	if s.proc(to) == nil {
		s.emitMsg(trace.Drop, from.id, to, id, mt, "no such process", msg)
		return
	}
	v := Verdict{}
	pkt := &s.net.pkt
	if len(s.net.rules) > 0 { // most sends meet no rule: do not write the packet
		*pkt = Packet{From: from.id, To: to, Type: typ, Msg: msg, At: s.Now()}
	}
	for i := range s.net.rules {
		r := &s.net.rules[i]
		v = r.rule.Judge(pkt, s.netRng)
		switch v.Action {
		case Pass:
			continue
		case Drop:
			s.emitMsg(trace.Drop, from.id, to, id, mt, r.rule.String(), msg)
			return
		case Hold:
			r.held = append(r.held, heldPacket{from.id, to, id, mt, s.copyMsg(mt, msg)})
			s.emitMsg(trace.Hold, from.id, to, id, mt, r.rule.String(), msg)
			return
		}
		break
	}
	copies := 1
	extra := int64(0)
	if from.svc != nil {
		extra = from.svc.work // a handler's declared work delays what it sends (service.go)
	}
	if s.pct != nil {
		extra += s.pct.delay(s, from.id, to)
	}
	if v.Action == Deliver {
		extra += int64(v.Delay)
		if v.Copies > 1 {
			copies = v.Copies
		}
	} else {
		// (Fires draws nothing for a zero ratio; checking here saves the
		// calls on the common lossless link.)
		if s.cfg.Network.Drop.Num != 0 && s.cfg.Network.Drop.Fires(s.netRng) {
			s.emitMsg(trace.Drop, from.id, to, id, mt, "loss", msg)
			return
		}
		if s.cfg.Network.Duplicate.Num != 0 && s.cfg.Network.Duplicate.Fires(s.netRng) {
			copies = 2
		}
	}
	s.scheduleDelivery(from.id, to, id, mt, s.copyMsg(mt, msg), s.net.latency(from.id, to, s.netRng)+extra)
	for c := 1; c < copies; c++ {
		s.msgSeq++
		dup := s.msgSeq
		s.ev = trace.Event{Kind: trace.Duplicate, Node: from.id, Peer: to, ID: dup, Num: int64(id), Type: typ, Msg: msg}
		s.emit()
		s.scheduleDelivery(from.id, to, dup, mt, s.copyMsg(mt, msg), s.net.latency(from.id, to, s.netRng)+extra)
	}
}

func (s *Sim) scheduleDelivery(from, to nodes.ID, id uint64, mt *msgType, msg nodes.Message, delay int64) {
	i := s.alloc()
	sl := &s.slots[i]
	sl.kind = evDeliver
	sl.from = from
	sl.to = to
	sl.msgID = id
	sl.mt = mt
	sl.msg = msg
	s.schedule(s.now+delay, i)
}

// Inject delivers msg to to as if from had sent it, after delay: for
// harnesses that need to talk to nodes directly. It bypasses the rules.
func (s *Sim) Inject(from, to nodes.ID, msg nodes.Message, delay time.Duration) error {
	if _, err := s.mustProc(to); err != nil {
		return err
	}
	s.msgSeq++
	if p := s.proc(from); p != nil {
		p.sent++
	}
	mt := s.msgType(msg)
	s.emitMsg(trace.Send, from, to, s.msgSeq, mt, "injected", msg)
	s.scheduleDelivery(from, to, s.msgSeq, mt, s.copyMsg(mt, msg), int64(delay))
	return nil
}
