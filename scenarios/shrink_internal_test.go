package scenarios

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
)

func TestNoLarger(t *testing.T) {
	for _, c := range []struct {
		a, b Size
		want bool
	}{
		{Size{Faults: 2, Ops: 40}, Size{Faults: 2, Ops: 40}, true},
		{Size{Faults: 2, Ops: 39}, Size{Faults: 2, Ops: 40}, true},
		{Size{Faults: 2, Ops: 41}, Size{Faults: 2, Ops: 40}, false},
		{Size{Faults: 1, Ops: 90}, Size{Faults: 2, Ops: 40}, true}, // a fault fewer outweighs operations
		{Size{Faults: 3, Ops: 1}, Size{Faults: 2, Ops: 40}, false},
	} {
		if got := noLarger(c.a, c.b); got != c.want {
			t.Errorf("noLarger(%d/%d, %d/%d) = %v, want %v", c.a.Faults, c.a.Ops, c.b.Faults, c.b.Ops, got, c.want)
		}
	}
}

func TestBisectDown(t *testing.T) {
	ms := float64(time.Millisecond)
	for _, c := range []struct {
		name     string
		lo, hi   float64
		mid      func(lo, hi float64) (float64, bool)
		fails    func(x float64) bool
		want     float64 // the smallest value kept (hi if none): within the step of the threshold
		wantTry  int
		wantKept bool
	}{
		{"threshold", 100 * ms, 5000 * ms, durationMid(5 * time.Second), func(x float64) bool { return x >= 1234*ms }, 1330 * ms, 6, true},
		{"lo fails: one try", 100 * ms, 5000 * ms, durationMid(5 * time.Second), func(float64) bool { return true }, 100 * ms, 1, true},
		{"only hi fails", 100 * ms, 5000 * ms, durationMid(5 * time.Second), func(x float64) bool { return x >= 5000*ms }, 5000 * ms, 6, false},
		{"rate threshold", 1, 400, rateMid, func(x float64) bool { return x >= 137 }, 160, 6, true},
		{"empty interval", 500 * ms, 500 * ms, durationMid(500 * time.Millisecond), func(float64) bool { return true }, 500 * ms, 0, false},
		// Not monotone: fails below 300 ms and above 2 s. Bisection keeps a
		// failing value, not the smallest.
		{"not monotone", 100 * ms, 5000 * ms, durationMid(5 * time.Second), func(x float64) bool { return x >= 2000*ms || x < 300*ms && x > 100*ms }, 2100 * ms, 6, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			best, tries := c.hi, 0
			kept := bisectDown(c.lo, c.hi, c.mid, func(x float64) bool {
				tries++
				if c.fails(x) && x < best {
					best = x
					return true
				}
				return false
			}, func() bool { return false })
			if math.Abs(best-c.want) > 1e-6*c.want || tries != c.wantTry || kept != c.wantKept {
				t.Errorf("kept %v after %d tries at %g, want %v after %d at %g", kept, tries, best, c.wantKept, c.wantTry, c.want)
			}
		})
	}
}

func TestTwoDigits(t *testing.T) {
	for x, want := range map[float64]float64{137: 140, 0.561: 0.56, 1: 1, 20: 20, 1234: 1200, 9.96: 10} {
		if got := twoDigits(x); math.Abs(got-want) > 1e-9 {
			t.Errorf("twoDigits(%g) = %g, want %g", x, got, want)
		}
	}
}

// shrinkPassYAML is the scenario the pass table starts from (it is never
// run: a stand-in judges each variant).
const shrinkPassYAML = `name: shrink-pass
cluster: {node: raftkv, size: 3}
workload: {kind: kv, clients: 4, keys: 3, rate: 400}
nemesis:
  script:
    - {at: 500ms, fault: "isolate leader", for: 1s}
    - {at: 2s, fault: "crash one", for: 1s}
run: {duration: 5s, heal: 3s}
`

// fakeRun judges a variant by a rule instead of running it: it fails
// (linearizable(kv) invalid) when fails says so, with ops operations.
func fakeRun(fails func(*Scenario) bool, ops func(*Scenario) int) func(*Scenario, uint64) Outcome {
	return func(sc *Scenario, seed uint64) Outcome {
		o := Outcome{Seed: seed, Status: StatusValid, Ops: ops(sc)}
		if fails(sc) {
			o.Status = StatusInvalid
			o.Checks = []CheckSummary{{Name: "linearizable(kv)", Verdict: checker.Invalid}}
		}
		return o
	}
}

