package nemesis

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// Partition splits the servers into groups that cannot exchange messages
// (in either direction); clients still reach every server.
//
//	partition halves          a random split into ⌊n/2⌋ and ⌈n/2⌉
//	partition majority        a random majority against the rest
//	partition minority        a random minority against the rest
//	partition n1,n2           the listed servers against the rest
//	partition n1|n2,n3        several listed groups; the rest form one more
type Partition struct {
	Halves bool
	// Groups: one target (the rest form the other side), or two or more
	// explicit lists (the rest, if any, form one more group).
	Groups []Target
}

func (Partition) Kind() string { return "partition" }

func (p Partition) String() string {
	if p.Halves {
		return "partition halves"
	}
	parts := make([]string, len(p.Groups))
	for i, g := range p.Groups {
		parts[i] = g.String()
	}
	return "partition " + strings.Join(parts, "|")
}

func parsePartition(in []string) (Fault, error) {
	// Groups may be written with spaces around the bars.
	s := strings.Join(in, "")
	switch s {
	case "":
		return nil, fmt.Errorf("missing sides (halves, a target, or groups such as n1,n2|n3)")
	case "halves":
		return Partition{Halves: true}, nil
	case "all":
		return nil, fmt.Errorf("partition all leaves nobody on the other side")
	}
	var p Partition
	for _, part := range strings.Split(s, "|") {
		t, err := ParseTarget(part)
		if err != nil {
			return nil, err
		}
		p.Groups = append(p.Groups, t)
	}
	if len(p.Groups) > 1 {
		seen := map[nodes.ID]bool{}
		for _, g := range p.Groups {
			if g.Abstract() {
				return nil, fmt.Errorf("group %q: several groups must list server ids (n1,n2|n3)", g)
			}
			for _, id := range g.IDs {
				if seen[id] {
					return nil, fmt.Errorf("%v is in two groups", id)
				}
				seen[id] = true
			}
		}
		slices.SortFunc(p.Groups, func(a, b Target) int { return int(a.IDs[0]) - int(b.IDs[0]) })
	}
	return p, nil
}

func (p Partition) Check(n int) error {
	for _, g := range p.Groups {
		if err := g.check(n); err != nil {
			return err
		}
	}
	return nil
}

func (p Partition) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	res := &resolver{w, r, len(w.Servers())}
	n := res.n
	group := make([]int, n+1) // 0: the rest
	abstract := p.Halves
	switch {
	case p.Halves:
		for _, i := range r.Perm(n)[:n/2] {
			group[i+1] = 1
		}
	default:
		for gi, g := range p.Groups {
			abstract = abstract || g.Abstract()
			ids, err := res.nodes(g, anyServer, nil)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				group[id] = gi + 1
			}
		}
	}
	text, groups := groupsText(group)
	if groups < 2 {
		return nil, skipf("every server is on one side")
	}
	cuts := pairs(group)
	plan := &Plan{Fault: p, Cuts: cuts}
	if abstract {
		plan.Resolved = text
	}
	plan.start = func(x *ctx) func() {
		return x.install(newRule(p.String(), n, cuts, dropAll), true)
	}
	return plan, nil
}

// groupsText renders groups as n1,n3|n2,n4,n5, each group sorted, groups
// ordered by their first server; it also returns the number of non-empty
// groups.
func groupsText(group []int) (string, int) {
	var lists [][]nodes.ID
	index := map[int]int{}
	for id := 1; id < len(group); id++ {
		g := group[id]
		i, ok := index[g]
		if !ok {
			i = len(lists)
			index[g] = i
			lists = append(lists, nil)
		}
		lists[i] = append(lists[i], nodes.NodeID(id))
	}
	parts := make([]string, len(lists))
	for i, l := range lists {
		parts[i] = idList(l)
	}
	return strings.Join(parts, "|"), len(lists)
}

// Isolate cuts each target server off from every other server: isolate
// n1,n2 leaves n1 alone, n2 alone and the rest together.
type Isolate struct{ Target Target }

func (Isolate) Kind() string        { return "isolate" }
func (f Isolate) String() string    { return "isolate " + f.Target.String() }
func (f Isolate) Check(n int) error { return f.Target.check(n) }

func parseIsolate(in []string) (Fault, error) {
	a := args{in}
	t, err := a.target()
	if err != nil {
		return nil, err
	}
	return Isolate{t}, a.done()
}

func (f Isolate) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	res := &resolver{w, r, len(w.Servers())}
	ids, err := res.nodes(f.Target, anyServer, nil)
	if err != nil {
		return nil, err
	}
	group := make([]int, res.n+1)
	for _, id := range ids {
		group[id] = int(id)
	}
	if _, groups := groupsText(group); groups < 2 {
		return nil, skipf("isolating %s leaves nobody to be isolated from", idList(ids))
	}
	cuts := pairs(group)
	plan := &Plan{Fault: f, Cuts: cuts}
	if f.Target.Abstract() {
		plan.Resolved = idList(ids)
	}
	if len(ids) == 1 {
		plan.Node = ids[0]
	}
	plan.start = func(x *ctx) func() {
		return x.install(newRule(f.String(), res.n, cuts, dropAll), true)
	}
	return plan, nil
}

