package kv_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/sim"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -rewrite.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./nodes/kv -run %s -rewrite to create it)", err, t.Name())
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test ./nodes/kv -run %s -rewrite if the change is intended)", path, i+1, g, w, t.Name())
			}
		}
	}
}

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
	golden(t, "client_trace.golden", b.String())
}
