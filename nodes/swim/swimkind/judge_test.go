package swimkind_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/swim"
	"github.com/faultline/faultline/nodes/swim/swimkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim/trace"
)

const s = time.Second

var n1, n2, n3, n4 = nodes.NodeID(1), nodes.NodeID(2), nodes.NodeID(3), nodes.NodeID(4)

func life(evs ...scenarios.ProcessEvent) []scenarios.ProcessEvent {
	base := []scenarios.ProcessEvent{{At: 0, Node: n1, Kind: trace.Start}, {At: 0, Node: n2, Kind: trace.Start}, {At: 0, Node: n3, Kind: trace.Start}, {At: 0, Node: n4, Kind: trace.Start}}
	return append(base, evs...)
}

func ev(at time.Duration, id nodes.ID, k trace.Kind) scenarios.ProcessEvent {
	return scenarios.ProcessEvent{At: at, Node: id, Kind: k}
}

func dead(at time.Duration, by, of nodes.ID) swimkind.Observed {
	return swimkind.Observed{At: at, By: by, Change: swim.Change{Member: of, State: swim.Dead, Inc: 1}}
}

func alive(at time.Duration, by, of nodes.ID) swimkind.Observed {
	return swimkind.Observed{At: at, By: by, Change: swim.Change{Member: of, State: swim.Alive, Inc: 2}}
}

func run(lc []scenarios.ProcessEvent, ch ...swimkind.Observed) *swimkind.Run {
	return &swimkind.Run{Servers: []nodes.ID{n1, n2, n3, n4}, Lifecycle: lc, Changes: ch, Sent: []int{100, 100, 100, 100},
		Duration: 20 * s, End: 30 * s, Bounds: swimkind.Bounds{DetectWithin: 3 * s, MaxFalsePositives: 0, ConvergeWithin: 5 * s}}
}

func metric(r checker.Result, name string) float64 {
	for _, m := range r.Metrics {
		if m.Name == name {
			return m.Value
		}
	}
	return -1
}

// crashN4 is n4 down from 5s to 10s.
var crashN4 = life(ev(5*s, n4, trace.Crash), ev(10*s, n4, trace.Start))

// lateJoinerN4 is n4 joining at 5s and down from 5.042s to 10s.
var lateJoinerN4 = []scenarios.ProcessEvent{{At: 0, Node: n1, Kind: trace.Start}, {At: 0, Node: n2, Kind: trace.Start}, {At: 0, Node: n3, Kind: trace.Start},
	ev(5*s, n4, trace.Start), ev(5042*time.Millisecond, n4, trace.Crash), ev(10*s, n4, trace.Start)}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name    string
		run     *swimkind.Run
		want    checker.Verdict
		explain []string // substrings of the explanation
		metrics map[string]float64
	}{
		{
			name:    "every observer declares the crash in time",
			run:     run(crashN4, dead(6*s, n1, n4), dead(6500*time.Millisecond, n2, n4), dead(7*s, n3, n4), alive(10100*time.Millisecond, n1, n4)),
			want:    checker.Valid,
			metrics: map[string]float64{"crashes judged": 1, "first p50 s": 1, "all p50 s": 2, "false positives": 0, "msgs per member-second": 100.0 / 30},
		},
		{
			name:    "the last observer is late",
			run:     run(crashN4, dead(6*s, n1, n4), dead(6*s, n2, n4), dead(8500*time.Millisecond, n3, n4)),
			want:    checker.Invalid,
			explain: []string{"n4 crashed at 5.000000000s", "only 3.5s later (detect_within 3s)"},
		},
		{
			name:    "an observer never declares",
			run:     run(crashN4, dead(6*s, n1, n4), dead(6*s, n2, n4)),
			want:    checker.Invalid,
			explain: []string{"n4 crashed", "n3 never declared it dead"},
		},
		{
			name: "a crash shorter than detect_within is measured, not judged",
			run:  run(life(ev(5*s, n4, trace.Crash), ev(6*s, n4, trace.Start))),
			want: checker.Valid, metrics: map[string]float64{"crashes": 1, "crashes judged": 0},
		},
		{
			name: "an observer paused during the crash is not required to declare it",
			run: run(life(ev(5*s, n4, trace.Crash), ev(4*s, n3, trace.Pause), ev(9*s, n3, trace.Resume), ev(10*s, n4, trace.Start)),
				dead(6*s, n1, n4), dead(6*s, n2, n4)),
			want: checker.Valid,
		},
		{
			name:    "a live member declared dead",
			run:     run(life(), dead(12*s, n2, n3)),
			want:    checker.Invalid,
			explain: []string{"1 false positives (max_false_positives 0)", "n2 declared n3 dead at 12.000000000s (incarnation 1) while it was up"},
		},
		{
			name:    "a paused member declared dead is measured, not judged",
			run:     run(life(ev(11*s, n3, trace.Pause), ev(14*s, n3, trace.Resume)), dead(12*s, n2, n3)),
			want:    checker.Valid,
			metrics: map[string]float64{"false positives": 1, "false positives while paused": 1, "false positives judged": 0},
		},
		{
			name:    "a declaration by an observer just resumed from a pause is measured, not judged",
			run:     run(life(ev(8*s, n2, trace.Pause), ev(12*s, n2, trace.Resume)), dead(12*s, n2, n3)),
			want:    checker.Valid,
			metrics: map[string]float64{"false positives": 1, "false positives while paused": 1, "false positives judged": 0},
		},
		{
			name: "a declaration just after the restart is a late detection, not a false positive",
			run:  run(crashN4, dead(6*s, n1, n4), dead(6*s, n2, n4), dead(7*s, n3, n4), dead(10500*time.Millisecond, n1, n4)),
			want: checker.Valid, metrics: map[string]float64{"false positives": 0, "declarations": 4},
		},
		{
			// swim-churn seed 1181: n7 crashed 42ms after its join, before
			// it sent a word; the others still held it dead@0.
			name: "a late joiner that crashes before its join goes out was never alive to the others",
			run:  run(lateJoinerN4, dead(0, n1, n4), dead(0, n2, n4), dead(0, n3, n4)),
			want: checker.Valid, metrics: map[string]float64{"crashes judged": 2, "false positives": 0}, // the absence before the join too
		},
		{
			name:    "a late joiner whose join was heard must be declared",
			run:     run(lateJoinerN4, dead(0, n1, n4), dead(0, n2, n4), dead(0, n3, n4), alive(5020*time.Millisecond, n1, n4)),
			want:    checker.Invalid,
			explain: []string{"n4 crashed at 5.042000000s", "n1 never declared it dead"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := swimkind.Detect(c.run)
			if r.Verdict != c.want {
				t.Fatalf("verdict %v, want %v: %s", r.Verdict, c.want, r.Explanation)
			}
			for _, want := range c.explain {
				if !strings.Contains(r.Explanation, want) {
					t.Errorf("explanation %q lacks %q", r.Explanation, want)
				}
			}
			for name, want := range c.metrics {
				if got := metric(r, name); got != want {
					t.Errorf("metric %q = %v, want %v", name, got, want)
				}
			}
		})
	}
}

