// Package faultlinetest runs Faultline scenarios from ordinary Go tests:
//
//	func TestRaftUnderPartitions(t *testing.T) {
//		sc, err := scenarios.LoadFile("testdata/partitions.yaml")
//		if err != nil {
//			t.Fatal(err)
//		}
//		faultlinetest.Run(t, sc, faultlinetest.Seeds(200))
//	}
//
// Each seed runs as its own subtest (seed-17), so a failure names its seed,
// and prints the exact command that reproduces it:
//
//	go test -run '^TestRaftUnderPartitions$/^seed-17$' -faultline.seed=17 ./mypkg
//
// The failing seed is replayed with full recording and its trace, history,
// Porcupine visualization, resolved scenario and verdict are written to
// t.ArtifactDir() (kept with go test -artifacts). Flags:
//
//	-faultline.seed=N     run only seed N
//	-faultline.seeds=N    run N seeds (overrides Seeds in the test)
//
// A scenario built in Go and the same scenario read from YAML give the
// same trace hash for the same seed.
package faultlinetest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

var (
	flagSeed  = flag.Int64("faultline.seed", -1, "run only this seed (default: the test's seeds)")
	flagSeeds = flag.Int("faultline.seeds", 0, "number of seeds to run (0: the test's own count)")
)

// Option configures Run.
type Option func(*config)

type config struct {
	first, count uint64
	opts         scenarios.RunOptions
}

// Seeds runs seeds 1..n (default 20).
func Seeds(n int) Option { return func(c *config) { c.count = uint64(n) } }

// FirstSeed starts the seeds at first instead of 1.
func FirstSeed(first uint64) Option { return func(c *config) { c.first = first } }

// WithRunOptions sets the per-seed run options (check budget and the like).
func WithRunOptions(o scenarios.RunOptions) Option { return func(c *config) { c.opts = o } }

// Run runs the scenario over the seeds, one subtest per seed, and fails
// each seed that is not valid with its verdict, its artifacts and the
// command that reproduces it. It returns the outcomes (for tests that
// assert more).
func Run(t *testing.T, sc *scenarios.Scenario, options ...Option) []scenarios.Outcome {
	t.Helper()
	c := config{first: 1, count: 20}
	for _, o := range options {
		o(&c)
	}
	if *flagSeeds > 0 {
		c.count = uint64(*flagSeeds)
	}
	if c.count == 0 {
		t.Fatal("faultlinetest: Seeds(0) runs nothing")
	}
	first, last := c.first, c.first+c.count-1
	if *flagSeed >= 0 {
		first, last = uint64(*flagSeed), uint64(*flagSeed)
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	var outs []scenarios.Outcome
	for seed := first; ; seed++ {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			o := scenarios.RunSeed(sc, seed, c.opts)
			outs = append(outs, o)
			if !o.Failed() {
				return
			}
			repro := ReproLine(t.Name(), seed)
			dir := t.ArtifactDir()
			replay := scenarios.Replay(sc, seed, scenarios.RunOptions{CheckBudget: c.opts.CheckBudget, VisualizationPath: filepath.Join(dir, scenarios.VisualFile)})
			if err := scenarios.WriteOutcome(dir, sc, &replay, repro); err != nil {
				t.Logf("writing artifacts: %v", err)
			}
			t.Errorf("%s\nartifacts: %s (keep them with go test -artifacts)\nreproduce: %s", scenarios.Explain(sc, &o, repro), dir, repro)
		})
		if seed == last {
			break
		}
	}
	return outs
}

// ReproLine is the go test command that reruns one seed of a (sub)test.
func ReproLine(testName string, seed uint64) string {
	parts := strings.Split(testName, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	pkg := "."
	if wd, err := os.Getwd(); err == nil {
		pkg = "./" + filepath.Base(wd)
		if mod := moduleRoot(wd); mod != "" {
			if rel, err := filepath.Rel(mod, wd); err == nil {
				pkg = "./" + filepath.ToSlash(rel)
			}
		}
	}
	return fmt.Sprintf("go test -run '%s' -faultline.seed=%d %s", strings.Join(parts, "/"), seed, pkg)
}

func moduleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
