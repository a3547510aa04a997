package kv_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/golden"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/sim"
)

// TestGoldenTrace records a short run in full: two clients find the
// leader of three servers through a hint, each request is answered Retry
// once and resent with the same Seq after a backoff, and then applied.
func TestGoldenTrace(t *testing.T) {
	f := &fake{Leader: nodes.NodeID(2), Hint: true, RetryFirst: 1}
	wl := kv.Workload{Keys: 2, MaxOps: 3}
	wd := newWorld(t, setup{seed: 1, servers: 3, clients: 2, f: f, wl: wl, latency: sim.Const(time.Millisecond), record: true})
	wd.run(t, time.Minute)
	var b strings.Builder
	for i := range wd.rec.Events {
		b.WriteString(wd.rec.Events[i].String())
		b.WriteByte('\n')
	}
	golden.CheckString(t, "client_trace.golden", b.String())
}
