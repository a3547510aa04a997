package checker

import (
	"flag"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/faultline/faultline/nodes"
)

var calibHistories = flag.String("faultline.histories", "", "with -faultline.long: comma-separated history files (or globs) whose largest partitions TestMemoryBoundCalibration measures, besides its generated ones")

// appendRace is a KV history of k appends to one key, all concurrent,
// then a get that reads the appends in reverse order — or, with bad, a
// value no order gives. Every order of the appends is a different state,
// so the search keeps about e·k! configurations: the shape of a key many
// clients append to while a partition leaves their outcomes open.
func appendRace(k int, bad bool) *History {
	h := &History{Model: "kv"}
	want := ""
	for i := range k {
		v := fmt.Sprintf("a%d;", i)
		h.Ops = append(h.Ops, op(1+i, nodes.OpAppend, "x", v, nodes.OK, 0, 10))
		want = v + want
	}
	if bad {
		want = "nobody"
	}
	g := op(k+1, nodes.OpGet, "x", "", nodes.OK, 20, 21)
	g.Output, g.Exists = want, true
	h.Ops = append(h.Ops, g)
	return h
}

// A check whose search would hold more than the memory bound is Unknown
// (ErrMemory); the same check under a bound it fits in decides — Valid or
// Invalid, whichever the history is.
func TestMemoryBoundUnknownOverDecidesUnder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h      *History
		memory int64
		want   Verdict
		err    error
	}{
		{"valid, over the bound", appendRace(7, false), 64 << 10, Unknown, ErrMemory},
		{"valid, under the bound", appendRace(7, false), 16 << 20, Valid, nil},
		{"invalid, over the bound", appendRace(7, true), 64 << 10, Unknown, ErrMemory},
		{"invalid, under the bound", appendRace(7, true), 16 << 20, Invalid, nil},
		{"exploding (e·12! states), over the bound", appendRace(12, false), 16 << 20, Unknown, ErrMemory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Check(tc.h, Options{Steps: 50_000_000, MemoryBytes: tc.memory})
			if res.Verdict != tc.want || res.Err != tc.err {
				t.Fatalf("%v (%v), want %v (%v)\n%s", res.Verdict, res.Err, tc.want, tc.err, res.Explanation)
			}
			if tc.err == ErrMemory && !strings.Contains(res.Explanation, "memory bound of "+formatBytes(tc.memory)) {
				t.Errorf("explanation does not name the bound: %s", res.Explanation)
			}
		})
	}
}

// searchHeap searches part under a memory bound of limit bytes and
// returns how it ended, what the cache counted and the live heap the
// search left behind (the cache kept alive), measured after a collection.
func searchHeap(pm porcupine.Model, stateData func(any) int64, part []porcupine.Operation, limit int64) (b *wglBudget, states int, counted, live int64) {
	entries := wglEntries(part)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := int64(ms.HeapAlloc)
	b = &wglBudget{limit: DefaultSteps, memory: limit}
	cache := newWGLCache(len(part), pm, stateData)
	wglSearch(pm, entries, len(part), pm.Init(), cache, b, nil)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	live = int64(ms.HeapAlloc) - base
	states, counted = len(cache.states), cache.bytes()
	runtime.KeepAlive(cache)
	return b, states, counted, live
}

// The bound counts what the search holds: stopped by it, the search's
// cache is the live heap it counted, within a few percent — so
// --check-memory is the search's heap, not an index of it.
func TestMemoryBoundCountsTheSearchHeap(t *testing.T) {
	m := KVModel()
	h := appendRace(12, false)
	ops, err := m.Operations(h)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 16 << 20
	b, states, counted, live := searchHeap(m.withHistory(h), m.stateData, ops, limit)
	if !b.mem {
		t.Fatalf("the search was not stopped by the bound (%d steps, %d states)", b.steps, states)
	}
	if r := float64(live) / float64(counted); r < 0.85 || r > 1.15 {
		t.Errorf("live heap %d bytes for %d counted (%d states): ratio %.2f, want within 15%%", live, counted, states, r)
	}
	if counted < limit || counted > limit+limit/4 {
		t.Errorf("stopped at %d counted bytes, want just past the bound of %d", counted, limit)
	}
}

// TestMemoryBoundCalibration measures, on every partition of each
// history that a bound of 16 MiB stops, the live heap of a search stopped by bounds of 16, 64 and
// 256 MiB against what the cache counted — on generated KV histories and
// on the files given with -faultline.histories (docs/BENCHMARKS.md,
// "Calibrating the checker's memory bound (issue 19)"):
//
//	go test ./checker -run TestMemoryBoundCalibration -faultline.long -v \
//	    -faultline.histories='out/raft-kv-full-swarm/latest/seed-*/history.jsonl'
func TestMemoryBoundCalibration(t *testing.T) {
	if !*long {
		t.Skip("a minute of CPU and 600 MB: run with -faultline.long")
	}
	type named struct {
		name string
		h    *History
	}
	hs := []named{{"appendRace(12)", appendRace(12, false)}}
	if *calibHistories != "" {
		for _, pat := range strings.Split(*calibHistories, ",") {
			files, err := filepath.Glob(pat)
			if err != nil || len(files) == 0 {
				t.Fatalf("-faultline.histories %q: no file (%v)", pat, err)
			}
			for _, f := range files {
				h, _, err := ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				hs = append(hs, named{f, h})
			}
		}
	}
	t.Logf("| history #partition | operations | bound | search states | counted | live heap | live ÷ counted |")
	t.Logf("|---|---|---|---|---|---|---|")
	for _, x := range hs {
		m, ok := ModelByName(x.h.Model)
		if !ok {
			t.Fatalf("%s: model %q", x.name, x.h.Model)
		}
		ops, err := m.Operations(x.h)
		if err != nil {
			t.Fatal(err)
		}
		pm := m.withHistory(x.h)
		parts := [][]porcupine.Operation{ops}
		if pm.Partition != nil {
			parts = pm.Partition(ops)
		}
		measured := 0
		for i, part := range parts {
			for _, limit := range []int64{16 << 20, 64 << 20, 256 << 20} {
				b, states, counted, live := searchHeap(pm, m.stateData, part, limit)
				if !b.mem {
					break // decided (or out of steps) below the bound
				}
				measured++
				r := float64(live) / float64(counted)
				t.Logf("| %s #%d | %d | %s | %d | %d | %d | %.3f |", x.name, i, len(part), formatBytes(limit), states, counted, live, r)
				if r < 0.8 || r > 1.25 {
					t.Errorf("%s partition %d at %s: live heap %.2f× what was counted, want within 25%%", x.name, i, formatBytes(limit), r)
				}
			}
		}
		if measured == 0 {
			t.Logf("| %s | — | — | — | — | — | every partition decided below 16MiB |", x.name)
		}
	}
}
