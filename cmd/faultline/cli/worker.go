package cli

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// The worker mode: a sweep run by `run` (without --in-process) re-executes
// its own binary once per worker with workerEnv=1 in the environment, and
// Main, seeing it, serves seeds instead of parsing a command. Any binary
// built on this package is its own worker, with the kinds of its Config.
//
// The protocol is a sequence of frames on the worker's stdin and stdout,
// each a 4-byte big-endian length and that many bytes of JSON:
//
//	parent → worker: workerSetup, then one workerSeed per seed
//	worker → parent: workerReady, then one scenarios.Outcome per seed
//
// The worker points its file descriptor 1 at its stderr before anything
// else runs, so node code printing to stdout cannot corrupt a frame; the
// parent keeps the last lines of that stream for a lost seed's Outcome.Output.
// The worker exits when its stdin ends.
const workerEnv = "FAULTLINE_WORKER"

// maxFrameBytes bounds one frame: an outcome is bounded far below it
// (scenarios.MaxReasonBytes per text), so a longer length is a broken
// stream, not a big result.
const maxFrameBytes = 64 << 20

// workerSetup is the first frame a worker reads: the scenario (in its
// canonical text, checked against the parent's fingerprint) and the
// sweep's per-seed options.
type workerSetup struct {
	Scenario    []byte        `json:"scenario"`
	Fingerprint string        `json:"fingerprint"`
	Build       string        `json:"build"`
	Out         string        `json:"out,omitempty"`
	Verify      float64       `json:"verify,omitempty"`
	CheckSteps  int64         `json:"check_steps,omitempty"`
	CheckBudget time.Duration `json:"check_budget_ns,omitempty"`
	CheckMemory int64         `json:"check_memory_bytes,omitempty"`
	// TraceMaxBytes bounds a failing seed's artifact trace (--trace-max).
	TraceMaxBytes int64 `json:"trace_max_bytes,omitempty"`
	// MemoryBytes is the parent's RSS limit; the worker sets its soft
	// limit (debug.SetMemoryLimit) below it so the collector works hard
	// before the parent's watchdog kills it.
	MemoryBytes int64 `json:"memory_bytes,omitempty"`
}

// workerReady answers the setup: Error is why the worker cannot serve.
type workerReady struct {
	Error string `json:"error,omitempty"`
}

// workerSeed asks for one seed; Repro is its reproduce line, for the
// artifacts of a failing seed.
type workerSeed struct {
	Seed  uint64 `json:"seed"`
	Repro string `json:"repro,omitempty"`
}

func writeFrame(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(b) > maxFrameBytes {
		return fmt.Errorf("frame of %d bytes exceeds %d", len(b), maxFrameBytes)
	}
	buf := make([]byte, 4, 4+len(b))
	binary.BigEndian.PutUint32(buf, uint32(len(b)))
	_, err = w.Write(append(buf, b...))
	return err
}

// readFrame reads one frame into v; io.EOF means the stream ended
// cleanly before a frame, io.ErrUnexpectedEOF inside one.
func readFrame(r io.Reader, v any) error {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxFrameBytes {
		return fmt.Errorf("frame length %d exceeds %d: not a worker stream", n, maxFrameBytes)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return json.Unmarshal(b, v)
}

// serveWorker is the worker mode: read the setup, then run seeds until
// stdin ends. Its exit code matters only to the parent, which treats any
// exit during a seed as that seed's crash.
func serveWorker(cfg Config) int {
	proto, err := privateStdout()
	if err != nil {
		fmt.Fprintf(os.Stderr, "faultline worker: %v\n", err)
		return scenarios.ExitCrash
	}
	in := bufio.NewReader(os.Stdin)
	var setup workerSetup
	if err := readFrame(in, &setup); err != nil {
		fmt.Fprintf(os.Stderr, "faultline worker: reading the setup: %v\n", err)
		return scenarios.ExitUsage
	}
	sc, err := workerScenario(cfg, setup)
	ready := workerReady{}
	if err != nil {
		ready.Error = err.Error()
	}
	if err := writeFrame(proto, ready); err != nil || ready.Error != "" {
		return scenarios.ExitUsage
	}
	if setup.MemoryBytes > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(setup.MemoryBytes / 4 * 3)
	}
	opts := scenarios.SweepOptions{Out: setup.Out, VerifyDeterminism: setup.Verify,
		Run: scenarios.RunOptions{CheckSteps: setup.CheckSteps, CheckBudget: setup.CheckBudget, CheckMemoryBytes: setup.CheckMemory, TraceMaxBytes: setup.TraceMaxBytes}}
	for {
		var job workerSeed
		if err := readFrame(in, &job); err != nil {
			if errors.Is(err, io.EOF) {
				return 0
			}
			fmt.Fprintf(os.Stderr, "faultline worker: %v\n", err)
			return scenarios.ExitUsage
		}
		opts.Repro = func(uint64) string { return job.Repro }
		o := runWorkerSeed(sc, job.Seed, opts)
		o.History, o.Trace = nil, nil
		if err := writeFrame(proto, &o); err != nil {
			return scenarios.ExitCrash
		}
	}
}

// workerScenario registers the binary's kinds and reads the scenario back
// from its canonical text; it must be the parent's, by fingerprint, and
// this binary the parent's build.
func workerScenario(cfg Config, setup workerSetup) (*scenarios.Scenario, error) {
	if setup.Build != scenarios.BinaryBuild() {
		return nil, fmt.Errorf("worker is build %s, the sweep's is %s", scenarios.BinaryBuild(), setup.Build)
	}
	newApp(cfg).register()
	sc, err := scenarios.Parse("worker-setup.yaml", setup.Scenario)
	if err != nil {
		return nil, err
	}
	if fp := scenarios.Fingerprint(sc); fp != setup.Fingerprint {
		return nil, fmt.Errorf("the scenario read back with fingerprint %s, not the sweep's %s", fp, setup.Fingerprint)
	}
	return sc, nil
}

// runWorkerSeed runs one seed on a goroutine of its own, so a
// runtime.Goexit in node code ends that goroutine and not the worker:
// the seed is a crash, and the worker, whose world was the seed's alone,
// serves the next.
func runWorkerSeed(sc *scenarios.Scenario, seed uint64, opts scenarios.SweepOptions) scenarios.Outcome {
	done := make(chan scenarios.Outcome, 1)
	go func() {
		finished := false
		defer func() {
			if !finished {
				close(done)
			}
		}()
		o := scenarios.SweepSeed(sc, seed, opts)
		finished = true
		done <- o
	}()
	if o, ok := <-done; ok {
		return o
	}
	return scenarios.Outcome{Seed: seed, Status: scenarios.StatusCrash,
		Reason: fmt.Sprintf("seed %d: runtime.Goexit was called (by node code?) while the seed ran; it has no verdict", seed)}
}
