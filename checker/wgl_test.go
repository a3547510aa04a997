package checker

import (
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

var long = flag.Bool("faultline.long", false, "compare the search with Porcupine's on every golden partition (minutes of CPU)")

// wglCase is one partition to search both ways.
type wglCase struct {
	name string
	pm   porcupine.Model
	ops  []porcupine.Operation
}

func wglCases(t *testing.T) []wglCase {
	var hs []*History
	var names []string
	for i, c := range goldenCases(t) {
		if !*long && i%8 != 0 {
			continue // -faultline.long: all of them
		}
		h, _, err := ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		hs, names = append(hs, h), append(names, filepath.Base(c.path))
	}
	for seed := uint64(1); seed <= 3; seed++ {
		h, _ := genKV(seed, 1_000, 3, 6)
		hs, names = append(hs, h), append(names, fmt.Sprintf("genKV(%d)", seed))
		h, _ = genKV(seed, 1_000, 3, 6)
		plantStaleRead(h)
		hs, names = append(hs, h), append(names, fmt.Sprintf("genKV(%d)+stale", seed))
	}
	var cs []wglCase
	for i, h := range hs {
		m := mustModel(t, InferModel(h))
		ops, err := m.Operations(h)
		if err != nil {
			t.Fatal(err)
		}
		pm := m.withHistory(h)
		parts := [][]porcupine.Operation{ops}
		if pm.Partition != nil {
			parts = pm.Partition(ops)
		}
		for p, part := range parts {
			cs = append(cs, wglCase{fmt.Sprintf("%s/%d", names[i], p), pm, part})
		}
	}
	return cs
}

// The search explores in Porcupine's order: on every partition of the
// golden and generated histories it takes as many model steps, reaches
// the same verdict and finds the same longest partial linearization as
// Porcupine's verbose check — with and without a step limit that cuts
// the search short. Every eighth golden history; all of them with
//
//	go test ./checker -run TestWGLMatchesPorcupine -faultline.long -v
func TestWGLMatchesPorcupine(t *testing.T) {
	for _, c := range wglCases(t) {
		for _, limit := range []int64{300_000, 500} {
			counter := &stepCounter{limit: limit}
			res, info := porcupine.CheckOperationsVerbose(counted(c.pm, counter), c.ops, 0)
			var want []int
			if ps := info.PartialLinearizations(); len(ps) > 0 {
				want = longestPartial(ps[0])
			}
			got := wglCheck(c.pm, c.ops, limit, time.Time{}, true, memoryBound{})
			if got.ok != (res == porcupine.Ok) || got.over != counter.over || got.steps != min(counter.n, limit) {
				t.Errorf("%s, limit %d: ok %v over %v steps %d; porcupine %v over %v steps %d",
					c.name, limit, got.ok, got.over, got.steps, res, counter.over, min(counter.n, limit))
			}
			if !slices.Equal(got.longest, want) {
				t.Errorf("%s, limit %d: longest partial linearization %v, porcupine %v", c.name, limit, got.longest, want)
			}
			quiet := wglCheck(c.pm, c.ops, limit, time.Time{}, false, memoryBound{})
			if quiet.ok != got.ok || quiet.over != got.over || (!got.over && quiet.steps != got.steps) {
				t.Errorf("%s, limit %d: without partials ok %v over %v steps %d, with %v %v %d", c.name, limit, quiet.ok, quiet.over, quiet.steps, got.ok, got.over, got.steps)
			}
		}
	}
}
