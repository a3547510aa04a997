package nemesis

import (
	"time"

	"github.com/faultline/faultline/nodes"
)

// Correlated faults: two faults aimed at the same role at the same
// instant, or one short, sharp fault at it — what no single generated
// fault does. A deposed leader whose clock jumps back keeps serving lease
// reads only if it is isolated while the clock is back (the lease bug); a
// leader that acknowledged writes before syncing them loses them only if
// it loses power right after, and comes back before the others elect a
// leader without it. The role is the one the protocol reports
// (nodes.LeaderReporter: leader, coordinator, primary); a protocol without
// one gets an explicit server drawn from the seed, so both faults still
// hit the same server.

// correlateOdds is the chance, 1 in correlateOdds, that a generated step
// is replaced by a correlated one (GenOptions.Correlated).
const correlateOdds = 3

// Correlated menus: how far the clock jumps back, and how long a sharp
// crash or power loss lasts (shorter than an election, so the server is
// back to vote).
var (
	correlateJumps = []time.Duration{300 * time.Millisecond, time.Second, 5 * time.Second}
	correlateSharp = Span(20*time.Millisecond, 100*time.Millisecond)
)

// correlate draws from g whether the step at (at, d) becomes correlated
// faults, and returns them (nil: keep the step). Every draw is made
// whatever its outcome, so a seed's other steps do not depend on which
// steps were replaced. servers is the cluster size (0: unknown), for
// drawing an explicit server when the protocol reports no leader.
func correlate(g *genCtx, at, d time.Duration, servers int) []Step {
	hit := g.r.IntN(correlateOdds) == 0
	combo := g.r.IntN(4)
	jump := -correlateJumps[g.r.IntN(len(correlateJumps))]
	sharp := correlateSharp.sampleRounded(g.r, time.Millisecond)
	t := g.target(Leader) // leader-or-one with LeaderFallback
	if pick := g.r.IntN(max(servers, 1)); g.noLeader {
		t = One
		if servers > 0 {
			t = Nodes(nodes.NodeID(1 + pick))
		}
	}
	if !hit {
		return nil
	}
	switch combo {
	case 0: // a deposed leader whose clock runs behind
		return []Step{{At: at, For: d, Fault: Isolate{t}}, {At: at, For: d, Fault: Jump{t, jump}}}
	case 1: // a leader frozen while its clock runs behind
		return []Step{{At: at, For: d, Fault: Pause{t}}, {At: at, For: d, Fault: Jump{t, jump}}}
	case 2: // the leader crashes, and is back before an election ends
		return []Step{{At: at, For: sharp, Fault: Crash{t}}}
	}
	// the leader loses power, and what it had not synced
	return []Step{{At: at, For: sharp, Fault: DiskLose{t}}}
}
