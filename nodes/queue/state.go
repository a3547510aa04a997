package queue

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/faultline/faultline/nodes"
)

// recentHashes is how many chain hashes a state keeps.
const recentHashes = 16

// Session is a client's entry in the session table: its highest applied
// Seq and that operation's result.
type Session struct {
	Seq    uint64
	Result Result
}

// Group is a consumer group: its members (sorted), its generation (bumped
// by every membership change) and its committed offset per partition.
// Partition p belongs to Members[p mod len(Members)].
type Group struct {
	Gen       uint64
	Members   []nodes.ID
	Committed []uint64
}

// Owner returns the member owning partition p (0 if the group is empty).
func (g *Group) Owner(p int) nodes.ID {
	if len(g.Members) == 0 {
		return 0
	}
	return g.Members[p%len(g.Members)]
}

// Snapshot is a replica's state machine: the partition logs, the consumer
// groups, the sinks with their dedup tables, and the session table.
type Snapshot struct {
	// LastNormal is the view whose primary this state descends from.
	LastNormal uint64
	// OpNum is the number of operations applied.
	OpNum uint64
	// Recent holds the hash chain's last values.
	Recent []uint64
	// Logs holds each partition's message ids, in offset order.
	Logs     [][]string
	Groups   map[string]*Group
	Sinks    map[string][]string
	Dedup    map[string]map[string]bool
	Sessions map[nodes.ID]Session
}

func newSnapshot() Snapshot {
	return Snapshot{Groups: map[string]*Group{}, Sinks: map[string][]string{}, Dedup: map[string]map[string]bool{}, Sessions: map[nodes.ID]Session{}}
}

// fill makes the maps of a decoded snapshot non-nil.
func (s *Snapshot) fill() {
	if s.Groups == nil {
		s.Groups = map[string]*Group{}
	}
	if s.Sinks == nil {
		s.Sinks = map[string][]string{}
	}
	if s.Dedup == nil {
		s.Dedup = map[string]map[string]bool{}
	}
	if s.Sessions == nil {
		s.Sessions = map[nodes.ID]Session{}
	}
}

// clone deep-copies a snapshot.
func (s *Snapshot) clone() Snapshot {
	c := *s
	c.Recent = slices.Clone(s.Recent)
	c.Logs = make([][]string, len(s.Logs))
	for i, l := range s.Logs {
		c.Logs[i] = slices.Clone(l)
	}
	c.Groups = make(map[string]*Group, len(s.Groups))
	//faultline:orderless copying into another map
	for k, g := range s.Groups {
		c.Groups[k] = &Group{Gen: g.Gen, Members: slices.Clone(g.Members), Committed: slices.Clone(g.Committed)}
	}
	c.Sinks = make(map[string][]string, len(s.Sinks))
	//faultline:orderless copying into another map
	for k, v := range s.Sinks {
		c.Sinks[k] = slices.Clone(v)
	}
	c.Dedup = make(map[string]map[string]bool, len(s.Dedup))
	//faultline:orderless copying into another map
	for k, v := range s.Dedup {
		m := make(map[string]bool, len(v))
		//faultline:orderless copying into another map
		for id := range v {
			m[id] = true
		}
		c.Dedup[k] = m
	}
	c.Sessions = make(map[nodes.ID]Session, len(s.Sessions))
	//faultline:orderless copying into another map
	for k, v := range s.Sessions {
		v.Result = v.Result.clone()
		c.Sessions[k] = v
	}
	return c
}

func (r Result) clone() Result {
	r.Assigned = slices.Clone(r.Assigned)
	r.Committed = slices.Clone(r.Committed)
	r.Msgs = slices.Clone(r.Msgs)
	return r
}

// Hash is the hash chain after the last op (0 for none).
func (s *Snapshot) Hash() uint64 {
	if len(s.Recent) == 0 {
		return 0
	}
	return s.Recent[len(s.Recent)-1]
}

// apply runs one operation as op OpNum+1: the session table answers a
// retry (client 0 is the primary's own OpExpire, which has none); anything
// else executes.
func (s *Snapshot) apply(client nodes.ID, seq uint64, op *Op) Result {
	s.OpNum++
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.Hash())
	h.Write(b[:])
	fmt.Fprintf(h, "%d/%d/%+v", client, seq, *op)
	s.Recent = append(s.Recent, h.Sum64())
	if len(s.Recent) > recentHashes {
		s.Recent = append(s.Recent[:0], s.Recent[len(s.Recent)-recentHashes:]...)
	}
	if client == 0 {
		return s.execute(client, op)
	}
	if ss, ok := s.Sessions[client]; ok && ss.Seq == seq {
		return ss.Result.clone()
	}
	res := s.execute(client, op)
	s.Sessions[client] = Session{Seq: seq, Result: res.clone()}
	return res
}

