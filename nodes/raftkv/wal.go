package raftkv

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"

	"github.com/faultline/faultline/nodes"
)

// The write-ahead log on the node's Store (§5, "persistent state on all
// servers": currentTerm, votedFor, log[]).
//
// State lives in generations of segment files wal-<gen>-<seg>. Segment 0
// of a generation holds one base record with the whole durable state at
// that moment (term, vote, snapshot, the log after the snapshot); later
// records are appended to the current segment, and a new segment starts
// when it reaches segmentBytes (so each append stays cheap):
//
//	hard state  term and vote changed
//	entries     log[first:] = these entries (truncating any suffix)
//
// Appending keeps each durable write small. A new generation is written
// when the node takes or installs a snapshot and when it starts (which also
// drops any torn tail); older generations are deleted once the new base is
// synced, so a crash at any point leaves at least one complete generation.
//
// Every record is framed as [length u32][crc32c u32][payload]. Recovery
// reads the newest generation whose base record is intact and replays
// records up to the first one that is short or fails its checksum: a torn
// tail from a crash mid-append, which by construction was never synced and
// so never acknowledged. A read that returns flipped bits is retried.

const (
	recBase      = 1
	recHardState = 2
	recEntries   = 3

	walPrefix   = "wal-"
	frameHeader = 8
	// readAttempts bounds re-reads of a file whose parse stopped early,
	// in case a read returned flipped bits rather than the disk holding a
	// torn tail.
	readAttempts = 3
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// segmentBytes is the size at which appends move to a new segment file.
const segmentBytes = 4 << 10

func walName(gen uint64, seg int) string { return fmt.Sprintf("%s%016d-%06d", walPrefix, gen, seg) }

func parseWALName(name string) (gen uint64, seg int, ok bool) {
	s, ok := strings.CutPrefix(name, walPrefix)
	if !ok {
		return 0, 0, false
	}
	g, sg, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, false
	}
	gen, err1 := strconv.ParseUint(g, 10, 64)
	seg, err2 := strconv.Atoi(sg)
	return gen, seg, err1 == nil && err2 == nil && seg >= 0
}

// frame wraps a record payload with its length and checksum.
func frame(payload []byte) []byte {
	e := encoder{b: make([]byte, frameHeader, frameHeader+len(payload))}
	e.b = append(e.b, payload...)
	return e.framed()
}

// beginFrame starts a framed record in the encoder's buffer, reusing its
// memory: the header is reserved, the payload is encoded after it, and
// framed fills the header in. The WAL encodes every record this way into
// one buffer per node, so a steady stream of appends allocates nothing
// (the store copies what it is given).
func (e *encoder) beginFrame() {
	e.b = append(e.b[:0], make([]byte, frameHeader)...)
}

