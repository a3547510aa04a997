package etcdraft

import (
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// Storage is the raft.Storage etcd raft reads its stable log through: the
// HardState, the latest snapshot and the entries after it, exactly what
// the node has written to its disk (see disk.go). It lives in memory for
// speed and is rebuilt from the disk alone when the node starts, so after
// a crash etcd raft sees what survived and nothing more.
//
// ents[0] is a dummy entry at the snapshot's index and term (the term of
// the entry before FirstIndex is kept for matching, as raft.Storage asks);
// ents[i] has index ents[0].Index+i. Entries are never mutated once stored.
type Storage struct {
	hs   *pb.HardState
	snap *pb.Snapshot
	ents []*pb.Entry
}

// newStorage returns the storage of a fresh member of a cluster of voters:
// an empty log after a zero snapshot whose ConfState names them, the way
// etcd raft's own tests bootstrap a static cluster (no ConfChange entries).
func newStorage(voters []uint64) *Storage {
	snap := &pb.Snapshot{Metadata: &pb.SnapshotMetadata{
		Index: new(uint64(0)), Term: new(uint64(0)),
		ConfState: &pb.ConfState{Voters: voters},
	}}
	return &Storage{hs: &pb.HardState{}, snap: snap, ents: []*pb.Entry{dummy(0, 0)}}
}

func dummy(index, term uint64) *pb.Entry { return &pb.Entry{Index: new(index), Term: new(term)} }

var _ raft.Storage = (*Storage)(nil)

// InitialState implements raft.Storage.
func (s *Storage) InitialState() (*pb.HardState, *pb.ConfState, error) {
	return proto.CloneOf(s.hs), proto.CloneOf(s.snap.GetMetadata().GetConfState()), nil
}

func (s *Storage) offset() uint64 { return s.ents[0].GetIndex() }

// FirstIndex implements raft.Storage.
func (s *Storage) FirstIndex() (uint64, error) { return s.offset() + 1, nil }

// LastIndex implements raft.Storage.
func (s *Storage) LastIndex() (uint64, error) { return s.lastIndex(), nil }

func (s *Storage) lastIndex() uint64 { return s.offset() + uint64(len(s.ents)) - 1 }

// Term implements raft.Storage.
func (s *Storage) Term(i uint64) (uint64, error) {
	off := s.offset()
	if i < off {
		return 0, raft.ErrCompacted
	}
	if i-off >= uint64(len(s.ents)) {
		return 0, raft.ErrUnavailable
	}
	return s.ents[i-off].GetTerm(), nil
}

// Entries implements raft.Storage: a fresh slice (the caller may append
// to it) of shared, immutable entries.
func (s *Storage) Entries(lo, hi, maxSize uint64) ([]*pb.Entry, error) {
	off := s.offset()
	if lo <= off {
		return nil, raft.ErrCompacted
	}
	if hi > s.lastIndex()+1 {
		return nil, raft.ErrUnavailable
	}
	out := make([]*pb.Entry, 0, hi-lo)
	var size uint64
	for _, e := range s.ents[lo-off : hi-off] {
		size += uint64(proto.Size(e))
		if len(out) > 0 && size > maxSize {
			break
		}
		out = append(out, e)
	}
	return out, nil
}

// Snapshot implements raft.Storage.
func (s *Storage) Snapshot() (*pb.Snapshot, error) { return s.snap, nil }

// setHardState records a HardState etcd raft handed out in a Ready.
func (s *Storage) setHardState(hs *pb.HardState) { s.hs = proto.CloneOf(hs) }

// applySnapshot replaces the log with snap (installed from a leader, or
// read back at recovery). A snapshot older than the current one is a
// programmer error: etcd raft never hands one out.
func (s *Storage) applySnapshot(snap *pb.Snapshot) {
	idx := snap.GetMetadata().GetIndex()
	if idx < s.snap.GetMetadata().GetIndex() {
		panic("etcdraft: applying a snapshot older than the current one")
	}
	s.snap = snap
	s.ents = []*pb.Entry{dummy(idx, snap.GetMetadata().GetTerm())}
	if s.hs.GetCommit() < idx { // what a snapshot holds is committed
		hs := proto.CloneOf(s.hs)
		hs.Commit = new(idx)
		s.hs = hs
	}
}

// createSnapshot makes a snapshot at applied index i with the state
// machine's data and the ConfState applied at i, and drops the log up to
// i (log compaction).
func (s *Storage) createSnapshot(i uint64, cs *pb.ConfState, data []byte) *pb.Snapshot {
	off := s.offset()
	if i <= off || i > s.lastIndex() {
		panic("etcdraft: snapshot index outside the log")
	}
	term := s.ents[i-off].GetTerm()
	snap := &pb.Snapshot{Data: data, Metadata: &pb.SnapshotMetadata{
		Index: new(i), Term: new(term),
		ConfState: proto.CloneOf(cs),
	}}
	s.snap = snap
	s.ents = append([]*pb.Entry{dummy(i, term)}, s.ents[i-off+1:]...)
	return snap
}

// append adds entries to the log, truncating any conflicting suffix (a
// new leader overwrote it); entries already compacted are skipped.
func (s *Storage) append(ents []*pb.Entry) {
	if len(ents) == 0 {
		return
	}
	first := s.offset() + 1
	if last := ents[len(ents)-1].GetIndex(); last < first {
		return
	}
	if ents[0].GetIndex() < first {
		ents = ents[first-ents[0].GetIndex():]
	}
	off := ents[0].GetIndex() - s.offset()
	if off > uint64(len(s.ents)) {
		panic("etcdraft: appending entries past a gap in the log")
	}
	// In place: Entries hands out copies, so no caller holds s.ents.
	s.ents = append(s.ents[:off], ents...)
}

// after returns the stored entries after the snapshot (for a disk base).
func (s *Storage) after() []*pb.Entry { return s.ents[1:] }