// openLoopOps counts an open-loop workload's operations (closed-loop: 500
// per client).
func openLoopOps(sc *Scenario) int {
	if sc.Workload.Rate == 0 {
		return 500 * sc.Workload.Clients
	}
	return int(sc.Workload.Rate*sc.Run.Duration.Seconds()) * sc.Workload.Clients
}

// Each pass, with a stand-in run: what it keeps of the best scenario when
// the failure needs a run of 1.23 s, a rate of 137/s, a heal of 700 ms,
// enough operations, or faults far enough apart.
func TestShrinkPasses(t *testing.T) {
	base, err := Parse("shrink-pass.yaml", []byte(shrinkPassYAML))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*Scenario)
		want  Status
		pass  func(*shrinker) func() bool
		fails func(*Scenario) bool
		ops   func(*Scenario) int
		check func(*Scenario) string // "" when the kept scenario is right
		kept  bool
	}{
		{name: "run bisected to the failure", pass: func(s *shrinker) func() bool { return s.shortenRun },
			fails: func(v *Scenario) bool { return v.Run.Duration >= 1230*time.Millisecond }, ops: openLoopOps,
			check: func(v *Scenario) string {
				if d := v.Run.Duration; d < 1230*time.Millisecond || d > 1230*time.Millisecond+250*time.Millisecond || len(v.Nemesis.Script) != 1 {
					return fmt.Sprintf("run %v, %d faults: want 1.23s..1.48s and the fault after it dropped", d, len(v.Nemesis.Script))
				}
				return ""
			}, kept: true},
		{name: "open-loop rate bisected", pass: func(s *shrinker) func() bool { return s.slowerClients },
			fails: func(v *Scenario) bool { return v.Workload.Rate >= 137 }, ops: openLoopOps,
			check: func(v *Scenario) string {
				if r := v.Workload.Rate; r < 137 || r > 137*1.25 {
					return fmt.Sprintf("rate %g, want 137..171", r)
				}
				return ""
			}, kept: true},
		{name: "closed loop made slow: fewer operations", edit: func(v *Scenario) { v.Workload.Rate = 0 },
			pass:  func(s *shrinker) func() bool { return s.slowerClients },
			fails: func(*Scenario) bool { return true }, ops: openLoopOps,
			check: func(v *Scenario) string {
				if v.Workload.Rate != 1 {
					return fmt.Sprintf("rate %g, want 1", v.Workload.Rate)
				}
				return ""
			}, kept: true},
		{name: "closed loop made slow in a longer run", edit: func(v *Scenario) { v.Workload.Rate = 0 },
			pass:  func(s *shrinker) func() bool { return s.slowerClients },
			fails: func(v *Scenario) bool { return openLoopOps(v) >= 35 }, ops: openLoopOps,
			check: func(v *Scenario) string {
				if v.Workload.Rate != 1 || v.Run.Duration != 10*time.Second {
					return fmt.Sprintf("rate %g, run %v: want 1/s, 10s", v.Workload.Rate, v.Run.Duration)
				}
				return ""
			}, kept: true},
		{name: "closed loop kept: open loop would add operations", edit: func(v *Scenario) { v.Workload.Rate = 0 },
			pass:  func(s *shrinker) func() bool { return s.slowerClients },
			fails: func(*Scenario) bool { return true },
			ops: func(v *Scenario) int {
				if v.Workload.Rate == 0 {
					return 3
				}
				return openLoopOps(v)
			},
			check: func(v *Scenario) string {
				if v.Workload.Rate != 0 {
					return fmt.Sprintf("rate %g, want closed-loop", v.Workload.Rate)
				}
				return ""
			}},
		{name: "heal bisected", pass: func(s *shrinker) func() bool { return s.shortenHeal },
			fails: func(v *Scenario) bool { return v.Run.Heal >= 700*time.Millisecond }, ops: openLoopOps,
			check: func(v *Scenario) string {
				if h := v.Run.Heal; h < 700*time.Millisecond || h > 850*time.Millisecond {
					return fmt.Sprintf("heal %v, want 700ms..850ms", h)
				}
				return ""
			}, kept: true},
		{name: "no heal shortened for a liveness failure", want: StatusLiveness,
			pass:  func(s *shrinker) func() bool { return s.shortenHeal },
			fails: func(*Scenario) bool { return true }, ops: openLoopOps,
			check: func(v *Scenario) string {
				if v.Run.Heal != 3*time.Second {
					return fmt.Sprintf("heal %v, want 3s", v.Run.Heal)
				}
				return ""
			}},
		{name: "schedule compressed: faults sooner, run shorter", pass: func(s *shrinker) func() bool { return s.compressSchedule },
			fails: func(v *Scenario) bool {
				return len(v.Nemesis.Script) == 2 && v.Nemesis.Script[1].At-v.Nemesis.Script[0].At >= 700*time.Millisecond
			},
			ops: openLoopOps,
			check: func(v *Scenario) string {
				if st := v.Nemesis.Script; st[0].At != 250*time.Millisecond || st[1].At != time.Second || st[0].For != time.Second || v.Run.Duration != 2500*time.Millisecond {
					return fmt.Sprintf("faults at %v and %v (first for %v), run %v: want 250ms, 1s (1s), 2.5s", st[0].At, st[1].At, st[0].For, v.Run.Duration)
				}
				return ""
			}, kept: true},
		{name: "ops per client bisected", edit: func(v *Scenario) { v.Workload.OpsPerClient = 100 },
			pass:  func(s *shrinker) func() bool { return s.capOps },
			fails: func(v *Scenario) bool { return v.Workload.OpsPerClient >= 13 },
			ops:   func(v *Scenario) int { return v.Workload.Clients * v.Workload.OpsPerClient },
			check: func(v *Scenario) string {
				if c := v.Workload.OpsPerClient; c != 13 {
					return fmt.Sprintf("ops per client %d, want 13", c)
				}
				return ""
			}, kept: true},
		{name: "ops per client: a cap that would add operations is not kept", edit: func(v *Scenario) { v.Workload.OpsPerClient = 100 },
			pass:  func(s *shrinker) func() bool { return s.capOps },
			fails: func(*Scenario) bool { return true },
			ops: func(v *Scenario) int {
				if v.Workload.OpsPerClient == 100 {
					return 7
				}
				return 500 // fails with the cap only through a longer history
			},
			check: func(v *Scenario) string {
				if c := v.Workload.OpsPerClient; c != 100 {
					return fmt.Sprintf("ops per client %d, want 100", c)
				}
				return ""
			}},
		{name: "clients bisected", edit: func(v *Scenario) { v.Workload.Clients = 40 },
			pass:  func(s *shrinker) func() bool { return s.fewerClients },
			fails: func(v *Scenario) bool { return v.Workload.Clients >= 13 }, ops: openLoopOps,
			check: func(v *Scenario) string {
				if c := v.Workload.Clients; c != 13 {
					return fmt.Sprintf("clients %d, want 13", c)
				}
				return ""
			}, kept: true},
		{name: "fewer clients kept even with more operations", pass: func(s *shrinker) func() bool { return s.fewerClients },
			fails: func(*Scenario) bool { return true }, ops: func(v *Scenario) int { return 100 / v.Workload.Clients },
			check: func(v *Scenario) string {
				if v.Workload.Clients != 1 {
					return fmt.Sprintf("clients %d, want 1", v.Workload.Clients)
				}
				return ""
			}, kept: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := base.Clone()
			if c.edit != nil {
				c.edit(sc)
			}
			s := newTestShrinker(sc, c.fails, c.ops, c.want, time.Hour)
			kept := c.pass(s)()
			if kept != c.kept {
				t.Errorf("kept %v, want %v", kept, c.kept)
			}
			if msg := c.check(s.best); msg != "" {
				t.Error(msg)
			}
			if s.want != StatusLiveness && (s.bestOut.Status != StatusInvalid || FailureSignature(&s.bestOut) != s.sig) {
				t.Errorf("best no longer fails the same way: %s", FailureSignature(&s.bestOut))
			}
		})
	}
}

