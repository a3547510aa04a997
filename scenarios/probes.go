package scenarios

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/nemesis"
)

// A sweep's coverage: how many seeds saw each fault kind start and each
// coverage probe fire, and — the point of the report — what never did. A
// fault kind the scenario enables that never started, or a probe a node
// declared with Sometimes that was never true, is a part of the state
// space the sweep did not explore, however many seeds passed.

// CoverageLine is one fault kind or probe in a coverage report.
type CoverageLine struct {
	Name  string
	Seeds int // seeds in which it fired
	// Expected: the scenario enables this fault kind, or a node declared
	// this probe; if Seeds is 0 it never fired.
	Expected bool
}

// Coverage is a sweep's coverage, sorted by name within each group.
type Coverage struct {
	Seeds  int
	Faults []CoverageLine
	Probes []CoverageLine
}

// Never lists, as "fault crash" and "probe raft/snapshot-installed", what
// was expected to fire and never did.
func (c Coverage) Never() []string {
	var out []string
	for _, f := range c.Faults {
		if f.Seeds == 0 {
			out = append(out, "fault "+f.Name)
		}
	}
	for _, p := range c.Probes {
		if p.Seeds == 0 {
			out = append(out, "probe "+p.Name)
		}
	}
	return out
}

// CoverageOf builds a sweep's coverage. sc (may be nil) supplies the fault
// kinds the scenario enables, so kinds that never started are listed too.
// Probes a node declared but never saw true appear in sum.Probes with a
// count of 0.
func CoverageOf(sum *Summary, sc *Scenario) Coverage {
	c := Coverage{Seeds: sum.Seeds}
	kinds := map[string]int{}
	for k, n := range sum.Faults { //faultline:orderless copied, sorted below
		kinds[k] = n
	}
	expected := map[string]bool{}
	if sc != nil {
		for _, k := range EnabledFaultKinds(sc) {
			expected[k] = true
			kinds[k] += 0
		}
	}
	for _, k := range sortedKeys(kinds) {
		c.Faults = append(c.Faults, CoverageLine{Name: k, Seeds: kinds[k], Expected: expected[k] || kinds[k] > 0})
	}
	for _, p := range sortedKeys(sum.Probes) {
		c.Probes = append(c.Probes, CoverageLine{Name: p, Seeds: sum.Probes[p], Expected: true})
	}
	return c
}

// EnabledFaultKinds lists the fault kinds a scenario can start: the
// generator's kinds (every default kind when a swarm draws them from an
// empty list) and the scripted ones, sorted.
func EnabledFaultKinds(sc *Scenario) []string {
	set := map[string]bool{}
	if g := sc.Nemesis.Generate; g != nil {
		kinds := g.Faults
		if len(kinds) == 0 {
			kinds = nemesis.DefaultKinds
		}
		for _, k := range kinds {
			set[k] = true
		}
	}
	for _, st := range sc.Nemesis.Script {
		if f, err := nemesis.Parse(st.Fault); err == nil && f.Kind() != "heal" {
			set[f.Kind()] = true
		}
	}
	return sortedKeys(set)
}

// ProbeReport renders a sweep's coverage for a person: each fault kind and
// probe with the number (and share) of seeds in which it fired, and a last
// line naming what never fired. sc may be nil.
func ProbeReport(sum *Summary, sc *Scenario) string {
	c := CoverageOf(sum, sc)
	var b strings.Builder
	fmt.Fprintf(&b, "coverage over %d seeds (seeds in which each fired):\n", c.Seeds)
	width := 0
	for _, l := range append(append([]CoverageLine(nil), c.Faults...), c.Probes...) {
		width = max(width, len(l.Name))
	}
	line := func(l CoverageLine) {
		pct := 0.0
		if c.Seeds > 0 {
			pct = 100 * float64(l.Seeds) / float64(c.Seeds)
		}
		mark := ""
		if l.Seeds == 0 {
			mark = "   ← never fired"
		}
		fmt.Fprintf(&b, "    %-*s %6d  %5.1f%%%s\n", width, l.Name, l.Seeds, pct, mark)
	}
	if len(c.Faults) == 0 {
		b.WriteString("  faults: none enabled\n")
	} else {
		b.WriteString("  faults:\n")
		for _, l := range c.Faults {
			line(l)
		}
	}
	if len(c.Probes) == 0 {
		b.WriteString("  probes: none declared (nodes mark them with env.Reached and env.Sometimes)\n")
	} else {
		b.WriteString("  probes:\n")
		for _, l := range c.Probes {
			line(l)
		}
	}
	if never := c.Never(); len(never) > 0 {
		fmt.Fprintf(&b, "  never fired: %s\n", strings.Join(never, ", "))
	} else if len(c.Faults)+len(c.Probes) > 0 {
		b.WriteString("  everything enabled or declared fired at least once\n")
	}
	return b.String()
}
