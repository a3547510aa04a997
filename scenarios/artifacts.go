package scenarios

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/internal/shell"
	"github.com/faultline/faultline/sim/trace"
)

// Artifact file names inside a seed's directory.
const (
	TraceFile       = "trace.jsonl"
	HistoryFile     = "history.jsonl"
	VisualFile      = "linearizability.html"
	ScenarioFile    = "scenario.yaml"
	ExplanationFile = "verdict.txt"
)

// Replay runs one seed with full recording and returns its outcome with
// the trace and history kept.
func Replay(sc *Scenario, seed uint64, opts RunOptions) Outcome {
	opts.Record = true
	opts.KeepTrace = true
	return RunSeed(sc, seed, opts)
}

// WriteArtifacts replays seed with full recording and writes, under
// dir/seed-N/, the trace, the history, Porcupine's visualization (when
// linearizability failed), the resolved scenario and the verdict. The
// directory appears atomically: it is written under a temporary name and
// renamed. repro is the command line that reproduces the seed, written
// into the trace header and the verdict ("" : ReplayLine's).
func WriteArtifacts(sc *Scenario, seed uint64, dir string, opts RunOptions, repro string) error {
	_, err := writeArtifacts(sc, seed, dir, opts, repro)
	return err
}

// writeArtifacts is WriteArtifacts returning the replay's hash, which a
// sweep compares with its own run's.
func writeArtifacts(sc *Scenario, seed uint64, dir string, opts RunOptions, repro string) (hash string, err error) {
	final := filepath.Join(dir, fmt.Sprintf("seed-%d", seed))
	tmp := final + ".tmp"
	if err := noSymlink(tmp); err != nil {
		return "", err
	}
	os.RemoveAll(tmp) // a half-written one of ours, from an interrupted sweep
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", err
	}
	renamed := false
	defer func() {
		if !renamed {
			os.RemoveAll(tmp) // an error, or a panic on its way up: no half-written directory stays
		}
	}()
	opts.VisualizationPath = filepath.Join(tmp, VisualFile)
	o, err := ReplayTo(sc, seed, tmp, opts, repro)
	if err != nil {
		return "", err
	}
	if err := replaceDir(tmp, final); err != nil {
		return "", err
	}
	renamed = true
	return o.Hash, nil
}

// ReplayLine is the stock faultline command that reproduces a seed of a
// scenario (binaries built on cmd/faultline/cli name themselves instead,
// through SweepOptions.Repro).
func ReplayLine(sc *Scenario, seed uint64) string {
	file := sc.Source
	if file == "" {
		file = "SCENARIO.yaml"
	}
	return fmt.Sprintf("faultline replay %s --seed %d", shell.Quote(file), seed)
}

// WriteOutcome writes a replayed outcome's files into dir: the trace, the
// history, the scenario, the verdict, and the registered artifacts
// (RegisterArtifact) drawn from the trace.
func WriteOutcome(dir string, sc *Scenario, o *Outcome, repro string) error {
	if err := WriteTrace(filepath.Join(dir, TraceFile), sc, o, repro); err != nil {
		return err
	}
	return writeOutcomeFiles(dir, sc, o, repro)
}

// writeOutcomeFiles writes every file of WriteOutcome but the trace, which
// dir already holds; the registered artifacts last, so they may read the
// others.
func writeOutcomeFiles(dir string, sc *Scenario, o *Outcome, repro string) error {
	if o.History != nil {
		f, err := os.Create(filepath.Join(dir, HistoryFile))
		if err != nil {
			return err
		}
		err = checker.WriteJSON(f, o.History)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ScenarioFile), Format(sc), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, writtenMark), []byte("written by faultline; its directory may be replaced by the next run\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ExplanationFile), []byte(Explain(sc, o, repro)), 0o644); err != nil {
		return err
	}
	return writeArtifactKinds(dir)
}

// Highlight returns the viewer's --highlight argument for the operations
// a failed linearizability check named (client@invoke, comma-separated),
// or "" if there are none.
func Highlight(o *Outcome) string {
	if o.History == nil {
		return ""
	}
	var parts []string
	for i, idx := range o.Check.Involved {
		if i == 8 || idx < 0 || idx >= len(o.History.Ops) {
			break
		}
		op := &o.History.Ops[idx]
		parts = append(parts, op.Client.String()+"@"+strings.TrimSuffix(trace.FormatTime(op.Invoke), "s")+"s")
	}
	return strings.Join(parts, ",")
}

// checkerViolation is the event a trace file ends with when the offline
// linearizability check failed: the simulator never saw that failure, so
// the file records it for viewers, naming the culprit client and carrying
// the operations to highlight in Note. It is not part of the run's hash.
// next is the sequence number after the run's last event (0: none).
func checkerViolation(o *Outcome, next uint64) *trace.Event {
	hl := Highlight(o)
	if o.Check.Verdict != checker.Invalid || hl == "" {
		return nil
	}
	e := &trace.Event{At: o.Virtual, Kind: trace.Violation, Type: string(trace.ViolationLinearizability), Note: hl,
		Text: strings.SplitN(o.Check.Explanation, "\n", 2)[0]}
	e.Seq = next
	if len(o.Check.Involved) > 0 {
		e.Node = o.History.Ops[o.Check.Involved[0]].Client
	}
	return e
}