// newTestShrinker starts a shrink of sc judged by fakeRun (want: the
// failure's status, Invalid when empty).
func newTestShrinker(sc *Scenario, fails func(*Scenario) bool, ops func(*Scenario) int, want Status, budget time.Duration) *shrinker {
	s := &shrinker{ctx: context.Background(), opts: ShrinkOptions{MaxSeedsPerVariant: 4}, start: time.Now(), seeds: 1}
	s.deadline = s.start.Add(budget)
	s.run = fakeRun(fails, ops)
	s.best, s.bestSeed = sc, 1
	s.bestOut = s.run(sc, 1)
	if want != "" {
		s.bestOut.Status = want
	}
	s.want, s.sig = s.bestOut.Status, FailureSignature(&s.bestOut)
	return s
}

// The whole search with a stand-in run is deterministic, ends by itself,
// and a spent budget tries nothing.
func TestShrinkRoundsDeterministic(t *testing.T) {
	base, err := Parse("shrink-pass.yaml", []byte(shrinkPassYAML))
	if err != nil {
		t.Fatal(err)
	}
	fails := func(v *Scenario) bool {
		return v.Run.Duration >= 1230*time.Millisecond && v.Workload.Rate >= 37 && v.Workload.Clients >= 2
	}
	search := func() ([]string, *Scenario, bool) {
		var steps []string
		s := newTestShrinker(base.Clone(), fails, openLoopOps, "", time.Hour)
		s.opts.Progress = func(p ShrinkProgress) { steps = append(steps, fmt.Sprintf("%s %v", p.Step, p.Kept)) }
		complete := s.rounds()
		return steps, s.best, complete
	}
	steps1, best1, complete1 := search()
	steps2, best2, complete2 := search()
	if !complete1 || !complete2 {
		t.Fatalf("the search did not end by itself")
	}
	if !reflect.DeepEqual(steps1, steps2) || string(Format(best1)) != string(Format(best2)) {
		t.Fatalf("two searches differ:\n%q\n%q", steps1, steps2)
	}
	if w := best1.Workload; w.Clients != 2 || w.Rate < 37 || w.Rate > 37*1.25 || best1.Run.Duration > 1500*time.Millisecond || len(best1.Nemesis.Script) != 0 {
		t.Errorf("shrunk to %d clients at %g/s, run %v, %d faults", w.Clients, w.Rate, best1.Run.Duration, len(best1.Nemesis.Script))
	}

	s := newTestShrinker(base.Clone(), fails, openLoopOps, "", -time.Second)
	runs := s.runs
	if complete := s.rounds(); complete || s.runs != runs || s.best.Run.Duration != base.Run.Duration {
		t.Errorf("spent budget: complete %v, %d runs, run %v", complete, s.runs-runs, s.best.Run.Duration)
	}
}

