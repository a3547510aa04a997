package scenarios_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	fuzz "github.com/google/gofuzz"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

// Coverage-guided fuzzing of whole scenarios: gofuzz turns the fuzzer's
// bytes into a Raft KV scenario — cluster size, clients, keys, operation
// mix, network, and a scripted fault schedule — through custom fill
// functions that keep every value in a sane range. The run is an ordinary
// scenario run; a failure prints the derived scenario as YAML and the
// `faultline replay` line that reproduces it.
//
//	go test -run '^$' -fuzz '^FuzzRaftKV$' -fuzztime 5m ./scenarios
//	FAULTLINE_FUZZ_BUG=follower-reads go test -run '^$' -fuzz FuzzRaftKVBug -fuzztime 5m ./scenarios
//
// FuzzRaftKV runs the correct protocol: any failure is a bug (in Raft KV
// or in Faultline). FuzzRaftKVBug plants the bugs named by
// FAULTLINE_FUZZ_BUG (cluster.params.bugs syntax) and is skipped without
// it; it measures how fast the fuzzer finds a planted bug.

// fuzzCase is what the fuzzer's bytes decode to.
type fuzzCase struct {
	Seed     uint64
	Size     int
	Clients  int
	Keys     int
	ReadMode string
	Mix      fuzzMix
	Net      fuzzNet
	Steps    []fuzzStep
	Duration time.Duration
}

type fuzzMix struct{ Get, Put, Append, CAS int }

type fuzzNet struct {
	LatencyMin, LatencyMax time.Duration
	Drop                   sim.Ratio
}

type fuzzStep struct {
	At, For time.Duration
	Fault   string
}

// fuzzKinds are the fault kinds the fuzzer schedules: every default
// generated kind (each a fault Raft must survive within the budget).
var fuzzKinds = nemesis.DefaultKinds

// decodeFuzz maps bytes to a case. Every draw is bounded by a fill
// function, so any input gives a runnable scenario.
func decodeFuzz(data []byte) fuzzCase {
	f := fuzz.NewFromGoFuzz(data).NilChance(0).Funcs(
		func(fc *fuzzCase, c fuzz.Continue) {
			fc.Seed = c.Uint64() % 1_000_000
			fc.Size = 3 + c.Intn(3)
			fc.Clients = 1 + c.Intn(4)
			fc.Keys = 1 + c.Intn(3)
			fc.ReadMode = []string{"readindex", "log", "lease"}[c.Intn(3)]
			fc.Duration = time.Duration(500+c.Intn(2500)) * time.Millisecond
			c.Fuzz(&fc.Mix)
			c.Fuzz(&fc.Net)
			fc.Steps = make([]fuzzStep, c.Intn(5))
			for i := range fc.Steps {
				c.Fuzz(&fc.Steps[i])
				fc.Steps[i].At = fc.Steps[i].At % fc.Duration
			}
		},
		func(m *fuzzMix, c fuzz.Continue) {
			m.Get, m.Put, m.Append, m.CAS = c.Intn(11), c.Intn(11), c.Intn(6), c.Intn(6)
			if m.Get+m.Put+m.Append+m.CAS == 0 {
				m.Put = 1
			}
		},
		func(n *fuzzNet, c fuzz.Continue) {
			a, b := time.Duration(1+c.Intn(20))*time.Millisecond, time.Duration(1+c.Intn(20))*time.Millisecond
			n.LatencyMin, n.LatencyMax = min(a, b), max(a, b)
			if c.Intn(3) == 0 {
				n.Drop = sim.Ratio{Num: uint32(1 + c.Intn(5)), Den: 100}
			}
		},
		func(s *fuzzStep, c fuzz.Continue) {
			s.At = time.Duration(c.Intn(4000)) * time.Millisecond
			if c.Intn(4) != 0 {
				s.For = time.Duration(50+c.Intn(2000)) * time.Millisecond
			}
			kind := fuzzKinds[c.Intn(len(fuzzKinds))]
			// The generator draws a well-formed fault of the kind (targets,
			// ratios, offsets) from its own stream.
			g, err := nemesis.Generate(c.Uint64(), nemesis.GenOptions{Kinds: []string{kind},
				Interval: nemesis.Fixed(time.Millisecond), Duration: nemesis.Fixed(time.Millisecond), End: time.Second})
			if err != nil || len(g.Steps) == 0 {
				panic(fmt.Sprintf("fuzz: generating a %s fault: %v", kind, err))
			}
			s.Fault = g.Steps[0].Fault.String()
		},
	)
	var fc fuzzCase
	f.Fuzz(&fc)
	return fc
}