// framed completes the record begun by beginFrame and returns it; it is
// valid until the next beginFrame.
func (e *encoder) framed() []byte {
	payload := e.b[frameHeader:]
	binary.LittleEndian.PutUint32(e.b[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(e.b[4:], crc32.Checksum(payload, crcTable))
	return e.b
}

// unframe splits b into record payloads, stopping at the first short or
// corrupt frame. It returns the payloads and the bytes they covered.
func unframe(b []byte) (recs [][]byte, used int) {
	for len(b)-used >= frameHeader {
		n := int(binary.LittleEndian.Uint32(b[used:]))
		sum := binary.LittleEndian.Uint32(b[used+4:])
		start := used + frameHeader
		if n > len(b)-start {
			break
		}
		p := b[start : start+n]
		if crc32.Checksum(p, crcTable) != sum {
			break
		}
		recs = append(recs, p)
		used = start + n
	}
	return recs, used
}

// durableState is what recovery rebuilds from disk.
type durableState struct {
	term     uint64
	vote     nodes.ID
	log      raftLog
	snapshot []byte // the state machine at log.snapIndex (nil: empty)
}

func encodeBase(st *durableState) []byte {
	e := encoder{b: make([]byte, 0, 64+len(st.snapshot))}
	e.base(st)
	return e.b
}

func (e *encoder) base(st *durableState) {
	e.u64(recBase)
	e.u64(st.term)
	e.u64(uint64(st.vote))
	e.u64(st.log.snapIndex)
	e.u64(st.log.snapTerm)
	e.bytes(st.snapshot)
	e.u64(uint64(len(st.log.entries)))
	for i := range st.log.entries {
		e.entry(&st.log.entries[i])
	}
}

func encodeHardState(term uint64, vote nodes.ID) []byte {
	var e encoder
	e.hardState(term, vote)
	return e.b
}

func (e *encoder) hardState(term uint64, vote nodes.ID) {
	e.u64(recHardState)
	e.u64(term)
	e.u64(uint64(vote))
}

func encodeEntries(first uint64, entries []Entry) []byte {
	var e encoder
	e.entries(first, entries)
	return e.b
}

func (e *encoder) entries(first uint64, entries []Entry) {
	e.u64(recEntries)
	e.u64(first)
	e.u64(uint64(len(entries)))
	for i := range entries {
		e.entry(&entries[i])
	}
}

// replay rebuilds the state from one generation's records. ok is false if
// the base record is missing or unreadable (the generation is unusable).
// A later record that does not decode ends the replay like a torn tail.
func replay(recs [][]byte) (st durableState, ok bool) {
	if len(recs) == 0 {
		return st, false
	}
	d := decoder{b: recs[0]}
	if d.u64() != recBase {
		return st, false
	}
	st.term = d.u64()
	st.vote = nodes.ID(d.u64())
	st.log.snapIndex = d.u64()
	st.log.snapTerm = d.u64()
	st.snapshot = d.bytes()
	n := d.count()
	st.log.entries = make([]Entry, 0, n)
	for ; n > 0 && d.err == nil; n-- {
		st.log.entries = append(st.log.entries, d.entry())
	}
	if d.err != nil || len(d.b) != 0 {
		return durableState{}, false
	}
	for _, r := range recs[1:] {
		if !replayRecord(&st, r) {
			break
		}
	}
	return st, true
}

func replayRecord(st *durableState, r []byte) bool {
	d := decoder{b: r}
	switch d.u64() {
	case recHardState:
		term, vote := d.u64(), nodes.ID(d.u64())
		if d.err != nil {
			return false
		}
		st.term, st.vote = term, vote
		return true
	case recEntries:
		first := d.u64()
		n := d.count()
		if d.err != nil || first <= st.log.snapIndex || first > st.log.lastIndex()+1 {
			return false
		}
		entries := make([]Entry, 0, n)
		for ; n > 0 && d.err == nil; n-- {
			entries = append(entries, d.entry())
		}
		if d.err != nil {
			return false
		}
		st.log.truncateFrom(first)
		st.log.entries = append(st.log.entries, entries...)
		return true
	}
	return false
}

// recoverWAL reads the newest usable generation. It returns the state,
// the highest generation number present (usable or not) and the names of
// every WAL file, which the caller retires once it has written a fresh
// generation. An empty store recovers the empty state.
func recoverWAL(store nodes.Store) (st durableState, maxGen uint64, files []string) {
	type segment struct {
		gen  uint64
		seg  int
		name string
	}
	var segs []segment
	for _, name := range store.List() {
		if g, sg, ok := parseWALName(name); ok {
			segs = append(segs, segment{g, sg, name})
			files = append(files, name)
			maxGen = max(maxGen, g)
		}
	}
	// Newest generation first; its segments in order.
	slices.SortFunc(segs, func(a, b segment) int {
		if c := cmp.Compare(b.gen, a.gen); c != 0 {
			return c
		}
		return cmp.Compare(a.seg, b.seg)
	})
	for i := 0; i < len(segs); {
		j := i
		var recs [][]byte
		torn := false
		for ; j < len(segs) && segs[j].gen == segs[i].gen; j++ {
			// Segments must be contiguous from 0; anything after a torn
			// record or a missing segment was never synced.
			if torn || segs[j].seg != j-i {
				torn = true
				continue
			}
			r, complete := readRecords(store, segs[j].name)
			recs = append(recs, r...)
			torn = !complete
		}
		if s, ok := replay(recs); ok {
			return s, maxGen, files
		}
		i = j
	}
	return durableState{}, maxGen, files
}

// readRecords reads a file's valid records, re-reading when the parse
// stops before the end (a flipped bit in one read is not a torn tail).
// complete reports whether the whole file parsed.
func readRecords(store nodes.Store, name string) (recs [][]byte, complete bool) {
	bestUsed := -1
	for range readAttempts {
		b, err := store.Read(name)
		if err != nil {
			return nil, false
		}
		r, used := unframe(b)
		if used > bestUsed {
			recs, bestUsed = r, used
		}
		if used == len(b) {
			return recs, true
		}
	}
	return recs, false
}