// Uncapped, capOps starts from the busiest client's operations in the
// safety phase, of the kinds the workload weighs (probes in the heal and
// other kinds are not what the cap counts).
func TestCapOpsFromHistory(t *testing.T) {
	base, err := Parse("shrink-pass.yaml", []byte(shrinkPassYAML))
	if err != nil {
		t.Fatal(err)
	}
	var tried []int
	fails := func(v *Scenario) bool {
		tried = append(tried, v.Workload.OpsPerClient)
		return v.Workload.OpsPerClient == 0 || v.Workload.OpsPerClient >= 5
	}
	ops := func(v *Scenario) int {
		if v.Workload.OpsPerClient == 0 {
			return 80
		}
		return 4 * v.Workload.OpsPerClient
	}
	s := newTestShrinker(base.Clone(), fails, ops, "", time.Hour)
	h := &checker.History{}
	add := func(c int, kind nodes.OpKind, at time.Duration, n int) {
		for range n {
			h.Ops = append(h.Ops, checker.Operation{Client: nodes.ClientID(c), Op: nodes.Op{Kind: kind}, Invoke: at})
		}
	}
	add(1, nodes.OpPut, time.Second, 20)
	add(2, nodes.OpGet, 2*time.Second, 9)
	add(2, nodes.OpPut, 6*time.Second, 30) // probes in the heal
	add(3, "poll", time.Second, 50)        // not an operation of the kv workload
	s.bestOut.History = h
	if got := mostOpsPerClient(s.best, &s.bestOut); got != 20 {
		t.Fatalf("mostOpsPerClient = %d, want 20", got)
	}
	tried = nil
	if !s.capOps() || s.best.Workload.OpsPerClient != 5 {
		t.Errorf("kept ops per client %d, want 5", s.best.Workload.OpsPerClient)
	}
	if want := []int{1, 10, 5, 3, 4}; !reflect.DeepEqual(tried, want) {
		t.Errorf("tried caps %v, want %v", tried, want)
	}
}