// grow extends the topic to n partitions.
func (s *Snapshot) grow(n int) {
	for len(s.Logs) < n {
		s.Logs = append(s.Logs, nil)
	}
	for _, name := range s.groupNames() {
		g := s.Groups[name]
		for len(g.Committed) < len(s.Logs) {
			g.Committed = append(g.Committed, 0)
		}
	}
}

func (s *Snapshot) groupNames() []string {
	names := make([]string, 0, len(s.Groups))
	for k := range s.Groups { //faultline:orderless collecting keys to sort
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func (s *Snapshot) group(name string) *Group {
	g := s.Groups[name]
	if g == nil {
		g = &Group{Committed: make([]uint64, len(s.Logs))}
		s.Groups[name] = g
	}
	return g
}

// assignment is what a member of g owns, with the committed offsets.
func (g *Group) assignment(member nodes.ID) Result {
	r := Result{Status: StatusOK, Gen: g.Gen}
	for p := range g.Committed {
		if g.Owner(p) == member {
			r.Assigned = append(r.Assigned, p)
			r.Committed = append(r.Committed, g.Committed[p])
		}
	}
	return r
}

// owns reports whether member owns partition p in generation gen.
func (g *Group) owns(member nodes.ID, gen uint64, p int) bool {
	return g.Gen == gen && p >= 0 && p < len(g.Committed) && g.Owner(p) == member
}

// execute performs op.
func (s *Snapshot) execute(client nodes.ID, op *Op) Result {
	s.grow(op.Partitions)
	switch op.Code {
	case OpProduce:
		if op.Partition < 0 || op.Partition >= len(s.Logs) {
			panic(fmt.Sprintf("queue: produce to partition %d of %d", op.Partition, len(s.Logs)))
		}
		s.Logs[op.Partition] = append(s.Logs[op.Partition], op.Msg)
		return Result{Status: StatusOK, Offset: uint64(len(s.Logs[op.Partition]) - 1)}
	case OpJoin:
		g := s.group(op.Group)
		if _, ok := slices.BinarySearch(g.Members, client); !ok {
			g.Members = append(g.Members, client)
			slices.Sort(g.Members)
			g.Gen++
		} else if op.Gen == 0 {
			g.Gen++ // a new incarnation: fence the old one's work
		}
		return g.assignment(client)
	case OpExpire:
		g := s.group(op.Group)
		if i, ok := slices.BinarySearch(g.Members, op.Member); ok {
			g.Members = slices.Delete(g.Members, i, i+1)
			g.Gen++
		}
		return Result{Status: StatusOK, Gen: g.Gen}
	case OpFetch, OpCommit:
		g := s.group(op.Group)
		if !g.owns(client, op.Gen, op.Partition) {
			return Result{Status: StatusFenced, Gen: g.Gen}
		}
		if op.Code == OpCommit {
			g.Committed[op.Partition] = op.Offset
			return Result{Status: StatusOK, Gen: g.Gen}
		}
		l := s.Logs[op.Partition]
		from := min(op.Offset, uint64(len(l)))
		to := min(from+uint64(op.Max), uint64(len(l)))
		return Result{Status: StatusOK, Gen: g.Gen, Offset: from, Msgs: slices.Clone(l[from:to])}
	case OpEffect:
		d := s.Dedup[op.Group]
		if d == nil {
			d = map[string]bool{}
			s.Dedup[op.Group] = d
		}
		if d[op.Msg] {
			return Result{Status: StatusOK, Dup: true}
		}
		// The effect and its dedup entry change together, in one
		// operation of the replicated state: one write, one sync.
		d[op.Msg] = true
		s.Sinks[op.Group] = append(s.Sinks[op.Group], op.Msg)
		return Result{Status: StatusOK}
	case OpSink:
		return Result{Status: StatusOK, Msgs: slices.Clone(s.Sinks[op.Group])}
	}
	panic(fmt.Sprintf("queue: unknown operation %v", op.Code))
}
