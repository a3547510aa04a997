package scenarios

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
)

// Variant is one protocol a scenario's compare: section runs the same
// workload, nemesis and seeds against: the node kind and its parameters,
// the workload parameters that differ (a leaderless protocol's route), and
// the consistency it promises.
type Variant struct {
	// Name labels the variant's row (default: the node kind, with its
	// parameters).
	Name   string
	Node   string
	Params []Param
	// Workload parameters replace the base scenario's of the same key.
	Workload []Param
	// Promise replaces the base scenario's (PromiseAll: keep it).
	Promise Promise
	Pos     Pos
}

// label is the variant's row name.
func (v Variant) label() string {
	if v.Name != "" {
		return v.Name
	}
	var ps []string
	for _, p := range v.Params {
		ps = append(ps, p.Key+"="+p.Value)
	}
	if len(ps) == 0 {
		return v.Node
	}
	return v.Node + " (" + strings.Join(ps, ", ") + ")"
}

// Variants returns the scenarios a comparison runs: the base scenario with
// each variant of its compare: section applied (named "<name>/<label>"),
// or the scenario itself when it has none. Each is resolved and valid.
func (sc *Scenario) Variants() ([]*Scenario, error) {
	if len(sc.Compare) == 0 {
		c, err := sc.Resolve()
		if err != nil {
			return nil, err
		}
		return []*Scenario{c}, nil
	}
	var out []*Scenario
	for i, v := range sc.Compare {
		c := sc.Clone()
		c.Compare = nil
		c.Name = sc.Name + "/" + v.label()
		c.Cluster.Node, c.Cluster.Params = v.Node, slices.Clone(v.Params)
		c.Workload.Kind = "" // the variant's node kind picks it if the base does not
		if sc.Workload.Kind != "" {
			c.Workload.Kind = sc.Workload.Kind
		}
		for _, p := range v.Workload {
			j := slices.IndexFunc(c.Workload.Params, func(q Param) bool { return q.Key == p.Key })
			if j >= 0 {
				c.Workload.Params[j] = p
			} else {
				c.Workload.Params = append(c.Workload.Params, p)
			}
		}
		if v.Promise != PromiseAll {
			c.Promise = v.Promise
		}
		r, err := c.Resolve()
		if err != nil {
			var e *Error
			if errors.As(err, &e) && strings.HasPrefix(e.Field, "cluster.") {
				e2 := *e
				e2.Field = fmt.Sprintf("compare[%d].%s", i, strings.TrimPrefix(e.Field, "cluster."))
				if e.Pos.Line == 0 || !strings.HasPrefix(e.Field, "cluster.params.") {
					e2.Pos = v.Pos
				}
				return nil, &e2
			}
			return nil, inContext(fmt.Sprintf("compare[%d] (%s)", i, v.label()), err)
		}
		out = append(out, r)
	}
	return out, nil
}

// CompareRow is one protocol's figures over the seeds of a comparison.
type CompareRow struct {
	Name    string
	Node    string
	Promise Promise
	Seeds   int
	Counts  map[Status]int
	// Ops counts the operations invoked during the safety phase (faults
	// and load); probe writes and final reads after the heal are left out.
	Ops int
	// Availability is the share of those operations that ended OK;
	// FaultAvailability the same over those invoked while a fault was on.
	Availability, FaultAvailability float64
	// LatencyP50 and LatencyP99 are over the OK operations of the safety
	// phase (nearest rank).
	LatencyP50, LatencyP99 time.Duration
	Checks                 []CompareCheck
}

// CompareCheck is one check's record over the seeds.
type CompareCheck struct {
	Name string
	// Invalid and Unknown count seeds; Measured: the check was beyond the
	// promise (or a measurement), so its failures did not fail those runs.
	Invalid, Unknown int
	Measured         bool
	// Metrics are summed over the seeds (maxima and percentiles: their
	// maximum; shares: recomputed from the sums where the counts are
	// known, else averaged).
	Metrics []checker.Metric
}

// Compare runs seeds first..last of every scenario on parallel workers and
// returns one row per scenario, in order. The figures depend only on the
// scenarios and seeds, not on the workers.
func Compare(ctx context.Context, scs []*Scenario, first, last uint64, workers int) ([]CompareRow, error) {
	if last < first {
		return nil, fmt.Errorf("scenarios: seed range %d..%d is empty", first, last)
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	n := int(last - first + 1)
	type job struct{ s, i int }
	outs := make([][]seedFigures, len(scs))
	for s := range outs {
		outs[s] = make([]seedFigures, n)
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				o := RunSeed(scs[j.s], first+uint64(j.i), RunOptions{})
				outs[j.s][j.i] = figuresOf(scs[j.s], &o)
			}
		}()
	}