// A workload that ignores ops_per_client (a kind written outside the
// project may) gets no cap: its busiest client goes over every cap tried,
// and a shrunk scenario must not show a cap that did nothing.
func TestCapOpsIgnored(t *testing.T) {
	base, err := Parse("shrink-pass.yaml", []byte(shrinkPassYAML))
	if err != nil {
		t.Fatal(err)
	}
	h := &checker.History{}
	for range 20 {
		h.Ops = append(h.Ops, checker.Operation{Client: nodes.ClientID(1), Op: nodes.Op{Kind: nodes.OpPut}, Invoke: time.Second})
	}
	s := newTestShrinker(base.Clone(), func(*Scenario) bool { return true }, func(*Scenario) int { return 20 }, "", time.Hour)
	run := s.run
	tried := 0
	s.run = func(sc *Scenario, seed uint64) Outcome {
		tried++
		o := run(sc, seed)
		o.History = h // the same 20 operations whatever the cap
		return o
	}
	s.bestOut.History = h
	if s.capOps() || s.best.Workload.OpsPerClient != 0 {
		t.Errorf("kept ops per client %d for a workload that ignores it", s.best.Workload.OpsPerClient)
	}
	if tried == 0 {
		t.Error("no cap was tried: the test shows nothing")
	}
}

