package paxos

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
)

// The store holds two pairs of files. Each pair alternates, so that a write
// torn by a crash (only the last unsynced write can be) leaves the other
// file of its pair intact:
//
//   - AcceptorFiles: the acceptor's log. It opens with a base record (a
//     generation, the promised ballot and every accepted proposal above the
//     durable snapshot); each promise and each batch of accepts appends a
//     record. A compaction writes a new base, of the next generation, into
//     the other file. Start reads the file with the highest valid base and
//     its records up to the first torn or corrupt one.
//   - SnapshotFiles: the state machine after some slot (Snapshot). A new
//     snapshot goes into the file not holding the latest; Start takes the
//     valid one with the highest Index.
//
// Chosen commands above the snapshot are not stored: they were accepted by
// a majority, and a restarted server learns them again from the leader.
var (
	AcceptorFiles = [2]string{"paxos-acceptor-0", "paxos-acceptor-1"}
	SnapshotFiles = [2]string{"paxos-snapshot-0", "paxos-snapshot-1"}
)

// record is one record of the acceptor log.
type record struct {
	// Base: a base record (the first of a file), of generation Gen.
	Base     bool   `json:",omitempty"`
	Gen      uint64 `json:",omitempty"`
	Promised Ballot
	Accepted []AcceptedEntry `json:",omitempty"`
}

// frame seals a record and prefixes its length.
func frame(r *record) []byte {
	body := durable.SealJSON(r)
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// parseLog reads an acceptor log: its base record and the records after it,
// up to the first that is torn or corrupt. ok is false when the base
// itself is unreadable.
func parseLog(b []byte) (recs []record, ok bool) {
	for len(b) >= 4 {
		n := binary.BigEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			break
		}
		var r record
		if err := durable.OpenJSON(b[4:4+n], &r); err != nil {
			break
		}
		if (len(recs) == 0) != r.Base {
			break
		}
		recs = append(recs, r)
		b = b[4+n:]
	}
	return recs, len(recs) > 0
}

// acceptorState is what the acceptor log holds.
type acceptorState struct {
	promised Ballot
	accepted map[uint64]AcceptedEntry
}

// replay folds records into the acceptor state.
func replay(recs []record) acceptorState {
	st := acceptorState{accepted: map[uint64]AcceptedEntry{}}
	for _, r := range recs {
		if st.promised.Less(r.Promised) {
			st.promised = r.Promised
		}
		for _, e := range r.Accepted {
			st.accepted[e.Slot] = e
		}
	}
	return st
}

// disk is a server's view of its files.
type disk struct {
	logFile  int    // the acceptor file appended to
	gen      uint64 // its base's generation
	snapFile int    // the snapshot file holding the latest snapshot
}

// load reads the store: the latest snapshot (a fresh one if none) and the
// acceptor state. A store with no readable base or snapshot in either file
// is a fresh server's.
func load(st nodes.Store) (d disk, snap Snapshot, acc acceptorState, err error) {
	snap = newSnapshot()
	found := false
	for i, name := range SnapshotFiles {
		b, rerr := st.Read(name)
		if errors.Is(rerr, nodes.ErrNotFound) {
			continue
		} else if rerr != nil {
			return d, snap, acc, fmt.Errorf("paxos: %s: %v", name, rerr)
		}
		var s Snapshot
		if durable.OpenJSON(b, &s) != nil {
			continue // torn: the other file holds the snapshot before it
		}
		if !found || s.Index > snap.Index {
			snap, d.snapFile, found = s, i, true
		}
	}
	if snap.Data == nil {
		snap.Data = map[string]string{}
	}
	if snap.Sessions == nil {
		snap.Sessions = map[nodes.ID]Session{}
	}
	var best []record
	for i, name := range AcceptorFiles {
		b, rerr := st.Read(name)
		if errors.Is(rerr, nodes.ErrNotFound) {
			continue
		} else if rerr != nil {
			return d, snap, acc, fmt.Errorf("paxos: %s: %v", name, rerr)
		}
		recs, ok := parseLog(b)
		if ok && (best == nil || recs[0].Gen > best[0].Gen) {
			best, d.logFile, d.gen = recs, i, recs[0].Gen
		}
	}
	acc = replay(best)
	for _, s := range slices.Sorted(maps.Keys(acc.accepted)) {
		if s <= snap.Index {
			delete(acc.accepted, s)
		}
	}
	return d, snap, acc, nil
}

// appendRecord appends a record to the acceptor log (volatile until the
// next sync).
func (d *disk) appendRecord(st nodes.Store, r *record) {
	st.Append(AcceptorFiles[d.logFile], frame(r))
}

// rewrite writes a new base of the acceptor state into the other acceptor
// file and appends to it from now on.
// forgetPromise plants the promise-not-persisted bug: the base leaves the
// promise out.
func (d *disk) rewrite(st nodes.Store, acc *acceptorState, forgetPromise bool) {
	d.gen++
	d.logFile = 1 - d.logFile
	r := record{Base: true, Gen: d.gen, Promised: acc.promised}
	if forgetPromise {
		r.Promised = Ballot{}
	}
	for _, s := range slices.Sorted(maps.Keys(acc.accepted)) {
		r.Accepted = append(r.Accepted, acc.accepted[s])
	}
	st.Write(AcceptorFiles[d.logFile], frame(&r))
}

// writeSnapshot writes snap into the snapshot file not holding the latest.
func (d *disk) writeSnapshot(st nodes.Store, snap *Snapshot) {
	d.snapFile = 1 - d.snapFile
	st.Write(SnapshotFiles[d.snapFile], durable.SealJSON(snap))
}
