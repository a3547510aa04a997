package scenarios

import (
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// StrategyHotKey: a seed given the hot-key workload shape (swarm.hot_key):
// one key, the most clients the swarm draws, and a read-heavy mix. Many
// readers racing writers on one key are what a quorum register's read
// that skips its write-back needs (abd no-write-back: a read returns a
// write only some servers hold, and a later read, from a quorum without
// them, returns the older value). The swarm's usual shape spreads a few
// clients over up to four keys with any mix, and rarely lines that up.
const StrategyHotKey Strategy = "hot-key"

// HuntHotKey is the share of a generated hunt's seeds, for keyed
// workloads, given the hot-key shape (swarm.hot_key), drawn last and from
// its own stream, so the other seeds are exactly as they were without it.
var HuntHotKey = sim.Ratio{Num: 1, Den: 8}

// HotKeyReadShare is the mix weight of a hot-key seed's reads, out of
// 100: the read operations of the scenario's mix share it evenly, the
// others share the rest (rounded down, at least 1 each: with three
// writes, 90 against 9).
const HotKeyReadShare = 90

func init() {
	AddStrategy(StrategyHotKey, func(sc *Scenario, o *Outcome) bool { return hotKeyFires(sc, o.Seed) })
}

// hotKeyFires reports whether the seed draws the hot-key shape: the
// scenario swarms a keyed workload with a hot_key share that fires on the
// seed's own stream.
func hotKeyFires(sc *Scenario, seed uint64) bool {
	sw := sc.Swarm
	if sw == nil || sw.HotKey.IsZero() {
		return false
	}
	if wk := reg.workloads[sc.Workload.Kind]; wk == nil || !wk.Keyed {
		return false
	}
	return sw.HotKey.Fires(sim.NewStream(seed, "swarm/hot-key"))
}

// applyHotKey gives out (sc's seed, already swarmed) the hot-key shape:
// one key, the swarm's most clients, and a mix of HotKeyReadShare reads
// over the operations of sc's own mix.
func applyHotKey(sc, out *Scenario) {
	out.Workload.Keys = 1
	out.Workload.Clients = max(out.Workload.Clients, sc.Swarm.Clients.Max)
	out.Workload.Mix = hotKeyMix(sc.Workload.Mix)
	if !sc.Swarm.Timeout.IsZero() { // the floor again, for the clients now on one key
		out.Workload.Timeout = max(out.Workload.Timeout, SwarmTimeoutFloor(out))
	}
}

// hotKeyMix weighs mix's operations: reads (nodes.OpKind.IsRead) share
// HotKeyReadShare, the others 100-HotKeyReadShare, each group evenly,
// rounded down, every operation at least 1. A mix of reads only, or of
// writes only, keeps its operations at equal weights.
func hotKeyMix(mix []MixEntry) []MixEntry {
	reads := 0
	for _, m := range mix {
		if nodes.OpKind(m.Op).IsRead() {
			reads++
		}
	}
	writes := len(mix) - reads
	out := make([]MixEntry, len(mix))
	for i, m := range mix {
		w := 1
		switch {
		case reads == 0 || writes == 0:
		case nodes.OpKind(m.Op).IsRead():
			w = max(HotKeyReadShare/reads, 1)
		default:
			w = max((100-HotKeyReadShare)/writes, 1)
		}
		out[i] = MixEntry{Op: m.Op, Weight: w}
	}
	return out
}
