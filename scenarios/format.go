package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/faultline/faultline/sim"
)

// Format renders a scenario as YAML that Parse reads back to the same
// value: every field written, defaults included, in a fixed order. It is
// used for the resolved scenario saved with a failing seed and for the
// scenarios the shrinker writes.
func Format(sc *Scenario) []byte {
	sc = sc.WithDefaults()
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	q := strconv.Quote
	p("version: %d\n", sc.Version)
	p("name: %s\n", q(sc.Name))
	if sc.Description != "" {
		p("description: %s\n", q(sc.Description))
	}
	p("cluster:\n  node: %s\n  size: %d\n", sc.Cluster.Node, sc.Cluster.Size)
	if len(sc.Cluster.Params) > 0 {
		p("  params:\n")
		for _, pr := range sc.Cluster.Params {
			p("    %s: %s\n", q(pr.Key), q(pr.Value))
		}
	}
	p("network:\n  latency: %s\n  drop: %s\n  duplicate: %s\n", q(sc.Network.Latency.String()), q(ratioText(sc.Network.Drop)), q(ratioText(sc.Network.Duplicate)))
	if !sc.Network.Schedule.IsZero() {
		p("  schedule: %s\n", q(sc.Network.Schedule.String()))
	}
	p("clocks:\n  skew: %s\n  drift: %dppm\n", sc.Clocks.Skew, sc.Clocks.DriftPPM)
	p("disk:\n  sync_latency: %s\n  keep_unsynced_on_crash: %t\n", q(sc.Disk.SyncLatency.String()), sc.Disk.KeepUnsyncedOnCrash)
	if !sc.Service.IsZero() {
		p("service:\n  per_message: %s\n  per_sync: %s\n", sc.Service.PerMessage, sc.Service.PerSync)
	}
	w := sc.Workload
	p("workload:\n  kind: %s\n  clients: %d\n", w.Kind, w.Clients)
	if w.Keys > 0 {
		p("  keys: %d\n", w.Keys)
	}
	if w.Timeout > 0 {
		p("  timeout: %s\n", w.Timeout)
	}
	for _, pr := range w.Params {
		p("  %s: %s\n", q(pr.Key), q(pr.Value))
	}
	if w.Rate > 0 {
		p("  rate: %s/s\n", strconv.FormatFloat(w.Rate, 'g', -1, 64))
	}
	if w.OpsPerClient > 0 {
		p("  ops_per_client: %d\n", w.OpsPerClient)
	}
	p("  mix: {")
	for i, m := range w.Mix {
		if i > 0 {
			p(", ")
		}
		p("%s: %d", m.Op, m.Weight)
	}
	p("}\n")
	nm := sc.Nemesis
	if nm.Generate != nil || len(nm.Script) > 0 || nm.Unbounded || nm.ClientsFollowPartitions || nm.BeyondBudget {
		p("nemesis:\n")
		if g := nm.Generate; g != nil {
			p("  generate:\n    faults: [%s]\n    interval: %s\n    duration: %s\n    swarm: %t\n",
				strings.Join(g.Faults, ", "), g.Interval, g.Duration, g.Swarm)
			if g.Concurrent {
				p("    concurrent: true\n")
			}
			if g.Correlated {
				p("    correlated: true\n")
			}
			if g.Storm {
				p("    storm: true\n")
			}
			if g.LeaderFallback {
				p("    leader_fallback: true\n")
			}
			if g.SendStorm {
				p("    send_storm: true\n")
			}
			in := g.Intensity
			var set []string
			for _, fl := range intensityFields(&in) {
				switch {
				case fl.dur != nil && *fl.dur != 0:
					set = append(set, fl.key+": "+fl.dur.String())
				case fl.rng != nil && !fl.rng.IsZero():
					set = append(set, fl.key+": "+fl.rng.String())
				case fl.rat != nil && !fl.rat.IsZero():
					set = append(set, fl.key+": "+q(ratioText(*fl.rat)))
				case fl.ppm != nil && *fl.ppm != 0:
					set = append(set, fmt.Sprintf("%s: %dppm", fl.key, *fl.ppm))
				}
			}
			if len(set) > 0 {
				p("    intensity: {%s}\n", strings.Join(set, ", "))
			}
		}
		if len(nm.Script) > 0 {
			p("  script:\n")
			for _, st := range nm.Script {
				p("    - {at: %s, fault: %s, for: %s}\n", st.At, q(st.Fault), st.For)
			}
		}
		if nm.Unbounded {
			p("  unbounded: true\n")
		}
		if nm.ClientsFollowPartitions {
			p("  clients_follow_partitions: true\n")
		}
		if nm.BeyondBudget {
			p("  beyond_budget: true\n")
		}
	}
	formatSwarm(&b, sc.Swarm)
	p("run:\n  duration: %s\n  heal: %s\n", sc.Run.Duration, sc.Run.Heal)
	if sc.Run.MaxEvents > 0 {
		p("  max_events: %d\n", sc.Run.MaxEvents)
	}
	p("check: [%s]\n", strings.Join(sc.Check, ", "))
	if sc.Promise != PromiseAll {
		p("promise: %s\n", sc.Promise)
	}
	if len(sc.Compare) > 0 {
		p("compare:\n")
		for _, v := range sc.Compare {
			p("  - node: %s\n", v.Node)
			if v.Name != "" {
				p("    name: %s\n", q(v.Name))
			}
			for _, set := range []struct {
				field string
				ps    []Param
			}{{"params", v.Params}, {"workload", v.Workload}} {
				if len(set.ps) == 0 {
					continue
				}
				p("    %s:\n", set.field)
				for _, pr := range set.ps {
					p("      %s: %s\n", q(pr.Key), q(pr.Value))
				}
			}
			if v.Promise != PromiseAll {
				p("    promise: %s\n", v.Promise)
			}
		}
	}
	return []byte(b.String())
}

// ratioText writes a ratio so that it reads back to the same text: every
// zero ratio (0/1, or the unset zero value) is "0".
func ratioText(r sim.Ratio) string {
	if r.IsZero() {
		return "0"
	}
	return r.String()
}
