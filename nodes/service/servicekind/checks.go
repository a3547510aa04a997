package servicekind

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/service"
	"github.com/faultline/faultline/scenarios"
)

// Bucket is the width of the goodput series time-to-recover reads, and
// RecoveredShare the share of the pre-fault goodput a bucket must reach
// to count as recovered.
// MinPerBucket is the fewest successes per bucket the pre-fault rate must
// promise for recovery to be judged at all (below it the verdict is
// Unknown), and a bucket counts as recovered when it reaches
// RecoveredShare of that promise less three standard deviations of a
// Poisson count: arrivals are random, so a healthy bucket may fall short
// of 80% by chance, but not by 3σ (at 100 a bucket, one in 10⁶).
const (
	Bucket         = 500 * time.Millisecond
	RecoveredShare = 0.8
	MinPerBucket   = 100
)

// Phases are a run's goodput before, during and after its faults.
type Phases struct {
	// Trigger is the span from the first fault's start to the last one's
	// end; Stop is when the clients stopped issuing requests.
	TriggerStart, TriggerEnd, Stop time.Duration
	// OK counts requests that succeeded in each phase (by return time);
	// the rates are per second of the phase.
	OKBefore, OKDuring, OKAfter             int
	RateBefore, RateDuring, RateAfter       float64
	Requests, Succeeded, Failed, Indefinite int
}