// The fault passes of branch shrinkpb, each with a stand-in run: merging
// two steps of one fault, dropping single faults with more seeds while
// above goalFaults, and pinning abstract targets to what they resolved to.
func TestShrinkFaultPasses(t *testing.T) {
	base, err := Parse("shrink-pass.yaml", []byte(shrinkPassYAML))
	if err != nil {
		t.Fatal(err)
	}
	script := func(faults ...string) func(*Scenario) {
		return func(v *Scenario) {
			v.Nemesis.Script = nil
			for i, f := range faults {
				v.Nemesis.Script = append(v.Nemesis.Script, Step{At: time.Duration(i+1) * 500 * time.Millisecond, Fault: f, For: 300 * time.Millisecond})
			}
		}
	}
	texts := func(v *Scenario) string {
		var out []string
		for _, st := range v.Nemesis.Script {
			out = append(out, fmt.Sprintf("%v+%v %s", st.At, st.For, st.Fault))
		}
		return fmt.Sprint(out)
	}
	has := func(v *Scenario, fault string) bool {
		for _, st := range v.Nemesis.Script {
			if st.Fault == fault {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		name  string
		edit  func(*Scenario)
		pass  func(*shrinker) func() bool
		fails func(v *Scenario, seed uint64) bool // seed: counted from the best's
		hist  []checker.Annotation
		want  string // texts of the kept script
		kept  bool
	}{
		{name: "two steps of one fault merged", edit: script("crash one", "crash one", "pause one"),
			pass:  func(s *shrinker) func() bool { return s.mergeFaults },
			fails: func(v *Scenario, _ uint64) bool { return has(v, "pause one") },
			want:  "[500ms+800ms crash one 1.5s+300ms pause one]", kept: true},
		{name: "one fault written two ways merged", edit: script("drop 1/2 all", "drop 1/2"),
			pass:  func(s *shrinker) func() bool { return s.mergeFaults },
			fails: func(*Scenario, uint64) bool { return true },
			want:  "[500ms+800ms drop 1/2 all]", kept: true},
		{name: "a merge that loses the failure is not kept", edit: script("crash one", "crash one"),
			pass:  func(s *shrinker) func() bool { return s.mergeFaults },
			fails: func(v *Scenario, _ uint64) bool { return len(v.Nemesis.Script) == 2 },
			want:  "[500ms+300ms crash one 1s+300ms crash one]"},
		{name: "crashes of one target as one crash-loop", edit: script("pause one", "crash leader", "crash leader", "crash leader", "crash one"),
			pass:  func(s *shrinker) func() bool { return s.mergeFaults },
			fails: func(v *Scenario, _ uint64) bool { return len(v.Nemesis.Script) < 5 && !has(v, "crash leader") },
			// The three crashes from 1s to 2.3s, down 300ms and up 200ms
			// each; each crashed the leader of its time, so does the loop.
			want: "[500ms+300ms pause one 1s+1.3s crash-loop leader 300ms 200ms retarget 2.5s+300ms crash one]", kept: true},
		{name: "crash-loop with the crashes' own times when the gaps lose it", edit: script("crash n1", "crash n1"),
			pass:  func(s *shrinker) func() bool { return s.mergeFaults },
			fails: func(v *Scenario, _ uint64) bool { return has(v, "crash-loop n1 300ms") },
			want:  "[500ms+800ms crash-loop n1 300ms]", kept: true},
		{name: "back-to-back crashes as a crash-loop of their own times",
			edit: func(v *Scenario) {
				v.Nemesis.Script = []Step{{At: 500 * time.Millisecond, Fault: "crash n1", For: 500 * time.Millisecond}, {At: time.Second, Fault: "crash n1", For: 300 * time.Millisecond}}
			},
			pass: func(s *shrinker) func() bool { return s.mergeFaults },
			fails: func(v *Scenario, _ uint64) bool {
				return len(v.Nemesis.Script) == 1 && len(v.Nemesis.Script[0].Fault) > 13 && v.Nemesis.Script[0].Fault[:13] == "crash-loop n1"
			},
			want: "[500ms+800ms crash-loop n1 300ms..500ms]", kept: true},
		{name: "instant faults not merged", edit: script("restart one", "restart one"),
			pass:  func(s *shrinker) func() bool { return s.mergeFaults },
			fails: func(*Scenario, uint64) bool { return true },
			want:  "[500ms+300ms restart one 1s+300ms restart one]"},
		{name: "a drop that fails only with the third seed", edit: script("crash one", "pause one", "crash one", "pause one", "crash one"),
			pass: func(s *shrinker) func() bool { return s.dropFaultsHarder },
			fails: func(v *Scenario, seed uint64) bool {
				return len(v.Nemesis.Script) == 5 || has(v, "pause one") && seed >= 2
			},
			// From the last fault back, down to goalFaults: the first two
			// drops are kept, the rest are not needed.
			want: "[500ms+300ms crash one 1s+300ms pause one 1.5s+300ms crash one]", kept: true},
		{name: "no harder drops at goalFaults", edit: script("crash one", "pause one", "crash one"),
			pass:  func(s *shrinker) func() bool { return s.dropFaultsHarder },
			fails: func(*Scenario, uint64) bool { return true },
			want:  "[500ms+300ms crash one 1s+300ms pause one 1.5s+300ms crash one]"},
		{name: "targets pinned to what they resolved to", edit: script("crash one", "isolate leader", "pause n3"),
			pass: func(s *shrinker) func() bool { return s.pinTargets },
			hist: []checker.Annotation{
				{Start: 500 * time.Millisecond, Text: "crash one [n2]"},
				{Start: time.Second, Text: "isolate leader [n1]"},
				{Start: 1500 * time.Millisecond, Text: "pause n3"},
			},
			fails: func(*Scenario, uint64) bool { return true },
			want:  "[500ms+300ms crash n2 1s+300ms isolate n1 1.5s+300ms pause n3]", kept: true},
		{name: "the leader's target left when pinning it loses the failure", edit: script("crash one", "isolate leader"),
			pass: func(s *shrinker) func() bool { return s.pinTargets },
			hist: []checker.Annotation{
				{Start: 500 * time.Millisecond, Text: "crash one [n2]"},
				{Start: time.Second, Text: "isolate leader [n1]"},
			},
			fails: func(v *Scenario, _ uint64) bool { return has(v, "isolate leader") },
			want:  "[500ms+300ms crash n2 1s+300ms isolate leader]", kept: true},
		{name: "a fault that did not start is not pinned", edit: script("crash one", "crash one"),
			pass:  func(s *shrinker) func() bool { return s.pinTargets },
			hist:  []checker.Annotation{{Start: time.Second, Text: "crash one [n3]"}},
			fails: func(*Scenario, uint64) bool { return true },
			want:  "[500ms+300ms crash one 1s+300ms crash n3]", kept: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := base.Clone()
			c.edit(sc)
			s := newTestShrinker(sc, func(*Scenario) bool { return true }, openLoopOps, "", time.Hour)
			s.bestOut.History = &checker.History{Annotations: c.hist}
			inner := s.run
			s.run = func(v *Scenario, seed uint64) Outcome {
				o := inner(v, seed)
				if !c.fails(v, seed-s.bestSeed) {
					o.Status, o.Checks = StatusValid, nil
				}
				return o
			}
			kept := c.pass(s)()
			if kept != c.kept {
				t.Errorf("kept %v, want %v", kept, c.kept)
			}
			if got := texts(s.best); got != c.want {
				t.Errorf("script %s, want %s", got, c.want)
			}
		})
	}
}
