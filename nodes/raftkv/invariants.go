package raftkv

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
)

// Invariants checks the safety properties of Figure 3 of the paper online,
// after every handler, so that a violation stops a run at the exact step
// that caused it:
//
//   - Election Safety: at most one leader per term, over the whole run.
//   - Log Matching: entries with the same index and term hold the same
//     command and follow the same previous term (which, by induction, makes
//     the logs identical up to that index).
//   - Leader Completeness: a node that becomes leader of term T holds
//     every entry known to have been committed in a term before T (at the
//     moment it is first seen as leader). A leader of an older term may
//     still be elected late — a candidate cut off in term 1 can collect
//     delayed votes after term 2 committed something — and need not hold
//     entries committed in later terms.
//   - State Machine Safety: no two nodes apply different commands at the
//     same index; also no two nodes consider different entries committed
//     at the same index.
//
// The checks are incremental: each call looks only at what the node's last
// handler changed (new log entries, new commit and apply indexes).
//
// Wire it into a simulation with
//
//	inv := raftkv.NewInvariants(func(id nodes.ID) *raftkv.Node {
//		n, _ := w.Node(id).(*raftkv.Node)
//		return n
//	})
//	w.AfterEachHandler(inv.Check)
type Invariants struct {
	lookup    func(nodes.ID) *Node
	leaders   map[uint64]nodes.ID
	entries   map[indexTerm]entryRecord
	committed []EntryID // committed[i-1] for index i; zero if unknown
	// commitTerm[i-1] is the term of the node first seen with index i
	// committed: no lower than the term in which i was committed.
	commitTerm []uint64
	applied    []EntryID // the first command applied at index i
	views      map[nodes.ID]*nodeView
}

type indexTerm struct{ index, term uint64 }

type entryRecord struct {
	id       EntryID
	prevTerm uint64
	node     nodes.ID
}

// nodeView is what the checker has seen of one node incarnation.
type nodeView struct {
	node        *Node
	seenCommit  uint64
	seenApplied uint64
	leaderTerm  uint64
}

// NewInvariants returns a checker that finds nodes with lookup, which
// returns nil for a node that is down.
func NewInvariants(lookup func(nodes.ID) *Node) *Invariants {
	return &Invariants{
		lookup:  lookup,
		leaders: map[uint64]nodes.ID{},
		entries: map[indexTerm]entryRecord{},
		views:   map[nodes.ID]*nodeView{},
	}
}

// Check checks the invariants after a handler of node id has run, and
// returns an error describing the first violation.
func (v *Invariants) Check(id nodes.ID) error {
	n := v.lookup(id)
	if n == nil {
		return nil
	}
	view := v.views[id]
	fresh := view == nil || view.node != n
	if fresh {
		// A new incarnation (or first sight): check its whole log.
		view = &nodeView{node: n}
		v.views[id] = view
	}
	st := n.Status()
	if err := v.checkLeader(n, view, &st); err != nil {
		return err
	}
	from := st.LogChangedFrom
	if fresh {
		from = st.SnapshotIndex + 1
	}
	if err := v.checkLog(n, &st, from); err != nil {
		return err
	}
	if err := v.checkCommitted(n, view, &st); err != nil {
		return err
	}
	return v.checkApplied(n, view, &st)
}

func (v *Invariants) checkLeader(n *Node, view *nodeView, st *Status) error {
	if st.Role != Leader {
		return nil
	}
	if other, ok := v.leaders[st.Term]; ok && other != st.ID {
		return fmt.Errorf("raftkv: election safety: %v and %v are both leaders of term %d", other, st.ID, st.Term)
	}
	v.leaders[st.Term] = st.ID
	if view.leaderTerm == st.Term {
		return nil
	}
	view.leaderTerm = st.Term
	// Leader completeness: every entry known committed is in its log
	// (those at or below its snapshot are in the snapshot).
	for i := st.SnapshotIndex + 1; i <= uint64(len(v.committed)); i++ {
		want := v.committed[i-1]
		if want == (EntryID{}) || v.commitTerm[i-1] >= st.Term {
			continue
		}
		got, _, ok := n.Entry(i)
		if !ok || got != want {
			return fmt.Errorf("raftkv: leader completeness: %v became leader of term %d without committed entry %d (%v); it has %v", st.ID, st.Term, i, want, describe(got, ok))
		}
	}
	return nil
}

func (v *Invariants) checkLog(n *Node, st *Status, from uint64) error {
	if from == 0 {
		return nil
	}
	for i := max(from, st.SnapshotIndex+1); i <= st.LastIndex; i++ {
		id, prevTerm, _ := n.Entry(i)
		key := indexTerm{i, id.Term}
		rec, ok := v.entries[key]
		if !ok {
			v.entries[key] = entryRecord{id: id, prevTerm: prevTerm, node: st.ID}
			continue
		}
		if rec.id != id || rec.prevTerm != prevTerm {
			return fmt.Errorf("raftkv: log matching: entry %d of term %d is %v after term %d on %v but %v after term %d on %v",
				i, id.Term, rec.id, rec.prevTerm, rec.node, id, prevTerm, st.ID)
		}
	}
	return nil
}

func (v *Invariants) checkCommitted(n *Node, view *nodeView, st *Status) error {
	for i := max(view.seenCommit, st.SnapshotIndex) + 1; i <= st.CommitIndex; i++ {
		id, _, ok := n.Entry(i)
		if !ok {
			break
		}
		v.committed = grow(v.committed, i)
		for uint64(len(v.commitTerm)) < i {
			v.commitTerm = append(v.commitTerm, 0)
		}
		if want := v.committed[i-1]; want == (EntryID{}) {
			v.committed[i-1] = id
			v.commitTerm[i-1] = st.Term
		} else if want != id {
			return fmt.Errorf("raftkv: state machine safety: %v committed %v at index %d, but %v was committed there before", st.ID, id, i, want)
		}
	}
	view.seenCommit = max(view.seenCommit, st.CommitIndex)
	return nil
}

func (v *Invariants) checkApplied(n *Node, view *nodeView, st *Status) error {
	for i := view.seenApplied + 1; i <= st.LastApplied; i++ {
		id, ok := n.Applied(i)
		if !ok {
			continue // covered by an installed snapshot
		}
		v.applied = grow(v.applied, i)
		if want := v.applied[i-1]; want == (EntryID{}) {
			v.applied[i-1] = id
		} else if want != id {
			return fmt.Errorf("raftkv: state machine safety: %v applied %v at index %d, but %v was applied there first", st.ID, id, i, want)
		}
	}
	view.seenApplied = max(view.seenApplied, st.LastApplied)
	return nil
}

// grow extends s so that index i (1-based) is addressable.
func grow(s []EntryID, i uint64) []EntryID {
	for uint64(len(s)) < i {
		s = append(s, EntryID{})
	}
	return s
}

func describe(id EntryID, ok bool) string {
	if !ok {
		return "no entry there"
	}
	return id.String()
}