// scenario builds the case's scenario with the given planted bugs.
func (fc fuzzCase) scenario(name, bugs string) *scenarios.Scenario {
	sc := &scenarios.Scenario{
		Name:        name,
		Description: "derived by go test -fuzz from gofuzz bytes",
		Cluster:     scenarios.Cluster{Node: "raftkv", Size: fc.Size},
		Network:     scenarios.Network{Latency: sim.UniformDist(fc.Net.LatencyMin, fc.Net.LatencyMax), Drop: fc.Net.Drop},
		Workload: scenarios.Workload{Kind: "kv", Clients: fc.Clients, Keys: fc.Keys, Mix: []scenarios.MixEntry{
			{Op: "get", Weight: fc.Mix.Get}, {Op: "put", Weight: fc.Mix.Put},
			{Op: "append", Weight: fc.Mix.Append}, {Op: "cas", Weight: fc.Mix.CAS}}},
		Run:   scenarios.RunSpec{Duration: fc.Duration, Heal: 3 * time.Second},
		Check: []string{"linearizable", "invariants", "liveness"},
	}
	if fc.ReadMode != "readindex" {
		sc.Cluster.Params = append(sc.Cluster.Params, scenarios.Param{Key: "read_mode", Value: fc.ReadMode})
	}
	if bugs != "" {
		sc.Cluster.Params = append(sc.Cluster.Params, scenarios.Param{Key: "bugs", Value: bugs})
	}
	steps := append([]fuzzStep(nil), fc.Steps...)
	// Script steps in time order (a stable insertion sort keeps ties).
	for i := 1; i < len(steps); i++ {
		for j := i; j > 0 && steps[j].At < steps[j-1].At; j-- {
			steps[j], steps[j-1] = steps[j-1], steps[j]
		}
	}
	for _, st := range steps {
		sc.Nemesis.Script = append(sc.Nemesis.Script, scenarios.Step{At: st.At, For: st.For, Fault: st.Fault})
	}
	return sc
}

// runFuzzCase runs the scenario the bytes decode to and fails the test
// with a replayable scenario when the run fails.
func runFuzzCase(t *testing.T, data []byte, name, bugs string) {
	fc := decodeFuzz(data)
	sc := fc.scenario(name, bugs)
	if err := sc.Validate(); err != nil {
		t.Fatalf("derived scenario is invalid (a bug in the fill functions): %v\n%s", err, scenarios.Format(sc))
	}
	o := scenarios.RunSeed(sc, fc.Seed, fuzzRunOptions)
	if !definite(o) {
		if o.Status == scenarios.StatusUnknown {
			t.Logf("seed %d: no verdict: %s", fc.Seed, firstLineOf(o.Reason))
		}
		return
	}
	if bugs != "" {
		// Only the planted bug counts: an input on which the correct
		// protocol fails too is FuzzRaftKV's to report.
		if c := scenarios.RunSeed(fc.scenario(name, ""), fc.Seed, fuzzRunOptions); definite(c) {
			t.Logf("the correct protocol fails this input too (%s: %s): not the planted bug", c.Status, firstLineOf(c.Reason))
			return
		}
	}
	yml := scenarios.Format(sc)
	path := filepath.Join(t.ArtifactDir(), "scenario.yaml")
	if err := os.WriteFile(path, yml, 0o644); err != nil {
		t.Log(err)
	}
	t.Fatalf("%s: seed %d: %s: %s\nderived scenario (also in %s):\n%s\nreproduce: faultline replay %s --seed %d\n(save the YAML above to a file if the artifact directory is gone; go test -artifacts keeps it)",
		name, fc.Seed, o.Status, firstLineOf(o.Reason), path, indentText(string(yml)), path, fc.Seed)
}

// fuzzRunOptions bound the linearizability check: a history Porcupine
// cannot decide in time is Unknown, which the fuzz targets do not count
// as a finding.
var fuzzRunOptions = scenarios.RunOptions{CheckBudget: 2 * time.Second}

// definite reports whether a run failed with a verdict: a violation, a
// liveness failure or a panic (not Unknown).
func definite(o scenarios.Outcome) bool {
	return o.Failed() && o.Status != scenarios.StatusUnknown
}

func FuzzRaftKV(f *testing.F) {
	for _, s := range []string{"", "faultline", "\x00\x01\x02\x03\x04\x05\x06\x07partition", "crash storms and clock jumps in a five node cluster"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runFuzzCase(t, data, "fuzz-raftkv", "")
	})
}

