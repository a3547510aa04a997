package nemesis

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// TargetKind is the shape of a Target.
type TargetKind uint8

const (
	targetNone TargetKind = iota
	// TargetList is an explicit list of servers: n1,n3.
	TargetList
	// TargetOne is one server drawn at random.
	TargetOne
	// TargetMinority is n - (n/2+1) servers drawn at random: the most that
	// may fail while a majority survives.
	TargetMinority
	// TargetMajority is n/2+1 servers drawn at random.
	TargetMajority
	// TargetAll is every server.
	TargetAll
	// TargetLeader is the server whose node reports nodes.LeaderReporter
	// IsLeader (drawn at random if several claim it).
	TargetLeader
	// TargetLeaderOrOne is the leader, or one server drawn at random when
	// no server reports leadership at the instant the fault starts (an
	// election under way, a leaderless moment): the fault still hits,
	// where a leader target would be skipped. Generated schedules use it
	// with GenOptions.LeaderFallback.
	TargetLeaderOrOne
)

var targetWords = [...]string{"", "", "one", "minority", "majority", "all", "leader", "leader-or-one"}

// Target names the servers a fault hits. Abstract targets are resolved
// when the fault starts, drawing from the nemesis stream; clients are never
// targets.
type Target struct {
	Kind TargetKind
	IDs  []nodes.ID // TargetList only: sorted, no duplicates
}

// Convenience targets.
var (
	One      = Target{Kind: TargetOne}
	Minority = Target{Kind: TargetMinority}
	Majority = Target{Kind: TargetMajority}
	All      = Target{Kind: TargetAll}
	Leader   = Target{Kind: TargetLeader}
	// LeaderOrOne is the leader, else one server (TargetLeaderOrOne).
	LeaderOrOne = Target{Kind: TargetLeaderOrOne}
)

// Nodes returns the explicit target ids (sorted, deduplicated).
func Nodes(ids ...nodes.ID) Target {
	s := slices.Clone(ids)
	slices.Sort(s)
	return Target{Kind: TargetList, IDs: slices.Compact(s)}
}

// Abstract reports whether the target is resolved at run time.
func (t Target) Abstract() bool { return t.Kind != TargetList }

func (t Target) String() string {
	if t.Kind == TargetList {
		return idList(t.IDs)
	}
	if int(t.Kind) < len(targetWords) && t.Kind != targetNone {
		return targetWords[t.Kind]
	}
	return "?"
}

func idList(ids []nodes.ID) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	return b.String()
}

// ParseTarget reads one, minority, majority, all, leader, leader-or-one or a comma-separated
// list of server ids (n1,n3).
func ParseTarget(s string) (Target, error) {
	for k, w := range targetWords {
		if w != "" && s == w {
			return Target{Kind: TargetKind(k)}, nil
		}
	}
	ids, err := parseIDs(s)
	if err != nil {
		return Target{}, err
	}
	return Nodes(ids...), nil
}

