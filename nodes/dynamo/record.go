package dynamo

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"

	"github.com/faultline/faultline/nodes"
)

// Version orders the writes of a key, last writer wins: a Lamport counter,
// then the coordinator that chose it.
type Version struct {
	Counter uint64
	Node    nodes.ID
}

func (v Version) String() string { return fmt.Sprintf("(%d,%v)", v.Counter, v.Node) }

// Record is one server's state of one key: the newest write it holds. The
// zero Record (Exists false) is a key never written. Client and Seq name
// the client operation that wrote it. Sessions is the key's session table:
// for every client that wrote the key, the highest Seq it wrote with,
// sorted by client and carried from each version to the next, so an
// attempt of a client operation that already took effect (a retry through
// another coordinator, a late forward) is recognised and not applied
// again.
type Record struct {
	Key      string
	Version  Version
	Value    string
	Exists   bool
	Client   nodes.ID
	Seq      uint64
	Sessions []Session
}

// Session is one client's entry in a key's session table.
type Session struct {
	Client nodes.ID
	Seq    uint64
}

// applied reports whether client's operation seq (or a later one) wrote
// this version or an earlier one it descends from.
func (r Record) applied(client nodes.ID, seq uint64) bool {
	i, ok := slices.BinarySearchFunc(r.Sessions, client, func(s Session, c nodes.ID) int { return cmp.Compare(s.Client, c) })
	return ok && r.Sessions[i].Seq >= seq
}

// sessionsWith returns r's session table with client's entry set to seq.
func (r Record) sessionsWith(client nodes.ID, seq uint64) []Session {
	out := slices.Clone(r.Sessions)
	i, ok := slices.BinarySearchFunc(out, client, func(s Session, c nodes.ID) int { return cmp.Compare(s.Client, c) })
	if ok {
		out[i].Seq = max(out[i].Seq, seq)
		return out
	}
	return slices.Insert(out, i, Session{client, seq})
}

// Less orders records: by version, then (two writes a restarted or
// concurrent coordinator gave the same version) by value and writer, so
// every replica resolves any two records the same way.
func (r Record) Less(o Record) bool {
	switch {
	case r.Version.Counter != o.Version.Counter:
		return r.Version.Counter < o.Version.Counter
	case r.Version.Node != o.Version.Node:
		return r.Version.Node < o.Version.Node
	case r.Exists != o.Exists:
		return !r.Exists
	case r.Value != o.Value:
		return r.Value < o.Value
	case r.Client != o.Client:
		return r.Client < o.Client
	}
	return r.Seq < o.Seq
}

// Same reports whether two records are the same write.
func (r Record) Same(o Record) bool { return !r.Less(o) && !o.Less(r) }

func (r Record) String() string {
	if !r.Exists {
		return "none"
	}
	return fmt.Sprintf("%v%q", r.Version, r.Value)
}

// sum is the digest anti-entropy compares: records with equal sums are
// the same write (up to an FNV collision).
func (r Record) sum() uint64 {
	return fnv64(fmt.Sprintf("%d/%d/%t/%s/%d/%d", r.Version.Counter, r.Version.Node, r.Exists, r.Value, r.Client, r.Seq))
}

// Files: "d:<key>" holds a replica's record of key; "h:<owner>:<key>" a
// hint, the record a stand-in keeps for owner.
const (
	dataPrefix = "d:"
	hintPrefix = "h:"
)

func dataFile(key string) string               { return dataPrefix + key }
func hintFile(owner nodes.ID, k string) string { return fmt.Sprintf("%s%v:%s", hintPrefix, owner, k) }

var errCorrupt = errors.New("dynamo: corrupt record")

// encode: owner (0 for a replica record), key, counter, node, exists,
// value, client, seq, then a CRC-32 of the rest.
func encode(owner nodes.ID, r Record) []byte {
	var b []byte
	b = binary.AppendUvarint(b, uint64(owner))
	b = binary.AppendUvarint(b, uint64(len(r.Key)))
	b = append(b, r.Key...)
	b = binary.AppendUvarint(b, r.Version.Counter)
	b = binary.AppendUvarint(b, uint64(r.Version.Node))
	ex := uint64(0)
	if r.Exists {
		ex = 1
	}
	b = binary.AppendUvarint(b, ex)
	b = binary.AppendUvarint(b, uint64(len(r.Value)))
	b = append(b, r.Value...)
	b = binary.AppendUvarint(b, uint64(r.Client))
	b = binary.AppendUvarint(b, r.Seq)
	b = binary.AppendUvarint(b, uint64(len(r.Sessions)))
	for _, x := range r.Sessions {
		b = binary.AppendUvarint(b, uint64(x.Client))
		b = binary.AppendUvarint(b, x.Seq)
	}
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func decode(b []byte) (owner nodes.ID, r Record, err error) {
	if len(b) < 4 || crc32.ChecksumIEEE(b[:len(b)-4]) != binary.BigEndian.Uint32(b[len(b)-4:]) {
		return 0, r, errCorrupt
	}
	b = b[:len(b)-4]
	next := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			err = errCorrupt
			return 0
		}
		b = b[n:]
		return v
	}
	str := func() string {
		l := next()
		if err != nil || uint64(len(b)) < l {
			err = errCorrupt
			return ""
		}
		s := string(b[:l])
		b = b[l:]
		return s
	}
	owner = nodes.ID(next())
	r.Key = str()
	r.Version.Counter = next()
	r.Version.Node = nodes.ID(next())
	r.Exists = next() == 1
	r.Value = str()
	r.Client = nodes.ID(next())
	r.Seq = next()
	for k := next(); k > 0 && err == nil; k-- {
		r.Sessions = append(r.Sessions, Session{nodes.ID(next()), next()})
	}
	return owner, r, err
}