// fuzzBugEnv names the bugs FuzzRaftKVBug plants.
const fuzzBugEnv = "FAULTLINE_FUZZ_BUG"

func FuzzRaftKVBug(f *testing.F) {
	bugs := os.Getenv(fuzzBugEnv)
	f.Fuzz(func(t *testing.T, data []byte) {
		if bugs == "" {
			t.Skipf("set %s to plant bugs (such as follower-reads)", fuzzBugEnv)
		}
		runFuzzCase(t, data, "fuzz-raftkv-"+strings.ReplaceAll(bugs, ",", "-"), bugs)
	})
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func indentText(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// The decoder is total and deterministic: the same bytes give the same
// scenario, every scenario is valid, and different bytes explore
// different shapes.
func TestFuzzDecode(t *testing.T) {
	shapes := map[string]bool{}
	for i := 0; i < 200; i++ {
		data := []byte(fmt.Sprintf("input %d %s", i, strings.Repeat("x", i%40)))
		a, b := decodeFuzz(data), decodeFuzz(data)
		ya, yb := scenarios.Format(a.scenario("x", "")), scenarios.Format(b.scenario("x", ""))
		if string(ya) != string(yb) {
			t.Fatalf("input %d decodes two ways", i)
		}
		sc := a.scenario("x", "")
		if err := sc.Validate(); err != nil {
			t.Fatalf("input %d: %v\n%s", i, err, ya)
		}
		shapes[fmt.Sprint(a.Size, a.Clients, len(a.Steps))] = true
	}
	if len(shapes) < 20 {
		t.Errorf("200 inputs gave only %d shapes", len(shapes))
	}
}

// The inputs the fuzzer found for planted bugs (from an empty corpus; see
// docs/BENCHMARKS.md) are kept as testdata/fuzz/FuzzRaftKVBug/BUG-HASH.
// Each must still fail with its bug planted, pass without it, and its
// derived scenario must replay from YAML with the same trace.
func TestFuzzFoundInputsReplay(t *testing.T) {
	files, _ := filepath.Glob("testdata/fuzz/FuzzRaftKVBug/*")
	if len(files) == 0 {
		t.Skip("no found inputs")
	}
	for _, path := range files {
		name := filepath.Base(path)
		i := strings.LastIndex(name, "-")
		if i < 0 {
			continue
		}
		bug := name[:i]
		t.Run(name, func(t *testing.T) {
			data, err := readCorpusEntry(path)
			if err != nil {
				t.Fatal(err)
			}
			fc := decodeFuzz(data)
			sc := fc.scenario("fuzz-raftkv-"+bug, bug)
			if err := sc.Validate(); err != nil {
				t.Fatal(err)
			}
			o := scenarios.RunSeed(sc, fc.Seed, scenarios.RunOptions{})
			if !definite(o) {
				t.Fatalf("with %s planted, seed %d passes", bug, fc.Seed)
			}
			back, err := scenarios.Parse("derived.yaml", scenarios.Format(sc))
			if err != nil {
				t.Fatal(err)
			}
			if re := scenarios.RunSeed(back, fc.Seed, scenarios.RunOptions{}); re.Hash != o.Hash || re.Status != o.Status {
				t.Fatalf("YAML replay differs: %s %s vs %s %s", re.Status, re.Hash, o.Status, o.Hash)
			}
			clean := fc.scenario("fuzz-raftkv", "")
			if err := clean.Validate(); err != nil {
				t.Fatal(err)
			}
			if c := scenarios.RunSeed(clean, fc.Seed, scenarios.RunOptions{}); definite(c) {
				t.Fatalf("the correct protocol fails the same input: %s: %s", c.Status, c.Reason)
			}
			t.Logf("%s: seed %d %s (%d ops, faults %v)", bug, fc.Seed, o.Status, o.Ops, o.Faults)
		})
	}
}

// readCorpusEntry reads a one-value []byte corpus file ("go test fuzz v1").
func readCorpusEntry(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		return nil, fmt.Errorf("%s: not a one-value corpus file", path)
	}
	lit, ok := strings.CutPrefix(lines[1], "[]byte(")
	lit, ok2 := strings.CutSuffix(lit, ")")
	if !ok || !ok2 {
		return nil, fmt.Errorf("%s: want []byte(\"...\")", path)
	}
	s, err := strconv.Unquote(lit)
	return []byte(s), err
}