func parseIDs(s string) ([]nodes.ID, error) {
	if s == "" {
		return nil, fmt.Errorf("missing target (want one, minority, majority, all, leader or server ids such as n1,n3)")
	}
	var ids []nodes.ID
	for _, part := range strings.Split(s, ",") {
		id, ok := nodes.ParseID(part)
		switch {
		case ok && id.IsClient():
			return nil, fmt.Errorf("target %q: %s is a client; faults target servers only", s, part)
		case !ok:
			return nil, fmt.Errorf("bad target %q (want one, minority, majority, all, leader or server ids such as n1,n3)", s)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// check reports explicit ids outside n1..nN.
func (t Target) check(n int) error {
	for _, id := range t.IDs {
		if int(id) > n {
			return fmt.Errorf("target %v is out of range (servers n1..n%d)", id, n)
		}
	}
	return nil
}

// size is how many servers an abstract target picks in a cluster of n.
func (t Target) size(n int) int {
	maj := n/2 + 1
	switch t.Kind {
	case TargetOne, TargetLeader, TargetLeaderOrOne:
		return 1
	case TargetMinority:
		return n - maj
	case TargetMajority:
		return maj
	}
	return n
}

// Links selects directed server-to-server links: all of them, From->To (one
// way) or From<->To (both ways). Links from a server to itself never count.
type Links struct {
	From, To Target // zero From: every link
	Both     bool
}

// AllLinks selects every link between servers.
var AllLinks = Links{}

// OneWay returns the links from every node of from to every node of to.
func OneWay(from, to Target) Links { return Links{From: from, To: to} }

// BothWays returns the links between from and to in both directions.
func BothWays(from, to Target) Links { return Links{From: from, To: to, Both: true} }

// IsAll reports whether l selects every link.
func (l Links) IsAll() bool { return l.From.Kind == targetNone }

func (l Links) String() string {
	if l.IsAll() {
		return "all"
	}
	arrow := "->"
	if l.Both {
		arrow = "<->"
	}
	return l.From.String() + arrow + l.To.String()
}

// ParseLinks reads all, A->B or A<->B where A and B are targets.
func ParseLinks(s string) (Links, error) {
	if s == "all" {
		return AllLinks, nil
	}
	l := Links{}
	a, b, ok := strings.Cut(s, "<->")
	if ok {
		l.Both = true
	} else if a, b, ok = strings.Cut(s, "->"); !ok {
		return Links{}, fmt.Errorf("bad links %q (want all, A->B or A<->B, such as n1->n3)", s)
	}
	var err error
	if l.From, err = ParseTarget(a); err != nil {
		return Links{}, fmt.Errorf("links %q: %v", s, err)
	}
	if l.To, err = ParseTarget(b); err != nil {
		return Links{}, fmt.Errorf("links %q: %v", s, err)
	}
	return l, nil
}

func (l Links) check(n int) error {
	if err := l.From.check(n); err != nil {
		return err
	}
	return l.To.check(n)
}

func (l Links) abstract() bool { return !l.IsAll() && (l.From.Abstract() || l.To.Abstract()) }

// Link is one directed server-to-server link.
type Link struct{ From, To nodes.ID }

func (l Link) String() string { return l.From.String() + "->" + l.To.String() }

// resolver turns targets into servers at the instant a fault starts.
type resolver struct {
	w *sim.Sim
	r *rand.Rand
	n int
}

// skipError is a fault that cannot start now (no leader, nobody eligible,
// the recoverability budget): the nemesis records it and moves on.
type skipError struct{ reason string }

func (e *skipError) Error() string { return e.reason }

func skipf(format string, args ...any) error { return &skipError{fmt.Sprintf(format, args...)} }

// IsSkip reports whether err says a fault was skipped rather than broken.
func IsSkip(err error) bool {
	_, ok := err.(*skipError)
	return ok
}

// eligibility filters the servers an abstract target may pick.
type eligibility uint8

const (
	anyServer   eligibility = iota
	upServers               // running and not paused
	downServers             // crashed
)

func (res *resolver) eligible(e eligibility, id nodes.ID) bool {
	switch e {
	case upServers:
		return res.w.IsUp(id) && !res.w.IsPaused(id)
	case downServers:
		return !res.w.IsUp(id)
	}
	return true
}

// nodes resolves t to a sorted list of servers, excluding those in not.
func (res *resolver) nodes(t Target, e eligibility, not []nodes.ID) ([]nodes.ID, error) {
	if t.Kind == TargetList {
		if err := t.check(res.n); err != nil {
			return nil, err
		}
		return slices.Clone(t.IDs), nil
	}
	var pool []nodes.ID
	for i := 1; i <= res.n; i++ {
		id := nodes.NodeID(i)
		if res.eligible(e, id) && !slices.Contains(not, id) {
			pool = append(pool, id)
		}
	}
	if t.Kind == TargetLeader {
		return res.leader(pool)
	}
	if t.Kind == TargetLeaderOrOne {
		if ids, err := res.leader(pool); err == nil || len(pool) == 0 {
			return ids, err
		}
		return []nodes.ID{pool[res.r.IntN(len(pool))]}, nil
	}
	k := min(t.size(res.n), len(pool))
	if k == 0 {
		return nil, skipf("target %v: no eligible server", t)
	}
	if t.Kind == TargetAll {
		return pool, nil
	}
	for i := 0; i < k; i++ {
		j := i + res.r.IntN(len(pool)-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	out := pool[:k]
	slices.Sort(out)
	return out, nil
}

func (res *resolver) leader(pool []nodes.ID) ([]nodes.ID, error) {
	var leaders []nodes.ID
	reporting := false
	for _, id := range pool {
		lr, ok := res.w.Node(id).(nodes.LeaderReporter)
		if !ok {
			continue
		}
		reporting = true
		if lr.IsLeader() {
			leaders = append(leaders, id)
		}
	}
	switch {
	case len(leaders) == 1:
		return leaders, nil
	case len(leaders) > 1:
		return []nodes.ID{leaders[res.r.IntN(len(leaders))]}, nil
	case !reporting:
		return nil, skipf("target leader: no eligible node reports leadership (nodes.LeaderReporter)")
	}
	return nil, skipf("target leader: no node is leader now")
}

// links resolves l to the directed links it selects, in (from, to) order,
// and renders the resolution as sides: n2<->n1,n3,n4,n5.
func (res *resolver) links(l Links) ([]Link, string, error) {
	var from, to []nodes.ID
	if l.IsAll() {
		from, _ = res.nodes(All, anyServer, nil)
		to = from
	} else {
		var err error
		if from, err = res.nodes(l.From, anyServer, nil); err != nil {
			return nil, "", err
		}
		var not []nodes.ID
		if l.To.Abstract() {
			not = from
		}
		if to, err = res.nodes(l.To, anyServer, not); err != nil {
			return nil, "", err
		}
	}
	var out []Link
	add := func(a, b nodes.ID) {
		if a != b && !slices.Contains(out, Link{a, b}) {
			out = append(out, Link{a, b})
		}
	}
	for _, a := range from {
		for _, b := range to {
			add(a, b)
			if l.Both {
				add(b, a)
			}
		}
	}
	slices.SortFunc(out, func(x, y Link) int {
		if x.From != y.From {
			return int(x.From) - int(y.From)
		}
		return int(x.To) - int(y.To)
	})
	if len(out) == 0 {
		return nil, "", skipf("links %v: no link between distinct servers", l)
	}
	if l.IsAll() {
		return out, "", nil
	}
	resolved := Links{From: Nodes(from...), To: Nodes(to...), Both: l.Both}
	return out, resolved.String(), nil
}