// Bridge splits the servers into two sides that reach each other only
// through one bridge server, which sees everybody. Needs three servers.
type Bridge struct{}

func (Bridge) Kind() string    { return "bridge" }
func (Bridge) String() string  { return "bridge" }
func (Bridge) Check(int) error { return nil }

var parseBridge = noArgs(Bridge{})

func (f Bridge) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	n := len(w.Servers())
	if n < 3 {
		return nil, skipf("bridge needs three servers, the cluster has %d", n)
	}
	perm := r.Perm(n)
	group := make([]int, n+1)
	bridge := nodes.NodeID(perm[0] + 1)
	var a, b []nodes.ID
	for i, p := range perm[1:] {
		id := nodes.NodeID(p + 1)
		if i < (n-1)/2 {
			group[id] = 1
			a = append(a, id)
		} else {
			group[id] = 2
			b = append(b, id)
		}
	}
	group[bridge] = 0
	var cuts []Link
	for _, l := range pairs(group) {
		if l.From != bridge && l.To != bridge {
			cuts = append(cuts, l)
		}
	}
	slices.Sort(a)
	slices.Sort(b)
	plan := &Plan{Fault: f, Cuts: cuts, Resolved: idList(a) + "|" + idList(b) + " via " + bridge.String()}
	plan.start = func(x *ctx) func() {
		return x.install(newRule(f.String(), n, cuts, dropAll), true)
	}
	return plan, nil
}

// Ring arranges the servers in a random ring in which each server reaches
// only its nearest neighbours: enough of them to see a majority (itself
// included), but no two servers see the same majority. Needs four servers
// to cut anything.
type Ring struct{}

func (Ring) Kind() string    { return "ring" }
func (Ring) String() string  { return "ring" }
func (Ring) Check(int) error { return nil }

var parseRing = noArgs(Ring{})

func (f Ring) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	n := len(w.Servers())
	reach := (n/2 + 1) / 2 // neighbours on each side: 1+2·reach ≥ majority
	perm := r.Perm(n)
	pos := make([]int, n+1)
	order := make([]string, n)
	for i, p := range perm {
		pos[p+1] = i
		order[i] = nodes.NodeID(p + 1).String()
	}
	var cuts []Link
	for a := 1; a <= n; a++ {
		for b := 1; b <= n; b++ {
			d := pos[a] - pos[b]
			if d < 0 {
				d = -d
			}
			d = min(d, n-d)
			if d > reach {
				cuts = append(cuts, Link{nodes.NodeID(a), nodes.NodeID(b)})
			}
		}
	}
	if len(cuts) == 0 {
		return nil, skipf("a ring of %d servers cuts nothing", n)
	}
	plan := &Plan{Fault: f, Cuts: cuts, Resolved: strings.Join(order, "-")}
	plan.start = func(x *ctx) func() {
		return x.install(newRule(f.String(), n, cuts, dropAll), true)
	}
	return plan, nil
}

// Cut drops every message on the selected links, typically one way:
// cut n1->n3 stops n1's messages to n3 while n3 still reaches n1.
type Cut struct{ Links Links }

func (Cut) Kind() string        { return "cut" }
func (f Cut) String() string    { return "cut " + f.Links.String() }
func (f Cut) Check(n int) error { return f.Links.check(n) }

func parseCut(in []string) (Fault, error) {
	a := args{in}
	s, err := a.next("links (such as n1->n3, n1<->n2 or all)")
	if err != nil {
		return nil, err
	}
	l, err := ParseLinks(s)
	if err != nil {
		return nil, err
	}
	return Cut{l}, a.done()
}

func (f Cut) Plan(w *sim.Sim, r *rand.Rand) (*Plan, error) {
	res := &resolver{w, r, len(w.Servers())}
	links, text, err := res.links(f.Links)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Fault: f, Cuts: links}
	if f.Links.abstract() {
		plan.Resolved = text
	}
	plan.start = func(x *ctx) func() {
		return x.install(newRule(f.String(), res.n, links, dropAll), true)
	}
	return plan, nil
}

func genPartition(g *genCtx) Fault {
	switch g.r.IntN(4) {
	case 0:
		return Partition{Halves: true}
	case 1:
		return Partition{Groups: []Target{One}}
	case 2:
		return Partition{Groups: []Target{g.target(Leader)}}
	}
	return Partition{Groups: []Target{Majority}}
}

func genIsolate(g *genCtx) Fault { return Isolate{g.pick(One, Leader)} }

func genBridge(*genCtx) Fault { return Bridge{} }

func genRing(*genCtx) Fault { return Ring{} }

func genCut(g *genCtx) Fault {
	return Cut{OneWay(g.pick(One, Leader), g.pick(One, Minority, All))}
}
