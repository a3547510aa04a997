package servicekind

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/service"
)

// history builds a history with one fault over [fs, fe) and successes at
// rate per second in each of the given spans.
func history(fs, fe time.Duration, spans ...span) *checker.History {
	h := &checker.History{Annotations: []checker.Annotation{{Start: fs, End: fe, Text: "overload 3x"}}}
	for _, s := range spans {
		if s.rate == 0 {
			continue
		}
		gap := time.Second / time.Duration(s.rate)
		for t := s.from; t < s.to; t += gap {
			h.Ops = append(h.Ops, checker.Operation{Client: nodes.ClientID(1), Op: nodes.Op{Kind: service.OpRequest, Output: "1"},
				Outcome: nodes.OK, Invoke: t - 5*time.Millisecond, Return: t})
			if s.failing {
				h.Ops[len(h.Ops)-1].Outcome = nodes.Info
			}
		}
	}
	return h
}

type span struct {
	from, to time.Duration
	rate     int
	failing  bool
}

const s = time.Second

func TestRecovery(t *testing.T) {
	cases := []struct {
		name    string
		h       *checker.History
		within  time.Duration
		verdict checker.Verdict
		why     string
		after   time.Duration
	}{
		{"back at once", history(5*s, 8*s, span{0, 5 * s, 1000, false}, span{5 * s, 8 * s, 500, false}, span{8 * s, 20 * s, 1000, false}),
			5 * s, checker.Valid, "goodput back 0s after the faults ended at 8s", 0},
		{"back after 2s", history(5*s, 8*s, span{0, 5 * s, 1000, false}, span{10 * s, 20 * s, 1000, false}),
			5 * s, checker.Valid, "goodput back 2s after", 2 * s},
		{"too slow", history(5*s, 8*s, span{0, 5 * s, 1000, false}, span{15 * s, 20 * s, 1000, false}),
			5 * s, checker.Invalid, "took 7s after the faults ended at 8s to come back, more than 5s", 7 * s},
		{"never (metastable)", history(5*s, 8*s, span{0, 5 * s, 1000, false}, span{8 * s, 20 * s, 1000, true}),
			5 * s, checker.Invalid, "never came back to 80% of its pre-fault rate in the 12s after the faults ended at 8s", 0},
		{"a chance shortfall within 3σ is recovered", history(5*s, 8*s, span{0, 5 * s, 1000, false}, span{8 * s, 12 * s, 1000, false}, span{12 * s, 13 * s, 740, false}, span{13 * s, 20 * s, 1000, false}),
			5 * s, checker.Valid, "goodput back 0s after", 0},
		{"a dip after recovering is not recovered", history(5*s, 8*s, span{0, 5 * s, 1000, false}, span{8 * s, 12 * s, 1000, false}, span{12 * s, 13 * s, 100, false}, span{13 * s, 20 * s, 1000, false}),
			5 * s, checker.Valid, "goodput back 5s after", 5 * s},
		{"no fault to judge around", &checker.History{Ops: history(0, 0, span{0, s, 100, false}).Ops},
			5 * s, checker.Unknown, "cannot judge recovery", 0},
		{"no goodput before", history(5*s, 8*s, span{8 * s, 20 * s, 1000, false}),
			5 * s, checker.Unknown, "cannot judge recovery", 0},
		{"too little goodput before to judge by", history(5*s, 8*s, span{0, 5 * s, 30, false}),
			5 * s, checker.Unknown, "at least 100 per 500ms", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := recovery(CheckRecovers, c.h, 20*s, c.within)
			if res.Verdict != c.verdict || !strings.Contains(res.Explanation, c.why) {
				t.Fatalf("%v: %s; want %v containing %q", res.Verdict, res.Explanation, c.verdict, c.why)
			}
			if c.verdict == checker.Valid {
				if r, _ := RecoveryOf(c.h, 20*s); r.After != c.after {
					t.Errorf("recovered after %v, want %v", r.After, c.after)
				}
			}
		})
	}
}

