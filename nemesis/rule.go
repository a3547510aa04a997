package nemesis

import (
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// rule is the one sim.Rule behind every network fault: a set of directed
// server links and a verdict for packets on them. Packets on other links
// (and every packet to or from a client) pass without a draw, so a rule on
// one link never reshuffles the network stream for the others.
type rule struct {
	text  string
	n     int
	on    []bool // on[from*(n+1)+to]
	judge func(r *rand.Rand) sim.Verdict
	// clients: a client's packets are judged as its home server's (see
	// Options.ClientsFollowPartitions).
	clients bool
	// typ, if set, limits the rule to messages of that type (DropType).
	typ string
}

func newRule(text string, n int, links []Link, judge func(r *rand.Rand) sim.Verdict) *rule {
	ru := &rule{text: text, n: n, on: make([]bool, (n+1)*(n+1)), judge: judge}
	for _, l := range links {
		ru.on[int(l.From)*(n+1)+int(l.To)] = true
	}
	return ru
}

func (ru *rule) Judge(p *sim.Packet, r *rand.Rand) sim.Verdict {
	if ru.typ != "" && p.Type != ru.typ {
		return sim.Verdict{}
	}
	f, t := int(p.From), int(p.To)
	if ru.clients && p.From.IsClient() != p.To.IsClient() {
		f, t = ru.side(p.From), ru.side(p.To)
		if f == t {
			return sim.Verdict{} // a client and its home server
		}
	}
	if f < 1 || t < 1 || f > ru.n || t > ru.n || !ru.on[f*(ru.n+1)+t] {
		return sim.Verdict{}
	}
	return ru.judge(r)
}

func (ru *rule) String() string { return ru.text }

// side is the server whose side of a partition id is on: itself, or for
// client ci its home server n((i-1) mod N + 1) — the one a kv client with
// route fixed talks to.
func (ru *rule) side(id nodes.ID) int {
	if id.IsClient() {
		return (id.Index()-1)%ru.n + 1
	}
	return int(id)
}

// partition marks a partition-family rule: under
// Options.ClientsFollowPartitions it cuts clients off with their home
// servers.
func (x *ctx) partition(ru *rule) *rule {
	ru.clients = x.clientsFollow
	return ru
}

// install adds the rule (at the front of the list for cuts, drops and
// clogs, which must win over delays; at the end otherwise) and returns the
// function that removes it. Removing a clog releases what it held.
func (x *ctx) install(ru *rule, front bool) func() {
	var h sim.RuleHandle
	if front {
		h = x.w.InsertRule(ru)
	} else {
		h = x.w.AddRule(ru)
	}
	return func() { x.must(x.w.RemoveRule(h)) }
}

func dropAll(*rand.Rand) sim.Verdict { return sim.Verdict{Action: sim.Drop} }

func holdAll(*rand.Rand) sim.Verdict { return sim.Verdict{Action: sim.Hold} }

// deliver is a Deliver verdict that keeps the base link's own loss and
// duplication: a Deliver verdict bypasses them in the simulator, and a
// delayed link should still be as lossy as the configuration says.
func deliver(base *sim.Network, r *rand.Rand, delay time.Duration, copies int) sim.Verdict {
	if base.Drop.Fires(r) {
		return sim.Verdict{Action: sim.Drop}
	}
	if copies < 2 && base.Duplicate.Fires(r) {
		copies = 2
	}
	return sim.Verdict{Action: sim.Deliver, Delay: delay, Copies: copies}
}

// pairs returns every link between servers of different groups, given each
// server's group (index 1..n; group[0] unused).
func pairs(group []int) []Link {
	var out []Link
	for a := 1; a < len(group); a++ {
		for b := 1; b < len(group); b++ {
			if a != b && group[a] != group[b] {
				out = append(out, Link{nodes.NodeID(a), nodes.NodeID(b)})
			}
		}
	}
	return out
}
