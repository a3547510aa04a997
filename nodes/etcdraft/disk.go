package etcdraft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// The node's disk. What etcd raft asks to be stable (HardState, entries,
// snapshots) lives in generations of two files:
//
//	etcdraft-<gen>.base   the whole state when the generation began:
//	                      snapshot, HardState, entries after the snapshot,
//	                      then an end record (a base without it is torn)
//	etcdraft-<gen>.wal    what changed since, appended: HardState records
//	                      and entry records (entries from index i on,
//	                      truncating any suffix from i)
//
// Every record is framed as [length u32][crc32 u32][kind byte][payload]
// (durable.Seal inside a length). A generation starts when the node
// starts (which drops a torn tail), takes a snapshot or installs one;
// older generations are deleted once the new base is synced, so a crash at
// any point leaves a complete generation. Recovery reads the newest
// generation whose base is complete and replays its wal up to the first
// short or corrupt record: a torn tail from a crash mid-append, never
// synced and so never acted on. A read that stops early is read again (it
// may have returned flipped bits rather than found a torn tail).

const (
	filePrefix = "etcdraft-"
	baseSuffix = ".base"
	walSuffix  = ".wal"

	recSnapshot  byte = 1
	recHardState byte = 2
	recEntries   byte = 3
	recEnd       byte = 4

	// readAttempts bounds the re-reads of a file whose parse stopped early.
	readAttempts = 3
)

func baseName(gen uint64) string { return fmt.Sprintf("%s%016d%s", filePrefix, gen, baseSuffix) }
func walName(gen uint64) string  { return fmt.Sprintf("%s%016d%s", filePrefix, gen, walSuffix) }

// disk writes the current generation.
type disk struct {
	gen uint64
}

var marshal = proto.MarshalOptions{Deterministic: true}

func frame(kind byte, payload []byte) []byte {
	sealed := durable.Seal(append([]byte{kind}, payload...))
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(sealed))), sealed...)
}

func mustMarshal(m proto.Message) []byte {
	b, err := marshal.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("etcdraft: encoding %T: %v", m, err))
	}
	return b
}

func encodeEntries(ents []*pb.Entry) []byte {
	var b []byte
	for _, e := range ents {
		eb := mustMarshal(e)
		b = binary.AppendUvarint(b, uint64(len(eb)))
		b = append(b, eb...)
	}
	return b
}

func decodeEntries(b []byte) ([]*pb.Entry, error) {
	var out []*pb.Entry
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, errors.New("short entry")
		}
		e := &pb.Entry{}
		if err := proto.Unmarshal(b[k:k+int(n)], e); err != nil {
			return nil, err
		}
		out = append(out, e)
		b = b[k+int(n):]
	}
	return out, nil
}

// begin writes the base of generation gen from s and makes it current.
// The caller syncs, and once the base is durable removes the older
// generations with forget.
func (d *disk) begin(st nodes.Store, gen uint64, s *Storage) {
	d.gen = gen
	b := frame(recSnapshot, mustMarshal(s.snap))
	b = append(b, frame(recHardState, mustMarshal(s.hs))...)
	if ents := s.after(); len(ents) > 0 {
		b = append(b, frame(recEntries, encodeEntries(ents))...)
	}
	b = append(b, frame(recEnd, nil)...)
	st.Write(baseName(gen), b)
}

// forget deletes every generation older than gen, once gen's base is
// durable (a later generation may have begun meanwhile; its base may not
// be).
func (d *disk) forget(st nodes.Store, gen uint64) {
	for _, name := range st.List() {
		if g, ok := parseGen(name); ok && g < gen {
			st.Delete(name)
		}
	}
}

func (d *disk) appendHardState(st nodes.Store, hs *pb.HardState) {
	st.Append(walName(d.gen), frame(recHardState, mustMarshal(hs)))
}

func (d *disk) appendEntries(st nodes.Store, ents []*pb.Entry) {
	st.Append(walName(d.gen), frame(recEntries, encodeEntries(ents)))
}

func parseGen(name string) (uint64, bool) {
	rest, ok := strings.CutPrefix(name, filePrefix)
	if !ok {
		return 0, false
	}
	if r, ok := strings.CutSuffix(rest, baseSuffix); ok {
		rest = r
	} else if r, ok := strings.CutSuffix(rest, walSuffix); ok {
		rest = r
	} else {
		return 0, false
	}
	g, err := strconv.ParseUint(rest, 10, 64)
	return g, err == nil
}

// record is one parsed record.
type record struct {
	kind byte
	body []byte
}

// parse reads records up to the first short or corrupt one; complete
// reports whether it reached the end of b.
func parse(b []byte) (recs []record, complete bool) {
	for len(b) > 0 {
		if len(b) < 4 {
			return recs, false
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			return recs, false
		}
		body, err := durable.Open(b[4 : 4+n])
		if err != nil || len(body) == 0 {
			return recs, false
		}
		recs = append(recs, record{kind: body[0], body: body[1:]})
		b = b[4+n:]
	}
	return recs, true
}

// readRecords reads a file, again if its parse stopped early, and keeps
// the longest parse.
func readRecords(st nodes.Store, name string) []record {
	var best []record
	for range readAttempts {
		b, err := st.Read(name)
		if err != nil {
			return best
		}
		recs, complete := parse(b)
		if len(recs) > len(best) {
			best = recs
		}
		if complete {
			break
		}
	}
	return best
}

// recovered is what recovery found.
type recovered struct {
	gen     uint64 // the generation read (0: none)
	storage *Storage
	dropped int // incomplete newer bases passed over
}

// recover rebuilds the Storage from the newest complete generation, or
// returns a fresh one for voters if the disk holds none.
func recoverDisk(st nodes.Store, voters []uint64) (recovered, error) {
	var gens []uint64
	for _, name := range st.List() {
		if g, ok := parseGen(name); ok && strings.HasSuffix(name, baseSuffix) {
			gens = append(gens, g)
		}
	}
	out := recovered{storage: newStorage(voters)}
	for i := len(gens) - 1; i >= 0; i-- { // List is sorted; the names sort by generation
		s, ok, err := readGeneration(st, gens[i], voters)
		if err != nil {
			return out, err
		}
		if ok {
			out.gen, out.storage = gens[i], s
			return out, nil
		}
		out.dropped++
	}
	return out, nil
}

func readGeneration(st nodes.Store, gen uint64, voters []uint64) (*Storage, bool, error) {
	base := readRecords(st, baseName(gen))
	if len(base) == 0 || base[len(base)-1].kind != recEnd || base[0].kind != recSnapshot {
		return nil, false, nil
	}
	s := newStorage(voters)
	for _, r := range append(base[:len(base)-1], readRecords(st, walName(gen))...) {
		if err := s.replay(r); err != nil {
			return nil, false, fmt.Errorf("etcdraft: %s: %w", baseName(gen), err)
		}
	}
	return s, true, nil
}

// replay applies one checksummed record to the storage. An intact record
// that does not decode is a bug of this package, reported as an error.
func (s *Storage) replay(r record) error {
	switch r.kind {
	case recSnapshot:
		snap := &pb.Snapshot{}
		if err := proto.Unmarshal(r.body, snap); err != nil {
			return err
		}
		s.applySnapshot(snap)
	case recHardState:
		hs := &pb.HardState{}
		if err := proto.Unmarshal(r.body, hs); err != nil {
			return err
		}
		s.hs = hs
	case recEntries:
		ents, err := decodeEntries(r.body)
		if err != nil {
			return err
		}
		s.append(ents)
	default:
		return fmt.Errorf("record kind %d", r.kind)
	}
	return nil
}
