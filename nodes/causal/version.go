package causal

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/faultline/faultline/nodes"
)

// Stamp orders the versions of a key, last writer wins: the write's
// Lamport time, then the client that wrote it, then the client's sequence
// number. It is derived from the request alone (Time is the client
// context's time plus one), so every copy of one write — a retry at
// another replica, a late duplicate — carries the same stamp, and the
// write takes effect once. The zero Stamp is "never written".
type Stamp struct {
	Time   uint64
	Client nodes.ID
	Seq    uint64
}

// Less orders stamps by Time, then Client, then Seq.
func (a Stamp) Less(b Stamp) bool {
	switch {
	case a.Time != b.Time:
		return a.Time < b.Time
	case a.Client != b.Client:
		return a.Client < b.Client
	}
	return a.Seq < b.Seq
}

// IsZero reports the stamp of a key never written.
func (a Stamp) IsZero() bool { return a == Stamp{} }

// String renders a stamp as "12/c3/4" (time, client, seq).
func (a Stamp) String() string {
	return strconv.FormatUint(a.Time, 10) + "/" + a.Client.String() + "/" + strconv.FormatUint(a.Seq, 10)
}

func parseStamp(s string) (Stamp, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return Stamp{}, fmt.Errorf("stamp %q: want time/client/seq", s)
	}
	t, err1 := strconv.ParseUint(parts[0], 10, 64)
	c, ok := nodes.ParseID(parts[1])
	q, err2 := strconv.ParseUint(parts[2], 10, 64)
	if err1 != nil || !ok || !c.IsClient() || err2 != nil {
		return Stamp{}, fmt.Errorf("stamp %q: want time/client/seq", s)
	}
	return Stamp{Time: t, Client: c, Seq: q}, nil
}

// Deps are a write's dependencies, or a session's causal past: per key,
// the highest stamp seen. A replica has them visible when its version of
// every key is at least the stamp (a later version of a key covers an
// earlier one: last writer wins orders them so).
type Deps map[string]Stamp

// Observe raises key's entry to at least s.
func (d Deps) Observe(key string, s Stamp) {
	if cur, ok := d[key]; !ok || cur.Less(s) {
		d[key] = s
	}
}

// Clone returns a copy of d (never nil).
func (d Deps) Clone() Deps {
	c := maps.Clone(d)
	if c == nil {
		c = Deps{}
	}
	return c
}

// Version is one write of a key: its value, stamp and dependencies: the
// writer's whole causal past when it wrote, per key (transitively closed:
// the past of every version in it is in it too), its own key left out.
type Version struct {
	Key   string
	Value string
	Stamp Stamp
	Deps  Deps `json:",omitempty"`
}

func (x Version) String() string {
	s := fmt.Sprintf("%q=%q@%v", x.Key, x.Value, x.Stamp)
	if len(x.Deps) > 0 {
		s += " deps " + x.Deps.String()
	}
	return s
}

func (x Version) clone() Version { x.Deps = maps.Clone(x.Deps); return x }

// String renders deps in key order: `"k1"=12/c3/4 "k2"=7/c1/2`.
func (d Deps) String() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(d)) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(k) + "=" + d[k].String())
	}
	return b.String()
}

// Context is a client's session as it travels in kv.Request.Context: its
// Lamport time (the highest time of any replica that has answered it), its
// causal past, and the replica that answered it last.
type Context struct {
	Time    uint64
	Deps    Deps
	Replica nodes.ID
}

// Encode renders the context as text: `L12@n2 "k1"=12/c3/4 "k2"=7/c1/2`.
func (c Context) Encode() string {
	s := "L" + strconv.FormatUint(c.Time, 10)
	if c.Replica != 0 {
		s += "@" + c.Replica.String()
	}
	if len(c.Deps) > 0 {
		s += " " + c.Deps.String()
	}
	return s
}

// DecodeContext reads what Encode writes; "" is the empty context.
func DecodeContext(s string) (Context, error) {
	c := Context{Deps: Deps{}}
	if s == "" {
		return c, nil
	}
	head, rest, _ := strings.Cut(s, " ")
	head, replica, hasReplica := strings.Cut(head, "@")
	t, err := strconv.ParseUint(strings.TrimPrefix(head, "L"), 10, 64)
	if err != nil || !strings.HasPrefix(head, "L") {
		return c, fmt.Errorf("causal: context %q: want L<time>[@<replica>] first", s)
	}
	c.Time = t
	if hasReplica {
		id, ok := nodes.ParseID(replica)
		if !ok || id.IsClient() {
			return c, fmt.Errorf("causal: context %q: %q is not a replica", s, replica)
		}
		c.Replica = id
	}
	for rest != "" {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return c, fmt.Errorf("causal: context %q: want a quoted key at %q", s, rest)
		}
		key, _ := strconv.Unquote(q)
		rest = rest[len(q):]
		if !strings.HasPrefix(rest, "=") {
			return c, fmt.Errorf("causal: context %q: want = after key %q", s, key)
		}
		var st string
		st, rest, _ = strings.Cut(rest[1:], " ")
		stamp, err := parseStamp(st)
		if err != nil {
			return c, fmt.Errorf("causal: context %q: %v", s, err)
		}
		c.Deps[key] = stamp
	}
	return c, nil
}