feed:
	for s := range scs {
		for i := range n {
			select {
			case jobs <- job{s, i}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scenarios: comparison interrupted: %w", err)
	}
	rows := make([]CompareRow, len(scs))
	for s, sc := range scs {
		rows[s] = aggregate(sc, outs[s])
	}
	return rows, nil
}

// seedFigures is what one seed contributes to a row.
type seedFigures struct {
	status          Status
	ops, ok         int
	faultOps, okFlt int
	latencies       []time.Duration
	checks          []CheckSummary
	// staleness, pooled across seeds (when the scenario measures it).
	reads   int
	staleK  []int
	staleBy []time.Duration
}

func figuresOf(sc *Scenario, o *Outcome) seedFigures {
	f := seedFigures{status: o.Status, checks: o.Checks}
	if o.History == nil {
		return f
	}
	if sc.HasCheck(CheckStaleness) {
		if rs, err := checker.StaleReads(o.History); err == nil {
			f.reads = len(rs)
			for _, r := range rs {
				if r.K > 0 {
					f.staleK, f.staleBy = append(f.staleK, r.K), append(f.staleBy, r.Behind)
				}
			}
		}
	}
	inFault := func(t time.Duration) bool {
		for _, a := range o.History.Annotations {
			if a.Start <= t && t <= a.End {
				return true
			}
		}
		return false
	}
	for i := range o.History.Ops {
		op := &o.History.Ops[i]
		if op.Invoke >= sc.Run.Duration {
			continue
		}
		ok := op.Outcome == nodes.OK
		f.ops++
		if ok {
			f.ok++
			f.latencies = append(f.latencies, op.Return-op.Invoke)
		}
		if inFault(op.Invoke) {
			f.faultOps++
			if ok {
				f.okFlt++
			}
		}
	}
	return f
}

func aggregate(sc *Scenario, seeds []seedFigures) CompareRow {
	row := CompareRow{Name: sc.Name, Node: sc.Cluster.Node, Promise: sc.Promise, Seeds: len(seeds), Counts: map[Status]int{}}
	var ok, faultOps, okFlt, reads int
	var lat, staleBy []time.Duration
	var staleK []int
	byName := map[string]int{} // check name → index in row.Checks
	var metrics []metricSeeds  // per row.Checks entry
	for _, f := range seeds {
		row.Counts[f.status]++
		row.Ops += f.ops
		ok += f.ok
		faultOps += f.faultOps
		okFlt += f.okFlt
		lat = append(lat, f.latencies...)
		reads += f.reads
		staleK, staleBy = append(staleK, f.staleK...), append(staleBy, f.staleBy...)
		for _, c := range f.checks {
			j, seen := byName[c.Name]
			if !seen {
				j = len(row.Checks)
				byName[c.Name] = j
				row.Checks = append(row.Checks, CompareCheck{Name: c.Name})
				metrics = append(metrics, metricSeeds{})
			}
			cc := &row.Checks[j]
			switch c.Verdict {
			case checker.Invalid:
				cc.Invalid++
			case checker.Unknown:
				cc.Unknown++
			}
			cc.Measured = cc.Measured || c.Measured
			metrics[j].add(c.Metrics)
		}
	}
	for i := range row.Checks {
		c := &row.Checks[i]
		c.Metrics = metrics[i].summary()
		if c.Name == CheckStaleness {
			// Percentiles do not add up: pool the stale reads of every seed.
			slices.Sort(staleK)
			slices.Sort(staleBy)
			share := 0.0
			if reads > 0 {
				share = float64(len(staleK)) / float64(reads)
			}
			kmax, kp99 := 0, 0
			if len(staleK) > 0 {
				kmax, kp99 = staleK[len(staleK)-1], staleK[max(1, (len(staleK)*99+99)/100)-1]
			}
			c.Metrics = []checker.Metric{
				{Name: "reads", Value: float64(reads)}, {Name: "stale reads", Value: float64(len(staleK))}, {Name: "stale share", Value: share},
				{Name: "k max", Value: float64(kmax)}, {Name: "k p99", Value: float64(kp99)},
				{Name: "Δ max ms", Value: pct(staleBy, 100).Seconds() * 1000}, {Name: "Δ p99 ms", Value: pct(staleBy, 99).Seconds() * 1000},
			}
		}
	}
	if row.Ops > 0 {
		row.Availability = float64(ok) / float64(row.Ops)
	}
	if faultOps > 0 {
		row.FaultAvailability = float64(okFlt) / float64(faultOps)
	}
	slices.Sort(lat)
	row.LatencyP50, row.LatencyP99 = pct(lat, 50), pct(lat, 99)
	return row
}

// metricSeeds gathers one check's metrics over the seeds of a row, in the
// order they were first reported.
type metricSeeds struct {
	metrics []checker.Metric // first report of each, for Name and Across
	values  [][]float64      // per metric, every seed's value
}

func (a *metricSeeds) add(ms []checker.Metric) {
	for _, m := range ms {
		i := slices.IndexFunc(a.metrics, func(x checker.Metric) bool { return x.Name == m.Name })
		if i < 0 {
			i = len(a.metrics)
			a.metrics = append(a.metrics, m)
			a.values = append(a.values, nil)
		}
		a.values[i] = append(a.values[i], m.Value)
	}
}

// summary summarises each metric over the seeds that reported it, as its
// Across says; the staleness share is recomputed from its counts.
func (a *metricSeeds) summary() []checker.Metric {
	if len(a.metrics) == 0 {
		return nil
	}
	out := make([]checker.Metric, len(a.metrics))
	sum := func(vs []float64) float64 {
		t := 0.0
		for _, v := range vs {
			t += v
		}
		return t
	}
	for i, m := range a.metrics {
		vs := a.values[i]
		m.Across = m.Across.Resolve(m.Name)
		switch m.Across {
		case checker.AcrossMax:
			m.Value = slices.Max(vs)
		case checker.AcrossMean:
			m.Value = sum(vs) / float64(len(vs))
		case checker.AcrossMedian:
			sorted := slices.Sorted(slices.Values(vs))
			m.Value = sorted[(len(sorted)-1)/2]
		default:
			m.Value = sum(vs)
		}
		out[i] = m
	}
	stale, reads := -1, -1
	for i, m := range out {
		switch m.Name {
		case "stale reads":
			stale = i
		case "reads":
			reads = i
		}
	}
	for i, m := range out {
		if m.Name == "stale share" && stale >= 0 && reads >= 0 && out[reads].Value > 0 {
			out[i].Value = out[stale].Value / out[reads].Value
		}
	}
	return out
}

func pct(xs []time.Duration, p int) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	i := (len(xs)*p + 99) / 100
	return xs[min(max(i, 1), len(xs))-1]
}
