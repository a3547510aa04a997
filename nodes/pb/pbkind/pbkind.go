// Package pbkind plugs nodes/pb into the scenario runner: the "pb" node
// kind, its typed parameters (mode: sync or async) and planted bugs, its
// online invariants and its state digest. It is kept apart from nodes/pb,
// as raftkvkind is from raftkv, so that the protocol itself imports
// nothing but nodes and nodes/kv.
//
// A binary (or a test) makes the kind available with
//
//	scenarios.RegisterNode(pbkind.Kind())
//
// after which scenarios may say cluster: {node: pb, params: {mode: async}}.
package pbkind

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/pb"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugAckBeforeBackup   = "ack-before-backup"
	BugViewNotPersisted  = "view-not-persisted"
	BugStalePrimaryReads = "stale-primary-reads"
)

// BugNames lists the planted bugs, in the order the package doc presents
// them.
var BugNames = []string{BugAckBeforeBackup, BugViewNotPersisted, BugStalePrimaryReads}

// Kind is the "pb" node kind. Its servers speak the kv and register
// workloads (nodes/kv's client protocol).
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "pb",
		Help: "primary-backup KV with views, failover by majority-confirmed view change, sync or async replication (nodes/pb)",
		Params: []scenarios.ParamSpec{
			{Key: "mode", Type: scenarios.ParamEnum, Enum: pb.Modes, Default: pb.Sync.String(),
				Help: "sync: acknowledge a write once every member of the view holds it; async: once the primary's disk does (failover may lose acknowledged writes)"},
			{Key: "heartbeat", Type: scenarios.ParamDuration, Positive: true,
				Default: pb.DefaultHeartbeat.String(), Help: "ping interval between all servers; the period of every resend"},
			{Key: "view_timeout", Type: scenarios.ParamDuration, Positive: true,
				Default: pb.DefaultViewTimeout.String(), Help: "silence from the primary before a backup suspects it",
				// A long one leaves an old primary in office while the
				// others move on. None below the default: 150ms with a
				// 50ms backup timeout livelocked the correct protocol on
				// the hunt's 17ms links and 22ms syncs (view changes until
				// the end of the heal, hunt seed 7000212).
				Swarm: []string{pb.DefaultViewTimeout.String(), "1s"}},
			{Key: "backup_timeout", Type: scenarios.ParamDuration, Positive: true,
				Default: pb.DefaultBackupTimeout.String(), Help: "sync mode: how long the primary waits for a member before a view change leaves it out",
				// Never below a replication round trip of the hunt's
				// slowest links and disks (above).
				Swarm: []string{pb.DefaultBackupTimeout.String(), "500ms"}},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		},
		// A majority must survive one crash.
		MinSize:    3,
		Workloads:  []string{"kv", "register"},
		Leader:     true,
		Digest:     true,
		Invariants: true,
		// A sync write is the client's request, then the backups'
		// replication (each syncs before it acknowledges): below two
		// round trips' timeout the correct pb failed liveness in the
		// generic hunt (seeds 200221 and 300397: 155ms timeouts on
		// 17–20ms links and up to 28ms syncs).
		RoundTrips: 2,
		Validate:   func(p scenarios.Params) error { _, err := config(p); return err },
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{
				Factory: pb.New(cfg),
				Digest:  digest,
				Invariants: func(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
					return NewInvariants(cfg.WithDefaults().Mode, func(id nodes.ID) *pb.Node {
						s, _ := node(id).(*pb.Node)
						return s
					}).Check
				},
			}, nil
		},
	}
}

func config(p scenarios.Params) (pb.Config, error) {
	c := pb.Config{
		Heartbeat:     p.Duration("heartbeat"),
		ViewTimeout:   p.Duration("view_timeout"),
		BackupTimeout: p.Duration("backup_timeout"),
		Bugs: pb.Bugs{
			AckBeforeBackup:   p.Has("bugs", BugAckBeforeBackup),
			ViewNotPersisted:  p.Has("bugs", BugViewNotPersisted),
			StalePrimaryReads: p.Has("bugs", BugStalePrimaryReads),
		},
	}
	m, err := pb.ParseMode(p.String("mode"))
	if err != nil {
		return c, p.Errorf("mode", "%v", err)
	}
	c.Mode = m
	if c.Bugs.AckBeforeBackup && m != pb.Sync {
		return c, p.Errorf("bugs", "%s plants a bug in sync mode only (async mode acknowledges before the backups by design)", BugAckBeforeBackup)
	}
	if err := c.Validate(); err != nil {
		return c, p.Errorf("", "%s", strings.TrimPrefix(err.Error(), "pb: "))
	}
	return c, nil
}

