package scenarios_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/raftkv/raftkvkind"
	"github.com/faultline/faultline/scenarios"
)

func TestSafeDirName(t *testing.T) {
	for in, want := range map[string]string{
		"raft-kv-basic":             "raft-kv-basic",
		"../../../../elsewhere/x":   "_.__..__..__..__elsewhere__x",
		".hidden":                   "_hidden",
		"a/b":                       "a__b",
		"tab\tnew\nline":            "tab_new_line",
		"":                          "unnamed",
		"cap-partitions/raft (n=3)": "cap-partitions__raft__n_3_",
	} {
		got := scenarios.SafeDirName(in)
		if got != want || strings.ContainsAny(got, `/\`) || filepath.Base(got) != got {
			t.Errorf("SafeDirName(%q) = %q, want %q", in, got, want)
		}
	}
	if long := scenarios.SafeDirName(strings.Repeat("x", 200)); len(long) != 80 {
		t.Errorf("a long name gives %d bytes", len(long))
	}
}

// A sweep writes only what it names: it does not follow a symlinked
// results file, and it does not replace a seed directory it did not write.
func TestSweepWritesOnlyItsOwnFiles(t *testing.T) {
	sc, err := scenarios.LoadFile("bugs/no-sessions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "elsewhere.txt")
	os.WriteFile(target, []byte("the user's\n"), 0o644)
	os.Symlink(target, filepath.Join(dir, "results.jsonl"))
	if _, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 1, Out: dir}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a symlinked results file: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "the user's\n" {
		t.Errorf("the link's target was written: %q", b)
	}

	dir = t.TempDir()
	mine := filepath.Join(dir, "seed-1", "notes.txt")
	os.MkdirAll(filepath.Dir(mine), 0o755)
	os.WriteFile(mine, []byte("keep me"), 0o644)
	sum, _ := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 1, Out: dir})
	if b, err := os.ReadFile(mine); err != nil || string(b) != "keep me" {
		t.Errorf("the user's seed-1/notes.txt: %q, %v", b, err)
	}
	if sum == nil || len(sum.Failures) != 1 || !strings.Contains(sum.Failures[0].Reason, "was not written by Faultline") {
		t.Errorf("the failure should say its artifacts were not written: %+v", sum)
	}
	// A directory Faultline wrote is replaced by the next run's.
	dir = t.TempDir()
	for i := 0; i < 2; i++ {
		os.Remove(filepath.Join(dir, "results.jsonl"))
		if _, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 1, Out: dir}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "seed-1", scenarios.TraceFile)); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
}

// Two sweeps into one directory: the second fails at once.
func TestOutputDirectoryIsLocked(t *testing.T) {
	sc, err := scenarios.LoadFile("testdata/quick.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	entered := make(chan bool)
	release := make(chan bool)
	done := make(chan error)
	go func() {
		_, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 2, Out: dir, Workers: 1,
			Progress: func(p scenarios.Progress) {
				if p.Done == 1 {
					entered <- true
					<-release
				}
			}})
		done <- err
	}()
	<-entered
	_, err = scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 3, Last: 3, Out: dir})
	close(release)
	if err == nil || !strings.Contains(err.Error(), "another sweep is writing to") {
		t.Errorf("a second sweep into the same directory: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 3, Last: 3, Out: dir}); err != nil {
		t.Errorf("after the first ended: %v", err)
	}
}

// Results of another build do not mix with this one's, unless forced.
func TestResumeRefusesAnotherBuild(t *testing.T) {
	sc, err := scenarios.LoadFile("testdata/quick.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 1, Out: dir}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "results.jsonl")
	b, _ := os.ReadFile(path)
	first, rest, _ := strings.Cut(string(b), "\n")
	if !strings.Contains(first, `"build":`) {
		t.Fatalf("the header records no build: %s", first)
	}
	other := strings.Replace(first, `"build":"`, `"build":"example.com/old@v0.1.0 `, 1)
	os.WriteFile(path, []byte(other+"\n"+rest), 0o644)
	if _, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 2, Out: dir}); err == nil || !strings.Contains(err.Error(), "another build") {
		t.Errorf("resuming another build's results: %v", err)
	}
	if sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 2, Out: dir, Force: true}); err != nil || sum.Resumed != 1 {
		t.Errorf("forced: %v %+v", err, sum)
	}
}

// A node that panics with megabytes of text still leaves a results line a
// resume reads: every text of an outcome is bounded.
func TestHugePanicIsBounded(t *testing.T) {
	sc, err := scenarios.Parse("h.yaml", []byte("name: h\ncluster: {node: test-huge-panic, size: 3}\nrun: {duration: 1s, heal: 1s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 2, Out: dir})
	if err != nil || sum.Counts[scenarios.StatusPanic] != 2 {
		t.Fatalf("%v %+v", err, sum)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "results.jsonl"))
	if len(b) > 1<<20 {
		t.Errorf("results file is %d bytes for two seeds", len(b))
	}
	if sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 3, Out: dir}); err != nil || sum.Resumed != 2 {
		t.Errorf("resume: %v %+v", err, sum)
	}
}

// registerHugePanic registers the node kind of TestHugePanicIsBounded
// (from init: registered kinds appear in load errors' candidate lists).
func registerHugePanic() {
	k := raftkvkind.Kind()
	k.Name = "test-huge-panic"
	k.Help = "Raft KV whose n1 panics with 6 MB of text at start (a test fixture)"
	build := k.Build
	k.Build = func(params scenarios.Params, size int) (*scenarios.Protocol, error) {
		p, err := build(params, size)
		if err != nil {
			return nil, err
		}
		inner := p.Factory
		p.Factory = func(id nodes.ID) nodes.Node {
			if id == 1 {
				panic(strings.Repeat("boom ", 6<<20/5))
			}
			return inner(id)
		}
		return p, nil
	}
	scenarios.RegisterNode(k)
}

// leaky counts starts across every world of the process: state shared
// between runs, the nondeterminism a sweep must catch.
var leaky atomic.Int64

// leakyNode logs a line whose format depends on leaky, so two runs of one
// seed hash differently.
type leakyNode struct{ nodes.Node }

func (n leakyNode) Start(env nodes.Env) {
	env.Logf(fmt.Sprintf("start number %d of this process", leaky.Add(1)))
	n.Node.Start(env)
}

// registerLeaky registers "test-leaky": Raft KV (its planted bugs
// available) whose nodes share a counter across runs.
func registerLeaky() {
	k := raftkvkind.Kind()
	k.Name = "test-leaky"
	k.Help = "Raft KV whose nodes share a counter across runs (a nondeterministic test fixture)"
	k.Invariants, k.Digest, k.Leader = false, false, false
	build := k.Build
	k.Build = func(params scenarios.Params, size int) (*scenarios.Protocol, error) {
		p, err := build(params, size)
		if err != nil {
			return nil, err
		}
		inner := p.Factory
		p.Factory = func(id nodes.ID) nodes.Node { return leakyNode{inner(id)} }
		p.Invariants, p.Digest = nil, nil
		return p, nil
	}
	scenarios.RegisterNode(k)
}

// A protocol that is not deterministic is reported as such by the sweep:
// a failing seed's replay must hash as its run did, and a sampled seed is
// run twice more and compared.
func TestSweepReportsNondeterminism(t *testing.T) {
	sc, err := scenarios.Parse("leaky.yaml", []byte(`name: leaky
cluster: {node: test-leaky, size: 3, params: {bugs: no-sessions}}
network: {latency: uniform(1ms, 20ms), drop: 1/10, duplicate: 1/20}
workload: {kind: kv, clients: 4, keys: 2, mix: {get: 40, append: 60}, timeout: 1s}
run: {duration: 5s, heal: 3s}
check: [linearizable, liveness]
`))
	if err != nil {
		t.Fatal(err)
	}
	// Failing seeds, with artifacts: the replay parts from the run.
	sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 2, Out: t.TempDir(), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[scenarios.StatusNondeterministic] == 0 || sum.Worst() != scenarios.StatusNondeterministic {
		t.Fatalf("counts %v: want the failing seeds reported nondeterministic", sum.Counts)
	}
	f := sum.Failures[0]
	if !strings.Contains(f.Reason, "is not deterministic") || !strings.Contains(f.Reason, "diverge at event") {
		t.Errorf("reason lacks the divergence:\n%s", f.Reason)
	}
	// Without artifacts, only the sampled verification catches it.
	sc.Cluster.Params = nil
	sum, err = scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 2, Workers: 1, VerifyDeterminism: 1})
	if err != nil || sum.Counts[scenarios.StatusNondeterministic] != 2 {
		t.Fatalf("%v: counts %v, want both seeds nondeterministic", err, sum.Counts)
	}
	if got := scenarios.StatusNondeterministic.ExitCode(); got != scenarios.ExitNondeterministic {
		t.Errorf("exit code %d", got)
	}
	// The control: a deterministic protocol passes the same verification.
	good, err := scenarios.LoadFile("testdata/quick.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sum, err = scenarios.Sweep(context.Background(), good, scenarios.SweepOptions{First: 1, Last: 2, Workers: 1, VerifyDeterminism: 1})
	if err != nil || sum.Counts[scenarios.StatusValid] != 2 {
		t.Fatalf("%v: counts %v, want both seeds valid", err, sum.Counts)
	}
}