// WriteTrace writes an outcome's kept events as a trace file.
func WriteTrace(path string, sc *Scenario, o *Outcome, repro string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	drawn := ApplySwarm(sc, o.Seed)
	tw, err := trace.NewWriter(f, trace.Header{Seed: o.Seed, Scenario: sc.Name, Nodes: drawn.Cluster.Size, Clients: drawn.Workload.Clients, Repro: repro})
	for i := range o.Trace {
		if err != nil {
			break
		}
		err = tw.Write(&o.Trace[i])
	}
	next := uint64(0)
	if n := len(o.Trace); n > 0 {
		next = o.Trace[n-1].Seq + 1
	}
	if v := checkerViolation(o, next); err == nil && v != nil {
		err = tw.Write(v)
	}
	if err == nil {
		err = tw.Close(trace.Footer{Events: o.Events, At: o.Virtual, Hash: o.Hash, Outcome: o.SimEnd, Status: string(o.Status)})
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Explain renders an outcome for a person: verdict, reason, each check,
// and the line that reproduces it.
func Explain(sc *Scenario, o *Outcome, repro string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s, seed %d: %s\n", sc.Name, o.Seed, strings.ToUpper(string(o.Status)))
	if o.Reason != "" {
		fmt.Fprintf(&b, "  why: %s\n", o.Reason)
	}
	fmt.Fprintf(&b, "  run: %d events, %s virtual, ended by %s, trace hash %s\n", o.Events, trace.FormatTime(o.Virtual), o.SimEnd, o.Hash)
	fmt.Fprintf(&b, "  history: %d operations; faults fired: %s\n", o.Ops, strings.Join(o.Faults, ", "))
	for _, c := range o.Checks {
		note := ""
		if c.Measured && c.Verdict != checker.Valid {
			note = fmt.Sprintf(" (measured: beyond the promise %q, not a failure)", sc.Promise)
		}
		fmt.Fprintf(&b, "  check %-22s %s%s\n", c.Name, c.Verdict, note)
		if len(c.Metrics) > 0 {
			var ms []string
			for _, m := range c.Metrics {
				ms = append(ms, fmt.Sprintf("%s %s", m.Name, strconv.FormatFloat(m.Value, 'g', 4, 64)))
			}
			fmt.Fprintf(&b, "      %s\n", strings.Join(ms, " · "))
		}
		if c.Explanation != "" && (c.Verdict != checker.Valid || c.Measured) {
			for _, line := range strings.Split(strings.TrimRight(c.Explanation, "\n"), "\n") {
				fmt.Fprintf(&b, "      %s\n", line)
			}
		}
	}
	if o.Stack != "" {
		fmt.Fprintf(&b, "  stack:\n%s\n", indent(o.Stack, "      "))
	}
	fmt.Fprintf(&b, "  reproduce: %s\n", repro)
	return b.String()
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = pre + lines[i]
	}
	return strings.Join(lines, "\n")
}

// An ArtifactKind is one more file written into every seed directory,
// drawn from the trace as written (the faultline command registers the
// plots, the Perfetto export and the seed's index page; the runner itself
// draws nothing). Registered artifacts are written after the seed's own
// files, in the order they were registered.
type ArtifactKind struct {
	File  string
	Write func(w io.Writer, f *trace.File) error
	// WriteIn, if set, is used instead of Write and is also given the
	// seed's directory, to read what is written there already (a page
	// that links to and embeds the other files).
	WriteIn func(w io.Writer, f *trace.File, dir string) error
	// Kinds, if set, are the only event kinds Write (or WriteIn) reads:
	// the trace is read back with those alone, so a long trace costs the
	// memory of what is drawn (nil: every event).
	Kinds []trace.Kind
}

var (
	artifactMu    sync.Mutex
	artifactKinds []ArtifactKind
)

// RegisterArtifact adds an artifact to every seed directory written from
// now on. Registering a file name twice replaces the first.
func RegisterArtifact(a ArtifactKind) {
	artifactMu.Lock()
	defer artifactMu.Unlock()
	for i := range artifactKinds {
		if artifactKinds[i].File == a.File {
			artifactKinds[i] = a
			return
		}
	}
	artifactKinds = append(artifactKinds, a)
}

// writeArtifactKinds draws the registered artifacts from the trace in dir.
func writeArtifactKinds(dir string) error {
	artifactMu.Lock()
	kinds := slices.Clone(artifactKinds)
	artifactMu.Unlock()
	if len(kinds) == 0 {
		return nil
	}
	var only []trace.Kind
	for _, a := range kinds {
		if a.Kinds == nil {
			only = nil
			break
		}
		only = append(only, a.Kinds...)
	}
	tf, err := os.Open(filepath.Join(dir, TraceFile))
	if err != nil {
		return err
	}
	f, err := trace.ReadKinds(tf, TraceFile, only...)
	tf.Close()
	if err != nil {
		return err
	}
	for _, a := range kinds {
		out, err := os.Create(filepath.Join(dir, a.File))
		if err != nil {
			return err
		}
		if a.WriteIn != nil {
			err = a.WriteIn(out, f, dir)
		} else {
			err = a.Write(out, f)
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return inContext("writing "+a.File, err)
		}
	}
	return nil
}