func TestGoodput(t *testing.T) {
	h := history(5*s, 8*s, span{0, 5 * s, 1000, false}, span{5 * s, 8 * s, 100, false}, span{8 * s, 20 * s, 500, false})
	res := goodput(h, 20*s)
	if res.Verdict != checker.Valid || !strings.Contains(res.Explanation, "goodput 1000/s before the faults (to 5s), 100/s during, 500/s after (8s to 20s)") {
		t.Errorf("%v: %s", res.Verdict, res.Explanation)
	}
	if res := goodput(&checker.History{}, 20*s); res.Verdict != checker.Unknown {
		t.Errorf("an empty history measured %v: %s", res.Verdict, res.Explanation)
	}
}

func TestLatency(t *testing.T) {
	h := &checker.History{}
	for i := 1; i <= 100; i++ {
		h.Ops = append(h.Ops, checker.Operation{Op: nodes.Op{Kind: service.OpRequest}, Outcome: nodes.OK, Invoke: 0, Return: time.Duration(i) * time.Millisecond})
	}
	h.Ops = append(h.Ops, checker.Operation{Op: nodes.Op{Kind: service.OpRequest}, Outcome: nodes.Info, Invoke: 0, Return: time.Hour})
	res := latency(h)
	if res.Verdict != checker.Valid || !strings.Contains(res.Explanation, "over 100 successful requests: p50 50ms, p99 99ms, max 100ms") {
		t.Errorf("%v: %s", res.Verdict, res.Explanation)
	}
	if res := latency(&checker.History{Ops: h.Ops[100:]}); res.Verdict != checker.Unknown {
		t.Errorf("no successes measured %v", res.Verdict)
	}
}

func TestRetryAmplification(t *testing.T) {
	res := retryAmplification(service.Stats{Requests: 10, OK: 8, Attempts: 20, Refused: 1, NoBudget: 2})
	if res.Verdict != checker.Valid || !strings.HasPrefix(res.Explanation, "2.50 attempts per success: 20 attempts, 8 of 10 requests succeeded; the breaker refused 1, the budget 2") {
		t.Errorf("%v: %s", res.Verdict, res.Explanation)
	}
	if res := retryAmplification(service.Stats{Requests: 10, Attempts: 40}); res.Verdict != checker.Unknown || !strings.Contains(res.Explanation, "unbounded") {
		t.Errorf("no successes: %v: %s", res.Verdict, res.Explanation)
	}
}

// With workload.ops_per_client the clients stop when the first of them
// has issued its last request, and the checks judge up to then: judged to
// the end of the run, the load never offered after it would read as a
// collapse.
func TestCappedWindow(t *testing.T) {
	h := history(5*s, 8*s, span{0, 5 * s, 1000, false}, span{8 * s, 10 * s, 1000, false})
	n := len(h.Ops)
	last := h.Ops[n-1].Invoke
	for _, c := range []struct {
		limit int
		want  time.Duration
	}{{n, last}, {1, h.Ops[0].Invoke}, {n + 1, time.Duration(1<<63 - 1)}} {
		if got := cappedAt(h, c.limit); got != c.want {
			t.Errorf("cappedAt(%d) = %v, want %v", c.limit, got, c.want)
		}
	}
	if res := recovery(CheckRecovers, h, 20*s, 5*s); res.Verdict != checker.Invalid {
		t.Errorf("judged to the run's end: %v: %s; want the collapse a capped load looks like", res.Verdict, res.Explanation)
	}
	if res := recovery(CheckRecovers, h, cappedAt(h, n), 5*s); res.Verdict != checker.Valid {
		t.Errorf("judged to the cap: %v: %s; want Valid", res.Verdict, res.Explanation)
	}
	// A collapse before the cap is reached is still one.
	h = history(5*s, 8*s, span{0, 5 * s, 1000, false}, span{8 * s, 20 * s, 1000, true})
	if res := recovery(CheckRecovers, h, cappedAt(h, len(h.Ops)), 5*s); res.Verdict != checker.Invalid {
		t.Errorf("a collapse within the capped window: %v: %s; want Invalid", res.Verdict, res.Explanation)
	}
}
