package scenarios

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/sim"
)

// Swarm mode: the seed draws the scenario's knobs within the bounds of its
// swarm: section, so one sweep covers many cluster sizes, client counts,
// networks and fault mixes instead of one fixed mix (swarm testing finds
// more bugs than any single configuration). Every knob draws from its own
// stream, sim.NewStream(seed, "swarm/<knob>"), so bounding one more knob
// does not change what the others draw.

// ApplySwarm returns the scenario a seed runs in swarm mode: a copy with
// every bounded knob drawn from the seed and no swarm section. A scenario
// without a swarm section is returned as is, so calling it on every run is
// free and idempotent. sc must be valid (Validate has run).
func ApplySwarm(sc *Scenario, seed uint64) *Scenario {
	sw := sc.Swarm
	if sw == nil {
		return sc
	}
	out := sc.Clone()
	out.Swarm = nil
	r := func(knob string) *rand.Rand { return sim.NewStream(seed, "swarm/"+knob) }
	if !sw.Size.IsZero() {
		out.Cluster.Size = sw.Size.Draw(r("size"))
	}
	if !sw.Clients.IsZero() {
		out.Workload.Clients = sw.Clients.Draw(r("clients"))
	}
	if wk := reg.workloads[out.Workload.Kind]; !sw.Keys.IsZero() && wk != nil && wk.Keyed {
		out.Workload.Keys = sw.Keys.Draw(r("keys"))
	}
	if !sw.Latency.IsZero() {
		lo, hi := sampleSpan(r("latency"), sw.Latency)
		out.Network.Latency = sim.UniformDist(lo, hi)
	}
	if !sw.Drop.IsZero() {
		out.Network.Drop = sw.Drop.sample(r("drop"))
	}
	if !sw.Duplicate.IsZero() {
		out.Network.Duplicate = sw.Duplicate.sample(r("duplicate"))
	}
	if !sw.Skew.IsZero() {
		out.Clocks.Skew = roundDur(sw.Skew.Sample(r("skew")))
	}
	if !sw.Sync.IsZero() {
		lo, hi := sampleSpan(r("sync-latency"), sw.Sync)
		out.Disk.SyncLatency = sim.UniformDist(lo, hi)
	}
	if sw.Mix {
		out.Workload.Mix = sampleMix(r("mix"), out.Workload.Mix)
	}
	if !sw.Timeout.IsZero() {
		out.Workload.Timeout = roundDur(sw.Timeout.Sample(r("timeout")))
		out.Workload.Timeout = max(out.Workload.Timeout, SwarmTimeoutFloor(out))
	}
	if nk := reg.nodes[out.Cluster.Node]; sw.Params && nk != nil {
		for _, ps := range nk.Params {
			set := slices.ContainsFunc(out.Cluster.Params, func(p Param) bool { return p.Key == ps.Key })
			if len(ps.Swarm) > 0 && !set {
				v := ps.Swarm[r("param/"+ps.Key).IntN(len(ps.Swarm))]
				out.Cluster.Params = append(out.Cluster.Params, Param{Key: ps.Key, Value: v})
			}
		}
	}
	if g := out.Nemesis.Generate; g != nil {
		if sw.Faults {
			g.Swarm = true
		}
		if !sw.FaultInterval.IsZero() {
			lo, hi := sampleSpan(r("fault-interval"), sw.FaultInterval)
			g.Interval = nemesis.Span(lo, hi)
		}
		if !sw.FaultDuration.IsZero() {
			lo, hi := sampleSpan(r("fault-duration"), sw.FaultDuration)
			g.Duration = nemesis.Span(lo, hi)
		}
		if sw.Concurrent {
			g.Concurrent = r("concurrent").IntN(2) == 0
		}
		if sw.Correlated {
			g.Correlated = true
		}
	}
	if !sw.BeyondBudget.IsZero() && sw.BeyondBudget.Fires(r("beyond-budget")) {
		out.Nemesis.BeyondBudget = true
		if g := out.Nemesis.Generate; g != nil {
			g.Storm = true
		}
	}
	if g := out.Nemesis.Generate; g != nil && !sw.SendStorm.IsZero() && sw.SendStorm.Fires(r("send-storm")) {
		out.Nemesis.BeyondBudget = true
		g.SendStorm = true
	}
	if sw.PCT.Fires(r("pct")) {
		out.Network.Schedule = sim.Schedule{Depth: sw.pctDepth().Draw(r("pct-depth"))}
	}
	if hotKeyFires(sc, seed) { // last: the other draws are as they were
		applyHotKey(sc, out)
	}
	if replicationStormFires(sc, seed) { // after every draw: they are as they were
		applyReplicationStorm(sc, out)
	}
	return out
}

