package raftkv

import "fmt"

// raftLog is the in-memory log: the entries after the last snapshot. Index
// snapIndex (with term snapTerm) is the last entry folded into the
// snapshot; entries[0] is index snapIndex+1. Indexes start at 1; index 0
// with term 0 is the empty prefix every log shares.
type raftLog struct {
	snapIndex uint64
	snapTerm  uint64
	entries   []Entry
}

// lastIndex is the index of the last entry (or of the snapshot).
func (l *raftLog) lastIndex() uint64 { return l.snapIndex + uint64(len(l.entries)) }

// lastTerm is the term of the last entry (or of the snapshot).
func (l *raftLog) lastTerm() uint64 {
	if n := len(l.entries); n > 0 {
		return l.entries[n-1].Term
	}
	return l.snapTerm
}

// term returns the term of entry i, and false if i is compacted away
// (below the snapshot) or beyond the end.
func (l *raftLog) term(i uint64) (uint64, bool) {
	switch {
	case i == l.snapIndex:
		return l.snapTerm, true
	case i < l.snapIndex || i > l.lastIndex():
		return 0, false
	}
	return l.entries[i-l.snapIndex-1].Term, true
}

// at returns entry i, which must be in the log (snapIndex < i ≤ lastIndex).
func (l *raftLog) at(i uint64) *Entry {
	if i <= l.snapIndex || i > l.lastIndex() {
		panic(fmt.Sprintf("raftkv: log entry %d outside (%d, %d]", i, l.snapIndex, l.lastIndex()))
	}
	return &l.entries[i-l.snapIndex-1]
}

// slice returns entries [lo, hi] (inclusive), sharing the log's memory.
func (l *raftLog) slice(lo, hi uint64) []Entry {
	return l.entries[lo-l.snapIndex-1 : hi-l.snapIndex]
}

// truncateFrom drops entries i and after.
func (l *raftLog) truncateFrom(i uint64) {
	if i <= l.snapIndex {
		panic(fmt.Sprintf("raftkv: truncating at %d, inside the snapshot (%d)", i, l.snapIndex))
	}
	if i <= l.lastIndex() {
		clear(l.entries[i-l.snapIndex-1:])
		l.entries = l.entries[:i-l.snapIndex-1]
	}
}

// compact drops entries up to and including i, which becomes the snapshot
// point.
func (l *raftLog) compact(i, term uint64) {
	// In place: the log keeps its memory (it grows back to the snapshot
	// threshold anyway), and nothing holds a slice of it across a handler.
	k := 0
	if i <= l.lastIndex() {
		k = copy(l.entries, l.entries[i-l.snapIndex:])
	}
	clear(l.entries[k:])
	l.entries = l.entries[:k]
	l.snapIndex, l.snapTerm = i, term
}

// firstIndexOfTerm returns the first index at or below i whose term equals
// the term of i, without going below the snapshot (for conflict hints).
func (l *raftLog) firstIndexOfTerm(i uint64) uint64 {
	t, _ := l.term(i)
	for i-1 > l.snapIndex {
		if pt, _ := l.term(i - 1); pt != t {
			break
		}
		i--
	}
	return i
}

// lastIndexOfTerm returns the last index at or below limit holding term t,
// or 0 if there is none in the log (for the leader reading conflict hints).
func (l *raftLog) lastIndexOfTerm(t, limit uint64) uint64 {
	if limit > l.lastIndex() {
		limit = l.lastIndex()
	}
	for i := limit; i > l.snapIndex; i-- {
		et := l.at(i).Term
		if et == t {
			return i
		}
		if et < t {
			break
		}
	}
	return 0
}

// upToDate reports whether a log ending at (lastIndex, lastTerm) is at
// least as up-to-date as this one (§5.4.1).
func (l *raftLog) upToDate(lastIndex, lastTerm uint64) bool {
	if lastTerm != l.lastTerm() {
		return lastTerm > l.lastTerm()
	}
	return lastIndex >= l.lastIndex()
}
