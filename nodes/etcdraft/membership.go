package etcdraft

import (
	"fmt"
	"slices"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"go.etcd.io/raft/v3/tracker"
	"google.golang.org/protobuf/proto"

	"github.com/faultline/faultline/nodes"
)

// Probes of membership changes.
const (
	ProbeConfChangeProposed = "etcdraft: conf change proposed"
	ProbeConfChangeApplied  = "etcdraft: conf change applied"
	ProbeJointEntered       = "etcdraft: joint configuration entered"
	ProbeJointLeft          = "etcdraft: joint configuration left"
	ProbeLearnerAdded       = "etcdraft: learner added"
	ProbeLearnerPromoted    = "etcdraft: learner promoted to voter"
	ProbeRemoved            = "etcdraft: server removed"
)

// MemberRequest asks the cluster to change a server's membership: a
// server that is not a voter (or knows no leader) asks to join, one told
// to leave (nodes.Leaver) asks to be removed. It goes to every peer and is
// repeated every Config.ElectionTicks ticks until the server sees the
// change applied; only the leader acts on it.
type MemberRequest struct {
	Leave bool
}

func (r MemberRequest) String() string {
	if r.Leave {
		return "member: leave"
	}
	return "member: join"
}

// isVoter, isMember report what n's applied ConfState says of id.
func (n *Node) isVoter(id uint64) bool { return slices.Contains(n.conf.GetVoters(), id) }
func (n *Node) isLearner(id uint64) bool {
	return slices.Contains(n.conf.GetLearners(), id)
}

// memberTick runs every tick: a server that wants a change asks for it.
func (n *Node) memberTick(env nodes.Env) {
	n.ticks++
	if n.ticks%uint64(n.cfg.ElectionTicks) != 0 {
		return
	}
	me := uint64(env.ID())
	var req MemberRequest
	switch {
	case n.leaving:
		if !n.isVoter(me) && !n.isLearner(me) {
			return
		}
		req = MemberRequest{Leave: true}
	case n.isVoter(me) && (n.lead != raft.None || n.cfg.InitialVoters == 0):
		// A voter asks only when it knows no leader, and only in a
		// cluster whose membership changes: it may have been removed
		// while it was down, and no leader would ever contact it.
		return
	}
	if n.state == raft.StateLeader {
		n.member(env, env.ID(), req)
		return
	}
	for _, p := range env.Peers() {
		env.Send(p, req)
	}
}

// Leave implements nodes.Leaver: the server asks to be removed, at once
// and then every ElectionTicks ticks, until it is stopped.
func (n *Node) Leave(env nodes.Env) {
	defer n.enter(env)()
	n.leaving = true
	n.ticks = uint64(n.cfg.ElectionTicks) - 1 // ask on the next tick
	n.memberTick(env)
	n.pump(env)
}

// member is the leader's answer to a MemberRequest: one single-step
// ConfChangeV2 (add as learner, promote a caught-up learner, remove), and
// only when none is in flight; etcd raft refuses a second pending one
// anyway, and the requester repeats its request.
func (n *Node) member(env nodes.Env, from nodes.ID, req MemberRequest) {
	if n.state != raft.StateLeader || n.ticks < n.confRetryAt {
		return
	}
	id := uint64(from)
	var cc *pb.ConfChangeSingle
	switch {
	case req.Leave:
		switch {
		case n.isLearner(id):
		case n.isVoter(id) && len(n.conf.GetVoters()) > 1:
		default:
			return
		}
		cc = &pb.ConfChangeSingle{Type: pb.ConfChangeType_ConfChangeRemoveNode.Enum(), NodeId: new(id)}
	case n.isVoter(id):
		return
	case n.isLearner(id):
		if !n.caughtUp(id) {
			return
		}
		cc = &pb.ConfChangeSingle{Type: pb.ConfChangeType_ConfChangeAddNode.Enum(), NodeId: new(id)}
	default:
		cc = &pb.ConfChangeSingle{Type: pb.ConfChangeType_ConfChangeAddLearnerNode.Enum(), NodeId: new(id)}
	}
	v2 := &pb.ConfChangeV2{Changes: []*pb.ConfChangeSingle{cc}}
	if n.cfg.JointConsensus {
		// Through C_old,new: etcd raft enters the joint configuration
		// when this applies and proposes leaving it by itself.
		v2.Transition = pb.ConfChangeTransition_ConfChangeTransitionJointImplicit.Enum()
	}
	var err error
	n.inRaft(env, func() { err = n.rn.ProposeConfChange(v2) })
	if err != nil {
		return
	}
	n.confRetryAt = n.ticks + 2*uint64(n.cfg.ElectionTicks)
	env.Reached(ProbeConfChangeProposed)
}

// caughtUp reports whether the leader has replicated its whole committed
// log to learner id.
func (n *Node) caughtUp(id uint64) bool {
	commit := n.storage.hs.GetCommit()
	ok := false
	n.rn.WithProgress(func(pid uint64, _ raft.ProgressType, pr tracker.Progress) {
		if pid == id && pr.Match >= commit {
			ok = true
		}
	})
	return ok
}

// applyConfChange applies a committed conf change entry to etcd raft and
// records the new ConfState (which the next snapshot carries).
func (n *Node) applyConfChange(env nodes.Env, e *pb.Entry) {
	var cc pb.ConfChangeI
	switch e.GetType() {
	case pb.EntryConfChangeV2:
		v2 := &pb.ConfChangeV2{}
		if err := proto.Unmarshal(e.GetData(), v2); err != nil {
			panic(fmt.Sprintf("etcdraft: %v: entry %d: %v", env.ID(), e.GetIndex(), err))
		}
		cc = v2
	case pb.EntryConfChange:
		v1 := &pb.ConfChange{}
		if err := proto.Unmarshal(e.GetData(), v1); err != nil {
			panic(fmt.Sprintf("etcdraft: %v: entry %d: %v", env.ID(), e.GetIndex(), err))
		}
		cc = v1
	}
	before := n.conf
	var cs *pb.ConfState
	n.inRaft(env, func() { cs = n.rn.ApplyConfChange(cc) })
	n.conf = proto.CloneOf(cs)
	n.confRetryAt = 0
	env.Reached(ProbeConfChangeApplied)
	switch wasJoint, joint := len(before.GetVotersOutgoing()) > 0, len(n.conf.GetVotersOutgoing()) > 0; {
	case joint && !wasJoint:
		env.Reached(ProbeJointEntered)
	case wasJoint && !joint:
		env.Reached(ProbeJointLeft)
	}
	for _, ch := range cc.AsV2().GetChanges() {
		id := ch.GetNodeId()
		switch ch.GetType() {
		case pb.ConfChangeType_ConfChangeAddLearnerNode:
			env.Reached(ProbeLearnerAdded)
		case pb.ConfChangeType_ConfChangeAddNode:
			if slices.Contains(before.GetLearners(), id) {
				env.Reached(ProbeLearnerPromoted)
			}
		case pb.ConfChangeType_ConfChangeRemoveNode:
			env.Reached(ProbeRemoved)
		}
	}
}

// Conf returns the node's applied ConfState (the node's: do not modify).
func (n *Node) Conf() *pb.ConfState { return n.conf }