// DefaultPCTDepth is the PCT depth range swarm.pct draws from when
// swarm.pct_depth is not given.
var DefaultPCTDepth = IntRange{Min: 1, Max: 3}

func (sw *Swarm) pctDepth() IntRange {
	if sw.PCTDepth.IsZero() {
		return DefaultPCTDepth
	}
	return sw.PCTDepth
}

// SwarmKnobs describes what a seed drew in swarm mode, for printing next
// to a failing seed ("" when the scenario has no swarm section).
func SwarmKnobs(sc *Scenario, seed uint64) string {
	if sc.Swarm == nil {
		return ""
	}
	sw, x := sc.Swarm, ApplySwarm(sc, seed)
	var parts []string
	add := func(on bool, format string, args ...any) {
		if on {
			parts = append(parts, fmt.Sprintf(format, args...))
		}
	}
	add(!sw.Size.IsZero(), "size %d", x.Cluster.Size)
	add(!sw.Clients.IsZero(), "clients %d", x.Workload.Clients)
	add(!sw.Keys.IsZero(), "keys %d", x.Workload.Keys)
	add(!sw.Latency.IsZero(), "latency %s", x.Network.Latency)
	add(!sw.Drop.IsZero(), "drop %s", x.Network.Drop)
	add(!sw.Duplicate.IsZero(), "duplicate %s", x.Network.Duplicate)
	add(!sw.Skew.IsZero(), "skew %s", x.Clocks.Skew)
	add(!sw.Sync.IsZero(), "sync latency %s", x.Disk.SyncLatency)
	add(!sw.Timeout.IsZero(), "timeout %s", x.Workload.Timeout)
	if sw.Params {
		for _, p := range x.Cluster.Params[len(sc.Cluster.Params):] {
			parts = append(parts, p.Key+" "+p.Value)
		}
	}
	if sw.Mix {
		var m []string
		for _, e := range x.Workload.Mix {
			m = append(m, fmt.Sprintf("%s: %d", e.Op, e.Weight))
		}
		parts = append(parts, "mix {"+strings.Join(m, ", ")+"}")
	}
	if g := x.Nemesis.Generate; g != nil {
		add(!sw.FaultInterval.IsZero(), "fault interval %s", g.Interval)
		add(!sw.FaultDuration.IsZero(), "fault duration %s", g.Duration)
		add(sw.Concurrent, "concurrent faults %t", g.Concurrent)
		add(!sw.PCT.IsZero(), "schedule %s", x.Network.Schedule)
		add(sw.Correlated, "correlated faults %t", g.Correlated)
		if sw.Faults {
			kinds, _, err := nemesis.Swarm(seed, nemesis.GenOptions{Kinds: g.Faults, End: x.Run.Duration})
			if err == nil {
				parts = append(parts, "faults ["+strings.Join(kinds, ", ")+"]")
			}
		}
	}
	add(!sw.SendStorm.IsZero(), "crash-on-send storm %t", x.Nemesis.Generate != nil && x.Nemesis.Generate.SendStorm)
	add(!sw.BeyondBudget.IsZero() || !sw.SendStorm.IsZero() || !sw.ReplicationStorm.IsZero(), "beyond budget %t", x.Nemesis.BeyondBudget)
	add(!sw.HotKey.IsZero(), "hot key %t", hotKeyFires(sc, seed))
	add(!sw.ReplicationStorm.IsZero(), "replication storm %t", replicationStormFires(sc, seed))
	return strings.Join(parts, ", ")
}