func TestConverge(t *testing.T) {
	allAlive := func(except ...nodes.ID) map[nodes.ID][]swim.Member {
		v := map[nodes.ID][]swim.Member{}
		for _, id := range []nodes.ID{n1, n2, n3, n4} {
			for _, o := range []nodes.ID{n1, n2, n3, n4} {
				if o != id {
					v[id] = append(v[id], swim.Member{ID: o, State: swim.Alive, Inc: 1})
				}
			}
		}
		for _, id := range except {
			delete(v, id)
		}
		return v
	}
	withDead := allAlive()
	withDead[n2][2] = swim.Member{ID: n4, State: swim.Dead, Inc: 1}
	notReady := allAlive()
	notReady[n3] = nil
	for _, c := range []struct {
		name    string
		run     *swimkind.Run
		views   map[nodes.ID][]swim.Member
		want    checker.Verdict
		explain []string
		took    float64
	}{
		{"views all alive, revived right after the heal", run(crashN4, dead(6*s, n1, n4), alive(21*s, n1, n4)), allAlive(), checker.Valid, nil, 1},
		{"a dead entry left at the end", run(crashN4, dead(6*s, n2, n4)), withDead, checker.Invalid, []string{"n2 still sees n4 as dead (incarnation 1)"}, -1},
		{"a member that never rejoined", run(life()), notReady, checker.Invalid, []string{"n3 has not rejoined by the end"}, -1},
		{"a member down at the end", run(life()), allAlive(n1), checker.Invalid, []string{"n1 is down at the end"}, -1},
		{"converged too late", run(crashN4, dead(6*s, n1, n4), alive(26*s, n1, n4)), allAlive(), checker.Invalid,
			[]string{"views converged only 6s after the heal (converge_within 5s)", "the last dead entry was n1's of n4, from 6.000000000s"}, -1},
		{"an observer's restart clears its view", run(life(ev(8*s, n1, trace.Crash), ev(21*s, n1, trace.Start)), dead(6*s, n1, n4)), allAlive(), checker.Valid, nil, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := swimkind.Converge(c.run, c.views)
			if r.Verdict != c.want {
				t.Fatalf("verdict %v, want %v: %s", r.Verdict, c.want, r.Explanation)
			}
			for _, want := range c.explain {
				if !strings.Contains(r.Explanation, want) {
					t.Errorf("explanation %q lacks %q", r.Explanation, want)
				}
			}
			if c.took >= 0 {
				if got := metric(r, "converged after heal s"); got != c.took {
					t.Errorf("converged after heal %v s, want %v", got, c.took)
				}
			}
		})
	}
}
