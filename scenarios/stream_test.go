package scenarios_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim/trace"
)

// longScenario runs until its event budget: a stand-in for a livelock
// (the run ends the same way, OutcomeBudget, after many events).
const longScenario = `name: long
cluster: {node: raftkv, size: 3}
workload: {kind: kv, clients: 2, keys: 2, timeout: 1s}
run: {duration: 1h, heal: 1s, max_events: 60000}
check: [linearizable, liveness]
`

func readTrace(t *testing.T, path string) (*trace.File, int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := trace.Read(bytes.NewReader(b), path)
	if err != nil {
		t.Fatal(err)
	}
	return f, int64(len(b))
}

// Streaming the trace to disk as the run goes writes, byte for byte, the
// file that holding every event and writing them afterwards did.
func TestReplayToStreamsTheSameTrace(t *testing.T) {
	sc, err := scenarios.LoadFile("bugs/no-sessions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 20; seed++ {
		o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{})
		if o.Status != scenarios.StatusInvalid {
			continue
		}
		held, streamed := t.TempDir(), t.TempDir()
		r := scenarios.Replay(sc, seed, scenarios.RunOptions{})
		if err := scenarios.WriteOutcome(held, sc, &r, "REPRO"); err != nil {
			t.Fatal(err)
		}
		s, err := scenarios.ReplayTo(sc, seed, streamed, scenarios.RunOptions{}, "REPRO")
		if err != nil {
			t.Fatal(err)
		}
		if s.Hash != o.Hash || s.Status != o.Status || s.Trace != nil {
			t.Fatalf("seed %d: streamed replay hash %s status %s (%d events kept), run hash %s status %s",
				seed, s.Hash, s.Status, len(s.Trace), o.Hash, o.Status)
		}
		for _, name := range []string{scenarios.TraceFile, scenarios.HistoryFile, scenarios.ExplanationFile} {
			a, _ := os.ReadFile(filepath.Join(held, name))
			b, _ := os.ReadFile(filepath.Join(streamed, name))
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("seed %d: %s: streamed file (%d bytes) differs from the held one (%d bytes)", seed, name, len(b), len(a))
			}
		}
		f, _ := readTrace(t, filepath.Join(streamed, scenarios.TraceFile))
		if f.Footer == nil || f.Footer.Truncated != 0 || f.Events[len(f.Events)-1].ViolationType() != trace.ViolationLinearizability {
			t.Errorf("seed %d: want a whole trace ending with the checker's violation, footer %+v", seed, f.Footer)
		}
		return
	}
	t.Fatal("the no-sessions bug was not caught in 20 seeds")
}

// A seed that runs out of its event budget (as a livelock does): its artifact trace stops at the bound with a truncation
// mark; the footer counts what was left out and still carries the whole
// run's hash, which is the sweep's.
func TestArtifactTraceIsBounded(t *testing.T) {
	sc, err := scenarios.Parse("long.yaml", []byte(longScenario))
	if err != nil {
		t.Fatal(err)
	}
	const max = 64 << 10
	run := scenarios.RunOptions{TraceMaxBytes: max}
	out := t.TempDir()
	sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 1, Out: out, Run: run})
	if err != nil {
		t.Fatal(err)
	}
	o := sum.Failures[0]
	if o.Status != scenarios.StatusLiveness || o.SimEnd != "budget" {
		t.Fatalf("sweep: %s, ended by %s (%s); want liveness on the event budget (a streamed replay whose hash differed would be nondeterministic)", o.Status, o.SimEnd, o.Reason)
	}
	f, size := readTrace(t, filepath.Join(out, "seed-1", scenarios.TraceFile))
	if size > max+64<<10 {
		t.Errorf("trace file is %d bytes, bound %d", size, max)
	}
	ft := f.Footer
	if ft == nil {
		t.Fatal("a truncated trace still ends with its footer")
	}
	last := f.Events[len(f.Events)-1]
	if last.MarkType() != trace.MarkTruncated || !strings.Contains(last.Text, "--trace-max") {
		t.Errorf("last event %v, want the truncation mark", last)
	}
	written := uint64(len(f.Events) - 1)
	if ft.Truncated == 0 || written+ft.Truncated != ft.Events || ft.Events != o.Events || ft.Hash != o.Hash {
		t.Errorf("footer %+v: %d events written, want written+truncated = events = %d and hash %s", ft, written, o.Events, o.Hash)
	}
	if last.Seq != f.Events[len(f.Events)-2].Seq+1 {
		t.Errorf("the mark's seq %d is not the first event left out (after %d)", last.Seq, f.Events[len(f.Events)-2].Seq)
	}
}

// No half-written seed directory stays behind when writing the artifacts
// fails: here the seed's directory is taken by a file Faultline did not
// write, so the rename is refused.
func TestArtifactsLeaveNoTmpOnError(t *testing.T) {
	sc, err := scenarios.Parse("long.yaml", []byte(longScenario))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "seed-1"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = scenarios.WriteArtifacts(sc, 1, out, scenarios.RunOptions{TraceMaxBytes: 64 << 10}, "")
	if err == nil || !strings.Contains(err.Error(), "leaving it alone") {
		t.Fatalf("err %v, want the refusal to replace seed-1", err)
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if fmt.Sprint(names) != "[seed-1]" {
		t.Errorf("out holds %v, want only seed-1 (no seed-1.tmp)", names)
	}
}