// ratioDen is the granularity of drawn probabilities.
const ratioDen = 1_000_000

// sample draws a probability uniformly within the range, as a reduced
// ratio with denominator at most a million.
func (r RatioRange) sample(rng *rand.Rand) sim.Ratio {
	lo, hi := ratioPPM(r.Min), ratioPPM(r.Max)
	v := lo + rng.Uint64N(hi-lo+1)
	if v == 0 {
		return sim.Never
	}
	g := gcd(v, ratioDen)
	return sim.Ratio{Num: uint32(v / g), Den: uint32(ratioDen / g)}
}

func ratioPPM(r sim.Ratio) uint64 {
	if r.Num == 0 || r.Den == 0 {
		return 0
	}
	return uint64(r.Num) * ratioDen / uint64(r.Den)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func (r RatioRange) String() string {
	if ratioPPM(r.Min) == ratioPPM(r.Max) && r.Min.IsZero() == r.Max.IsZero() {
		return ratioText(r.Min)
	}
	return ratioText(r.Min) + ".." + ratioText(r.Max)
}

// sampleSpan draws lo ≤ hi within r (two draws), rounded to microseconds.
func sampleSpan(rng *rand.Rand, r Range) (lo, hi time.Duration) {
	a, b := roundDur(r.Sample(rng)), roundDur(r.Sample(rng))
	if a > b {
		a, b = b, a
	}
	return a, b
}

// roundDur keeps drawn durations readable in the resolved YAML.
func roundDur(d time.Duration) time.Duration {
	if d >= time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// sampleMix switches each operation on with probability 1/2 (at least one
// stays on) and draws the weights, 1..100, of those on.
func sampleMix(rng *rand.Rand, mix []MixEntry) []MixEntry {
	out := make([]MixEntry, len(mix))
	on := 0
	for i, m := range mix {
		out[i] = MixEntry{Op: m.Op}
		keep, w := rng.IntN(2) == 0, 1+rng.IntN(100)
		if keep {
			out[i].Weight = w
			on++
		}
	}
	if on == 0 && len(out) > 0 {
		out[rng.IntN(len(out))].Weight = 1 + rng.IntN(100)
	}
	return out
}

// Clone returns a deep copy of the scenario.
func (sc *Scenario) Clone() *Scenario {
	c := *sc
	c.Cluster.Params = append([]Param(nil), sc.Cluster.Params...)
	c.Workload.Mix = append([]MixEntry(nil), sc.Workload.Mix...)
	c.Workload.Params = append([]Param(nil), sc.Workload.Params...)
	c.Compare = nil
	for _, v := range sc.Compare {
		v.Params, v.Workload = slices.Clone(v.Params), slices.Clone(v.Workload)
		c.Compare = append(c.Compare, v)
	}
	c.Nemesis.Script = append([]Step(nil), sc.Nemesis.Script...)
	c.Check = append([]string(nil), sc.Check...)
	if sc.Check != nil && c.Check == nil {
		c.Check = []string{}
	}
	if g := sc.Nemesis.Generate; g != nil {
		gc := *g
		gc.Faults = append([]string(nil), g.Faults...)
		c.Nemesis.Generate = &gc
	}
	if sc.Swarm != nil {
		sw := *sc.Swarm
		c.Swarm = &sw
	}
	return &c
}

// ParseIntRange reads "3..7" or "5".
func ParseIntRange(s string) (IntRange, error) {
	r, err := nemesis.ParseCount(strings.TrimSpace(s))
	if err != nil {
		return IntRange{}, fmt.Errorf("want a range of positive integers such as 3..7, got %q", s)
	}
	return r, nil
}

// ParseRatioRange reads "0..1/20" or "1/100".
func ParseRatioRange(s string) (RatioRange, error) {
	lo, hi, isSpan := strings.Cut(strings.TrimSpace(s), "..")
	if !isSpan {
		hi = lo
	}
	a, err1 := sim.ParseRatio(lo)
	b, err2 := sim.ParseRatio(hi)
	if err1 != nil || err2 != nil || ratioPPM(b) < ratioPPM(a) {
		return RatioRange{}, fmt.Errorf("want a range of ratios such as 0..1/20, got %q", s)
	}
	return RatioRange{a, b}, nil
}

func (d *decoder) swarm(n *yaml.Node, path string, dst **Swarm) error {
	sw := &Swarm{Pos: d.pos(n)}
	*dst = sw
	intRange := func(v *IntRange) func(*yaml.Node, string) error {
		return func(n *yaml.Node, field string) error {
			s, err := d.scalar(n, field, "a range of integers such as 3..7")
			if err != nil {
				return err
			}
			if *v, err = ParseIntRange(s); err != nil {
				return d.errf(n, field, "%v", err)
			}
			return nil
		}
	}
	ratioRange := func(v *RatioRange) func(*yaml.Node, string) error {
		return func(n *yaml.Node, field string) error {
			s, err := d.scalar(n, field, "a range of ratios such as 0..1/20")
			if err != nil {
				return err
			}
			if *v, err = ParseRatioRange(s); err != nil {
				return d.errf(n, field, "%v", err)
			}
			return nil
		}
	}
	return d.fields(n, path, map[string]func(*yaml.Node, string) error{
		"size":              intRange(&sw.Size),
		"clients":           intRange(&sw.Clients),
		"keys":              intRange(&sw.Keys),
		"latency":           d.rangeOf(&sw.Latency),
		"drop":              ratioRange(&sw.Drop),
		"duplicate":         ratioRange(&sw.Duplicate),
		"skew":              d.rangeOf(&sw.Skew),
		"sync_latency":      d.rangeOf(&sw.Sync),
		"mix":               d.boolean(&sw.Mix),
		"faults":            d.boolean(&sw.Faults),
		"fault_interval":    d.rangeOf(&sw.FaultInterval),
		"fault_duration":    d.rangeOf(&sw.FaultDuration),
		"concurrent":        d.boolean(&sw.Concurrent),
		"pct":               d.ratio(&sw.PCT),
		"pct_depth":         intRange(&sw.PCTDepth),
		"correlated":        d.boolean(&sw.Correlated),
		"params":            d.boolean(&sw.Params),
		"timeout":           d.rangeOf(&sw.Timeout),
		"beyond_budget":     d.ratio(&sw.BeyondBudget),
		"send_storm":        d.ratio(&sw.SendStorm),
		"hot_key":           d.ratio(&sw.HotKey),
		"replication_storm": d.ratio(&sw.ReplicationStorm),
	}, swarmFields)
}

var swarmFields = []string{"size", "clients", "keys", "latency", "drop", "duplicate", "skew", "sync_latency", "mix", "faults", "fault_interval", "fault_duration", "concurrent", "pct", "pct_depth", "correlated", "beyond_budget", "send_storm", "hot_key", "replication_storm", "params", "timeout"}

// validateSwarm checks the swarm bounds against the rest of the scenario.
func (sc *Scenario) validateSwarm(nk *NodeKind, wk *WorkloadKind) error {
	sw := sc.Swarm
	if sw == nil {
		return nil
	}
	pos := sw.Pos
	if pos.File == "" {
		pos.File = sc.Source
	}
	bad := func(field, format string, args ...any) error {
		return &Error{Pos: pos, Field: "swarm." + field, Msg: fmt.Sprintf(format, args...)}
	}
	ints := []struct {
		name string
		r    IntRange
		max  int
	}{{"size", sw.Size, 1000}, {"clients", sw.Clients, 1000}, {"keys", sw.Keys, 1 << 20}}
	for _, x := range ints {
		if !x.r.IsZero() && (x.r.Min < 1 || x.r.Max < x.r.Min || x.r.Max > x.max) {
			return bad(x.name, "want a range within 1..%d, got %s", x.max, x.r)
		}
	}
	if !sw.Size.IsZero() && sw.Size.Min < nk.MinSize {
		return bad("size", "node kind %q needs at least %d nodes, got %s", nk.Name, nk.MinSize, sw.Size)
	}
	if !sw.Keys.IsZero() && !wk.Keyed {
		return bad("keys", "workload %q has no keyspace", wk.Name)
	}
	if clients, keys := max(sc.Workload.Clients, sw.Clients.Max), max(sc.Workload.Keys, sw.Keys.Max); wk.Keyed && clients*keys > MaxClientKeys {
		return bad("keys", "a seed may draw %d clients × %d keys: each client keeps state for every key, so at most %d clients × keys (narrow the ranges)", clients, keys, MaxClientKeys)
	}
	for _, x := range []struct {
		name string
		r    RatioRange
	}{{"drop", sw.Drop}, {"duplicate", sw.Duplicate}} {
		if !x.r.Min.Valid() || !x.r.Max.Valid() || ratioPPM(x.r.Max) > ratioDen || ratioPPM(x.r.Max) < ratioPPM(x.r.Min) {
			return bad(x.name, "want a range of probabilities such as 0..1/20, got %s", x.r)
		}
	}
	if !sw.Latency.IsZero() && sw.Latency.Max <= 0 {
		return bad("latency", "want a range of positive durations such as 1ms..20ms, got %s", sw.Latency)
	}
	if !sw.Timeout.IsZero() && sw.Timeout.Min <= 0 {
		return bad("timeout", "want a range of positive durations such as 100ms..2s, got %s", sw.Timeout)
	}
	if !sw.Sync.IsZero() && sw.Sync.Max <= 0 {
		return bad("sync_latency", "want a range of positive durations such as 100us..20ms, got %s", sw.Sync)
	}
	g := sc.Nemesis.Generate
	if g == nil {
		switch {
		case sw.Faults:
			return bad("faults", "needs a nemesis.generate section to draw fault kinds for")
		case !sw.FaultInterval.IsZero():
			return bad("fault_interval", "needs a nemesis.generate section")
		case !sw.FaultDuration.IsZero():
			return bad("fault_duration", "needs a nemesis.generate section")
		case sw.Concurrent:
			return bad("concurrent", "needs a nemesis.generate section")
		case sw.Correlated:
			return bad("correlated", "needs a nemesis.generate section")
		case !sw.SendStorm.IsZero():
			return bad("send_storm", "needs a nemesis.generate section")
		}
	}
	if !sw.PCT.Valid() {
		return bad("pct", "want the share of seeds as a probability such as 1/3, got %s", sw.PCT)
	}
	if d := sw.PCTDepth; !d.IsZero() && (d.Max > sim.MaxPCTDepth || sw.PCT.IsZero()) {
		if sw.PCT.IsZero() {
			return bad("pct_depth", "needs swarm.pct, the share of seeds that run under PCT")
		}
		return bad("pct_depth", "want a range within 1..%d, got %s", sim.MaxPCTDepth, d)
	}
	if !sw.BeyondBudget.Valid() {
		return bad("beyond_budget", "want the fraction of seeds drawn beyond the budget, a probability such as 1/8, got %s", ratioText(sw.BeyondBudget))
	}
	if !sw.SendStorm.Valid() {
		return bad("send_storm", "want the fraction of seeds given a crash-on-send storm, a probability such as 1/8, got %s", ratioText(sw.SendStorm))
	}
	if !sw.HotKey.Valid() {
		return bad("hot_key", "want the fraction of seeds given one hot key, a probability such as 1/8, got %s", ratioText(sw.HotKey))
	}
	if !sw.HotKey.IsZero() && !wk.Keyed {
		return bad("hot_key", "workload %q has no keyspace", wk.Name)
	}
	if !sw.ReplicationStorm.Valid() {
		return bad("replication_storm", "want the fraction of seeds given a replication storm, a probability such as 1/8, got %s", ratioText(sw.ReplicationStorm))
	}
	if !sw.ReplicationStorm.IsZero() && nk.Hunt.Replication == "" {
		return bad("replication_storm", "node kind %q declares no replication message (NodeKind.Hunt.Replication) to time the storm on", nk.Name)
	}
	if !sw.FaultInterval.IsZero() && sw.FaultInterval.Min <= 0 {
		return bad("fault_interval", "the interval between faults must be positive, got %s", sw.FaultInterval)
	}
	if !sw.FaultDuration.IsZero() && sw.FaultDuration.Min <= 0 {
		return bad("fault_duration", "fault durations must be positive, got %s", sw.FaultDuration)
	}
	if !sw.Size.IsZero() {
		for i, st := range sc.Nemesis.Script {
			if err := CheckFault(st.Fault, sw.Size.Min); err != nil {
				return bad("size", "nemesis.script[%d] does not fit the smallest cluster (%d nodes): %v", i, sw.Size.Min, err)
			}
		}
	}
	return nil
}

// formatSwarm writes the swarm section the way the decoder reads it.
func formatSwarm(b *strings.Builder, sw *Swarm) {
	if sw == nil {
		return
	}
	b.WriteString("swarm:\n")
	line := func(on bool, key, val string) {
		if on {
			fmt.Fprintf(b, "  %s: %s\n", key, val)
		}
	}
	line(!sw.Size.IsZero(), "size", sw.Size.String())
	line(!sw.Clients.IsZero(), "clients", sw.Clients.String())
	line(!sw.Keys.IsZero(), "keys", sw.Keys.String())
	line(!sw.Latency.IsZero(), "latency", sw.Latency.String())
	line(!sw.Drop.IsZero(), "drop", strconv.Quote(sw.Drop.String()))
	line(!sw.Duplicate.IsZero(), "duplicate", strconv.Quote(sw.Duplicate.String()))
	line(!sw.Skew.IsZero(), "skew", sw.Skew.String())
	line(!sw.Sync.IsZero(), "sync_latency", sw.Sync.String())
	line(true, "mix", strconv.FormatBool(sw.Mix))
	line(true, "faults", strconv.FormatBool(sw.Faults))
	line(!sw.FaultInterval.IsZero(), "fault_interval", sw.FaultInterval.String())
	line(!sw.FaultDuration.IsZero(), "fault_duration", sw.FaultDuration.String())
	line(sw.Concurrent, "concurrent", "true")
	line(!sw.PCT.IsZero(), "pct", strconv.Quote(ratioText(sw.PCT)))
	line(!sw.PCTDepth.IsZero(), "pct_depth", sw.PCTDepth.String())
	line(sw.Correlated, "correlated", "true")
	line(!sw.BeyondBudget.IsZero(), "beyond_budget", strconv.Quote(ratioText(sw.BeyondBudget)))
	line(!sw.SendStorm.IsZero(), "send_storm", strconv.Quote(ratioText(sw.SendStorm)))
	line(!sw.HotKey.IsZero(), "hot_key", strconv.Quote(ratioText(sw.HotKey)))
	line(!sw.ReplicationStorm.IsZero(), "replication_storm", strconv.Quote(ratioText(sw.ReplicationStorm)))
	line(sw.Params, "params", "true")
	line(!sw.Timeout.IsZero(), "timeout", sw.Timeout.String())
}