// trigger returns the span the fault annotations cover.
func trigger(h *checker.History) (start, end time.Duration, ok bool) {
	for _, a := range h.Annotations {
		if !ok || a.Start < start {
			start = a.Start
		}
		if !ok || a.End > end {
			end = a.End
		}
		ok = true
	}
	return start, end, ok
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// PhasesOf splits h's successes around its faults; ok is false when the
// history has no fault or the faults do not end before stop.
func PhasesOf(h *checker.History, stop time.Duration) (Phases, bool) {
	ts, te, ok := trigger(h)
	p := Phases{TriggerStart: ts, TriggerEnd: te, Stop: stop}
	for i := range h.Ops {
		op := &h.Ops[i]
		if op.Kind != service.OpRequest {
			continue
		}
		p.Requests++
		switch op.Outcome {
		case nodes.OK:
			p.Succeeded++
		case nodes.Fail:
			p.Failed++
		default:
			p.Indefinite++
		}
		if op.Outcome != nodes.OK || !ok {
			continue
		}
		switch t := op.Return; {
		case t < ts:
			p.OKBefore++
		case t < te:
			p.OKDuring++
		case t < stop:
			p.OKAfter++
		}
	}
	if !ok || te >= stop {
		return p, false
	}
	p.RateBefore, p.RateDuring, p.RateAfter = perSecond(p.OKBefore, ts), perSecond(p.OKDuring, te-ts), perSecond(p.OKAfter, stop-te)
	return p, true
}

// Recovery is how long goodput took to come back after the faults.
type Recovery struct {
	Phases
	// Recovered says whether it came back; After is then the time from
	// the last fault's end to the start of the first bucket from which
	// every bucket up to the stop reaches RecoveredShare of the
	// pre-fault goodput.
	Recovered bool
	After     time.Duration
	// Worst is the lowest bucket rate after the faults, per second.
	Worst float64
}

// RecoveryOf measures recovery in h (ok false: no faults, too little
// goodput before them to judge by, or no whole bucket after them).
func RecoveryOf(h *checker.History, stop time.Duration) (Recovery, bool) {
	p, ok := PhasesOf(h, stop)
	r := Recovery{Phases: p}
	if !ok || p.RateBefore*Bucket.Seconds() < MinPerBucket {
		return r, false
	}
	n := int((stop - p.TriggerEnd) / Bucket)
	if n < 1 {
		return r, false
	}
	counts := make([]int, n)
	for i := range h.Ops {
		op := &h.Ops[i]
		if op.Kind != service.OpRequest || op.Outcome != nodes.OK || op.Return < p.TriggerEnd {
			continue
		}
		if b := int((op.Return - p.TriggerEnd) / Bucket); b < n {
			counts[b]++
		}
	}
	expect := p.RateBefore * Bucket.Seconds()
	need := RecoveredShare*expect - 3*math.Sqrt(expect)
	r.Worst = perSecond(slices.Min(counts), Bucket)
	first := n
	for b := n - 1; b >= 0 && float64(counts[b]) >= need; b-- {
		first = b
	}
	if first < n {
		r.Recovered, r.After = true, time.Duration(first)*Bucket
	}
	return r, true
}

func supported(_ *scenarios.NodeKind, w *scenarios.WorkloadKind) string {
	if w.Name != WorkloadName {
		return fmt.Sprintf("it measures the %s workload's requests, not %s", WorkloadName, w.Name)
	}
	return ""
}

// clientStats sums the live clients' counts, and returns one client's
// workload configuration.
func clientStats(f *scenarios.Finished) (service.Stats, service.Workload, bool) {
	var s service.Stats
	var w service.Workload
	found := false
	for _, id := range f.ClientIDs {
		c, ok := f.Node(id).(*service.Client)
		if !ok {
			continue
		}
		st := c.Stats()
		s.Requests += st.Requests
		s.OK += st.OK
		s.Failed += st.Failed
		s.TimedOut += st.TimedOut
		s.Attempts += st.Attempts
		s.Refused += st.Refused
		s.NoBudget += st.NoBudget
		w, found = c.Workload(), true
	}
	return s, w, found
}

// stopOf is when the clients stopped sending, which the goodput and
// recovery checks judge up to: the heal's start, or its end with the
// workload's through_heal; with a cap on each client's requests
// (workload.ops_per_client), at the latest when the first client issued
// its last one (goodput judged after that would count the load that was
// never offered as lost).
func stopOf(f *scenarios.Finished) time.Duration {
	stop := f.Scenario.Run.Duration
	_, w, ok := clientStats(f)
	if ok && w.StopAt > 0 {
		stop = w.StopAt
	}
	if ok && w.MaxRequests > 0 {
		stop = min(stop, cappedAt(f.History, w.MaxRequests))
	}
	return stop
}

// cappedAt is the first time a client of h issued its limit-th request
// (never: the largest duration).
func cappedAt(h *checker.History, limit int) time.Duration {
	at := time.Duration(math.MaxInt64)
	n := map[nodes.ID]int{}
	for i := range h.Ops {
		op := &h.Ops[i]
		if op.Kind != service.OpRequest {
			continue
		}
		if n[op.Client]++; n[op.Client] == limit {
			at = min(at, op.Invoke)
		}
	}
	return at
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Checks returns the gray-failure checks.
func Checks() []scenarios.CheckKind {
	return []scenarios.CheckKind{
		{Name: CheckGoodput, Class: scenarios.Liveness, Measure: true, Supported: supported,
			Help: "measures successful requests per second before, during and after the faults",
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				return goodput(f.History, stopOf(f))
			}},
		{Name: CheckRetryAmp, Class: scenarios.Liveness, Measure: true, Supported: supported,
			Help: "measures attempts sent per successful request",
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				s, _, ok := clientStats(f)
				if !ok {
					return checker.Result{Name: CheckRetryAmp, Verdict: checker.Unknown, Explanation: "no requests client is up to report"}
				}
				return retryAmplification(s)
			}},
		{Name: CheckLatency, Class: scenarios.Liveness, Measure: true, Supported: supported,
			Help: "measures p50 and p99 latency of successful requests",
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				return latency(f.History)
			}},
		{Name: CheckRecovery, Class: scenarios.Liveness, Measure: true, Supported: supported,
			Help: "measures how long goodput takes to come back after the last fault ends",
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				r := recovery(CheckRecovery, f.History, stopOf(f), 0)
				if r.Verdict == checker.Invalid {
					r.Verdict = checker.Valid // a measure: the figures say it
				}
				return r
			}},
		{Name: CheckRecovers, Class: scenarios.Liveness, Supported: supported,
			Help: "goodput is back (80% of its pre-fault rate less 3σ of chance, and stays there) within the workload's recover_within of the last fault's end",
			Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
				_, w, ok := clientStats(f)
				if !ok {
					return checker.Result{Name: CheckRecovers, Verdict: checker.Unknown, Explanation: "no requests client is up to say recover_within"}
				}
				return recovery(CheckRecovers, f.History, stopOf(f), w.RecoverWithin)
			}},
	}
}

func goodput(h *checker.History, stop time.Duration) checker.Result {
	p, ok := PhasesOf(h, stop)
	res := checker.Result{Name: CheckGoodput}
	if p.Requests == 0 {
		res.Verdict, res.Explanation = checker.Unknown, "no requests in the history"
		return res
	}
	res.Verdict = checker.Valid
	res.Metrics = []checker.Metric{{Name: "requests", Value: float64(p.Requests)}, {Name: "ok", Value: float64(p.Succeeded)}}
	if !ok {
		res.Explanation = fmt.Sprintf("%d of %d requests succeeded, %.0f/s (no fault that ends before %v to split around)", p.Succeeded, p.Requests, perSecond(p.Succeeded, stop), stop)
		res.Metrics = append(res.Metrics, checker.Metric{Name: "goodput/s", Value: perSecond(p.Succeeded, stop)})
		return res
	}
	res.Explanation = fmt.Sprintf("goodput %.0f/s before the faults (to %v), %.0f/s during, %.0f/s after (%v to %v); %d of %d requests succeeded",
		p.RateBefore, p.TriggerStart, p.RateDuring, p.RateAfter, p.TriggerEnd, stop, p.Succeeded, p.Requests)
	res.Metrics = append(res.Metrics, checker.Metric{Name: "goodput before/s", Value: p.RateBefore},
		checker.Metric{Name: "goodput during/s", Value: p.RateDuring}, checker.Metric{Name: "goodput after/s", Value: p.RateAfter})
	return res
}