// digest summarises a server that holds its view's state: view, op number
// and values. A server mid view change cannot say.
func digest(n nodes.Node, keys []string) (string, bool) {
	s, ok := n.(*pb.Node)
	if !ok || !s.Status().Normal {
		return "", false
	}
	st := s.Status()
	var b strings.Builder
	fmt.Fprintf(&b, "view=%d op=%d", st.View, st.OpNum)
	for _, k := range keys {
		if v, ok := s.Value(k); ok {
			fmt.Fprintf(&b, " %s=%q", k, v)
		}
	}
	return b.String(), true
}

// Invariants are pb's online checks over one run, fed after every server
// handler (Check). They keep run-wide state: the primary of each view and
// every acknowledged op.
//
//   - One primary per view (both modes): no two servers ever win the view
//     change of the same view.
//   - Acknowledged writes survive (sync mode): no op number is ever
//     acknowledged (or committed) with two different contents (the hash
//     chain up to it differs); and when the primary of a view first
//     becomes active, it holds the highest op acknowledged in any earlier
//     view, with the same chain. In async mode neither holds by design.
type Invariants struct {
	mode      pb.Mode
	node      func(nodes.ID) *pb.Node
	primaries map[uint64]nodes.ID
	acks      map[uint64]ack      // op number → its first acknowledgement
	ackViews  []viewAck           // per view, the highest op acknowledged, by view
	activated map[uint64]bool     // views whose primary was checked on activation
	lastAcked map[nodes.ID]uint64 // per server, its Acked when last checked
}

type ack struct {
	hash uint64
	view uint64
	by   nodes.ID
}

type viewAck struct {
	view, op uint64
}

// NewInvariants returns the invariants of one run; node returns the live
// server with an ID (nil when down).
func NewInvariants(mode pb.Mode, node func(nodes.ID) *pb.Node) *Invariants {
	return &Invariants{
		mode: mode, node: node,
		primaries: map[uint64]nodes.ID{}, acks: map[uint64]ack{},
		activated: map[uint64]bool{}, lastAcked: map[nodes.ID]uint64{},
	}
}

// Check checks server id after one of its handlers.
func (inv *Invariants) Check(id nodes.ID) error {
	s := inv.node(id)
	if s == nil {
		return nil
	}
	st := s.Status()
	if st.Won {
		if p, ok := inv.primaries[st.View]; ok && p != id {
			return fmt.Errorf("pb: two primaries of view %d: %v and %v both won its view change", st.View, p, id)
		}
		inv.primaries[st.View] = id
	}
	if inv.mode != pb.Sync || !st.Active {
		return nil
	}
	if !inv.activated[st.View] {
		inv.activated[st.View] = true
		if err := inv.holdsEarlier(id, s, st); err != nil {
			return err
		}
	}
	if st.Acked == 0 || st.Acked == inv.lastAcked[id] {
		return nil
	}
	inv.lastAcked[id] = st.Acked
	// Every acknowledged op within this server's chain window must be the
	// op first acknowledged at that number.
	lo := uint64(1)
	if st.OpNum >= pb.RecentHashes {
		lo = st.OpNum - pb.RecentHashes + 1
	}
	for k := lo; k <= min(st.Acked, st.OpNum); k++ {
		a, ok := inv.acks[k]
		if !ok {
			continue
		}
		if h, _ := s.HashAt(k); h != a.hash {
			return fmt.Errorf("pb: acknowledged write lost: op %d was acknowledged by %v in view %d, but %v, primary of view %d, acknowledges a different op %d", k, a.by, a.view, id, st.View, k)
		}
	}
	if _, ok := inv.acks[st.Acked]; !ok {
		h, _ := s.HashAt(st.Acked)
		inv.acks[st.Acked] = ack{hash: h, view: st.View, by: id}
	}
	i, found := slices.BinarySearchFunc(inv.ackViews, st.View, func(a viewAck, v uint64) int { return cmp.Compare(a.view, v) })
	if !found {
		inv.ackViews = slices.Insert(inv.ackViews, i, viewAck{view: st.View})
	}
	inv.ackViews[i].op = max(inv.ackViews[i].op, st.Acked)
	return nil
}

// holdsEarlier checks a newly active primary against the highest op
// acknowledged in the views before its own.
func (inv *Invariants) holdsEarlier(id nodes.ID, s *pb.Node, st pb.Status) error {
	var op uint64
	for _, va := range inv.ackViews {
		if va.view >= st.View {
			break
		}
		op = max(op, va.op)
	}
	if op == 0 {
		return nil
	}
	// Commit is the state the view started from (a first write of the
	// view may already be applied on top of it).
	a := inv.acks[op]
	if st.Commit < op {
		return fmt.Errorf("pb: acknowledged write lost: %v became primary of view %d with ops up to %d, but op %d was acknowledged by %v in view %d", id, st.View, st.Commit, op, a.by, a.view)
	}
	if h, ok := s.HashAt(op); ok && h != a.hash {
		return fmt.Errorf("pb: acknowledged write lost: %v became primary of view %d with a different op %d than %v acknowledged in view %d", id, st.View, op, a.by, a.view)
	}
	return nil
}
