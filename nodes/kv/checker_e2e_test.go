//go:build e2e

package kv_test

// End-to-end: the workload's histories, judged by the checker. Behind the
// e2e build tag because it ties this package's tests to checker/:
//
//	go test -tags e2e -run E2E ./nodes/kv

import (
	"fmt"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// historyOf turns the recorded client events into a checker history.
func historyOf(wd *world, model string) *checker.History {
	rec := checker.NewRecorder(model)
	handles := map[int64]int{}
	for _, e := range wd.rec.Events {
		switch e.Kind {
		case trace.Invoke:
			handles[e.Num] = rec.Invoke(e.Node, e.At, e.Op)
		case trace.Return:
			rec.Complete(handles[e.Num], e.At, e.Outcome, e.Op)
		}
	}
	return rec.History()
}

func TestE2ECheckerVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name string
		wl   kv.Workload
		f    fake
		want checker.Verdict
	}{
		{"kv-closed", kv.Workload{Keys: 3, MaxOps: 100}, fake{ApplyThenRetry: true}, checker.Valid},
		{"kv-open", kv.Workload{Keys: 3, Mode: kv.ModeOpen, Stop: 2 * time.Second}, fake{Delay: 15 * time.Millisecond, ApplyThenRetry: true}, checker.Valid},
		{"kv-cas-observed", kv.Workload{Keys: 2, MaxOps: 100, CASMismatchOK: true}, fake{}, checker.Valid},
		{"register-small", kv.Workload{Kind: kv.KindRegister, Values: kv.ValuesSmall, MaxOps: 100, CASMismatchOK: true}, fake{ApplyThenRetry: true}, checker.Valid},
		{"register-unique", kv.Workload{Kind: kv.KindRegister, MaxOps: 100}, fake{}, checker.Valid},
		{"kv-timeouts-capped-1", kv.Workload{Keys: 3, MaxOps: 50, Timeout: 50 * time.Millisecond, InfoMaxPerKey: 1}, fake{DropWrites: true}, checker.Valid},
		{"kv-no-sessions", kv.Workload{Keys: 2, MaxOps: 50, Mix: kv.Mix{Get: 1, Append: 1}}, fake{ApplyThenRetry: true, NoSessions: true}, checker.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			wd := newWorld(t, setup{seed: 21, clients: 5, f: &f, wl: tc.wl, latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)})
			wd.run(t, time.Minute)
			h := historyOf(wd, tc.wl.Model())
			res := checker.Check(h, checker.Options{Budget: 5 * time.Second})
			outcomes := map[nodes.Outcome]int{}
			for _, op := range h.Ops {
				outcomes[op.Outcome]++
			}
			t.Logf("%d ops %v: %v", len(h.Ops), outcomes, res.Verdict)
			if res.Verdict != tc.want {
				t.Errorf("verdict %v, want %v\n%s", res.Verdict, tc.want, fmt.Sprint(res))
			}
		})
	}
}