func retryAmplification(s service.Stats) checker.Result {
	res := checker.Result{Name: CheckRetryAmp}
	if s.OK == 0 {
		res.Verdict = checker.Unknown
		res.Explanation = fmt.Sprintf("no request succeeded (%d attempts for %d requests): attempts per success is unbounded", s.Attempts, s.Requests)
		res.Metrics = []checker.Metric{{Name: "attempts", Value: float64(s.Attempts)}, {Name: "ok", Value: 0}}
		return res
	}
	amp := float64(s.Attempts) / float64(s.OK)
	res.Verdict = checker.Valid
	res.Explanation = fmt.Sprintf("%.2f attempts per success: %d attempts, %d of %d requests succeeded; the breaker refused %d, the budget %d retries",
		amp, s.Attempts, s.OK, s.Requests, s.Refused, s.NoBudget)
	res.Metrics = []checker.Metric{{Name: "attempts", Value: float64(s.Attempts)}, {Name: "ok", Value: float64(s.OK)},
		{Name: "attempts per success", Value: amp}, {Name: "breaker refused", Value: float64(s.Refused)}, {Name: "budget refused", Value: float64(s.NoBudget)}}
	return res
}

func latency(h *checker.History) checker.Result {
	var lat []time.Duration
	for i := range h.Ops {
		if op := &h.Ops[i]; op.Kind == service.OpRequest && op.Outcome == nodes.OK {
			lat = append(lat, op.Return-op.Invoke)
		}
	}
	res := checker.Result{Name: CheckLatency}
	if len(lat) == 0 {
		res.Verdict, res.Explanation = checker.Unknown, "no request succeeded: no latency to measure"
		return res
	}
	slices.Sort(lat)
	rank := func(p int) time.Duration { return lat[min(max((len(lat)*p+99)/100, 1), len(lat))-1] }
	res.Verdict = checker.Valid
	res.Explanation = fmt.Sprintf("over %d successful requests: p50 %v, p99 %v, max %v", len(lat), rank(50), rank(99), lat[len(lat)-1])
	res.Metrics = []checker.Metric{{Name: "p50 ms", Value: ms(rank(50))}, {Name: "p99 ms", Value: ms(rank(99))}, {Name: "max ms", Value: ms(lat[len(lat)-1])}}
	return res
}

// recovery judges (within > 0) or measures time-to-recover.
func recovery(name string, h *checker.History, stop, within time.Duration) checker.Result {
	r, ok := RecoveryOf(h, stop)
	res := checker.Result{Name: name}
	if !ok {
		res.Verdict = checker.Unknown
		res.Explanation = fmt.Sprintf("cannot judge recovery: needs a fault that ends at least %v before %v and goodput before it of at least %d per %v (faults %v..%v, %d successes before)",
			Bucket, stop, MinPerBucket, Bucket, r.TriggerStart, r.TriggerEnd, r.OKBefore)
		return res
	}
	base := fmt.Sprintf("faults %v..%v; goodput %.0f/s before them, %.0f/s after, worst %v bucket %.0f/s",
		r.TriggerStart, r.TriggerEnd, r.RateBefore, r.RateAfter, Bucket, r.Worst)
	res.Metrics = []checker.Metric{{Name: "recovered", Value: 0}, {Name: "goodput before/s", Value: r.RateBefore}, {Name: "goodput after/s", Value: r.RateAfter}}
	if r.Recovered {
		res.Metrics[0].Value = 1
		res.Metrics = append(res.Metrics, checker.Metric{Name: "recover ms max", Value: ms(r.After)})
	}
	switch {
	case !r.Recovered:
		res.Verdict = checker.Invalid
		res.Explanation = fmt.Sprintf("goodput never came back to %.0f%% of its pre-fault rate in the %v after the faults ended at %v: %s (metastable)",
			RecoveredShare*100, stop-r.TriggerEnd, r.TriggerEnd, base)
	case within > 0 && r.After > within:
		res.Verdict = checker.Invalid
		res.Explanation = fmt.Sprintf("goodput took %v after the faults ended at %v to come back, more than %v: %s", r.After, r.TriggerEnd, within, base)
	default:
		res.Verdict = checker.Valid
		res.Explanation = fmt.Sprintf("goodput back %v after the faults ended at %v: %s", r.After, r.TriggerEnd, base)
	}
	return res
}
