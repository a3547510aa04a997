package cli

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// Defaults of run's isolation flags. A seed of a library scenario takes
// milliseconds to seconds; a linearizability check has a 60 s wall-clock
// ceiling of its own, so 5 minutes is far beyond any honest seed. Two
// workers under the default memory limit stay within 4 GiB.
const (
	DefaultSeedTimeout     = 5 * time.Minute
	DefaultSeedMemoryBytes = 2 << 30
)

// subprocesses is the scenarios.Executor of run: each sweep worker is a
// child process of this binary in worker mode (see workerEnv), watched
// for its wall time and resident memory per seed.
type subprocesses struct {
	exe         string
	timeout     time.Duration
	memoryBytes int64
}

func (e *subprocesses) Start(sc *scenarios.Scenario, opts scenarios.SweepOptions) (scenarios.SeedWorker, error) {
	w := &subprocess{e: e, name: sc.Name, repro: opts.Repro, setup: workerSetup{
		Scenario: scenarios.Format(sc), Fingerprint: scenarios.Fingerprint(sc), Build: scenarios.BinaryBuild(),
		Out: opts.Out, Verify: opts.VerifyDeterminism, CheckSteps: opts.Run.CheckSteps, CheckBudget: opts.Run.CheckBudget, CheckMemory: opts.Run.CheckMemoryBytes,
		MemoryBytes: e.memoryBytes, TraceMaxBytes: opts.Run.TraceMaxBytes,
	}}
	if err := w.spawn(); err != nil {
		return nil, err
	}
	return w, nil
}

// subprocess is one sweep worker: a live child, replaced after a seed
// loses it.
type subprocess struct {
	e     *subprocesses
	name  string
	repro func(uint64) string
	setup workerSetup

	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	tail *tailWriter
	// exited is closed when the child has been reaped (the watchdog stops).
	exited chan struct{}

	mu sync.Mutex
	// running: a seed is in flight (the watchdog kills only then).
	running bool
	// killed says why the parent killed the child, if it did.
	killed    scenarios.Status
	killWhy   string
	peakBytes int64
}

// spawn starts a child and hands it the setup.
func (w *subprocess) spawn() error {
	cmd := exec.Command(w.e.exe)
	cmd.Env = append(os.Environ(), workerEnv+"=1")
	cmd.SysProcAttr = workerAttr()
	w.tail = &tailWriter{}
	cmd.Stderr = w.tail
	cmd.WaitDelay = time.Second
	in, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("starting a worker: %v", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("starting a worker: %v", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting a worker (%s): %v", w.e.exe, err)
	}
	w.cmd, w.in, w.out = cmd, in, bufio.NewReader(out)
	w.exited = make(chan struct{})
	w.killed, w.killWhy, w.peakBytes = "", "", 0
	go w.watch(cmd.Process.Pid, w.exited)

	var ready workerReady
	// Starting is not a seed: a loaded machine may take seconds to exec
	// and load a binary, which must not count against --seed-timeout.
	timer := time.AfterFunc(max(w.e.timeout, workerStartTimeout), func() { w.kill(scenarios.StatusTimeout, "the worker did not start") })
	err = writeFrame(in, w.setup)
	if err == nil {
		err = readFrame(w.out, &ready)
	}
	timer.Stop()
	if err == nil && ready.Error != "" {
		err = errors.New(ready.Error)
	}
	if err != nil {
		w.kill("", "")
		w.reap()
		if tail := w.tail.lines(); tail != "" {
			err = fmt.Errorf("%v\n%s", err, tail)
		}
		return fmt.Errorf("starting a worker: %v", err)
	}
	return nil
}

// workerStartTimeout bounds a worker's start-up (exec and setup), whatever
// the per-seed timeout.
const workerStartTimeout = 30 * time.Second

// watch samples the child's resident memory while a seed runs and kills
// it over the limit.
func (w *subprocess) watch(pid int, exited chan struct{}) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-exited:
			return
		case <-tick.C:
		}
		n, ok := rssBytes(pid)
		if !ok {
			continue
		}
		w.mu.Lock()
		running := w.running
		w.peakBytes = max(w.peakBytes, n)
		w.mu.Unlock()
		if running && w.e.memoryBytes > 0 && n > w.e.memoryBytes {
			w.kill(scenarios.StatusOOM, fmt.Sprintf("its resident memory reached %s, over the %s limit (--seed-memory)", formatBytes(n), formatBytes(w.e.memoryBytes)))
		}
	}
}

// kill kills the child (once a reason is recorded, the first one stays).
func (w *subprocess) kill(status scenarios.Status, why string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.killed == "" && status != "" {
		w.killed, w.killWhy = status, why
	}
	if w.cmd != nil && w.cmd.Process != nil {
		w.cmd.Process.Kill()
	}
}

// reap waits for a dead or killed child and forgets it.
func (w *subprocess) reap() *os.ProcessState {
	w.in.Close()
	w.cmd.Wait()
	close(w.exited)
	st := w.cmd.ProcessState
	w.mu.Lock()
	w.cmd = nil
	w.mu.Unlock()
	return st
}

func (w *subprocess) Run(seed uint64) scenarios.Outcome {
	if w.cmd == nil {
		if err := w.spawn(); err != nil {
			return scenarios.Outcome{Seed: seed, Scenario: w.name, Status: scenarios.StatusCrash,
				Reason: fmt.Sprintf("seed %d: no worker to run it: %v", seed, err)}
		}
	}
	job := workerSeed{Seed: seed}
	if w.repro != nil {
		job.Repro = w.repro(seed)
	}
	w.tail.reset()
	w.mu.Lock()
	w.running = true
	w.mu.Unlock()
	start := time.Now()
	timer := time.AfterFunc(w.e.timeout, func() {
		w.kill(scenarios.StatusTimeout, fmt.Sprintf("it ran over its %s wall-time limit (--seed-timeout)", w.e.timeout))
	})
	var o scenarios.Outcome
	err := writeFrame(w.in, job)
	if err == nil {
		err = readFrame(w.out, &o)
	}
	timer.Stop()
	w.mu.Lock()
	w.running = false
	killed := w.killed != ""
	w.mu.Unlock()
	if err == nil && o.Seed == seed {
		if killed {
			// Killed just as it answered: the answer stands, the worker
			// is replaced.
			w.reap()
		}
		o.Scenario = w.name
		return o
	}
	if err == nil {
		err = fmt.Errorf("the worker answered for seed %d", o.Seed)
	}
	return w.lost(seed, time.Since(start), err)
}

// lost is the outcome of a seed whose worker died or was killed.
func (w *subprocess) lost(seed uint64, wall time.Duration, err error) scenarios.Outcome {
	w.kill("", "")
	st := w.reap()
	w.mu.Lock()
	status, why, peak := w.killed, w.killWhy, w.peakBytes
	w.mu.Unlock()
	fatal, output := w.tail.first(), w.tail.lines()
	exit := "it died"
	if st != nil {
		exit = st.String() // "exit status 2", "signal: killed"
	}
	switch {
	case status != "":
		why = fmt.Sprintf("the parent killed the worker: %s", why)
	case strings.Contains(fatal, "out of memory"):
		status, why = scenarios.StatusOOM, "the worker ran out of memory ("+exit+")"
	case st != nil && st.ExitCode() == 0:
		status, why = scenarios.StatusCrash, "the worker exited with status 0 in the middle of the seed (os.Exit in node code?)"
	default:
		status, why = scenarios.StatusCrash, "the worker died: "+exit
	}
	if fatal != "" {
		why += ": " + fatal
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) && status == scenarios.StatusCrash {
		why += fmt.Sprintf(" (reading its answer: %v)", err)
	}
	if peak > 0 {
		why += fmt.Sprintf("; peak resident memory seen %s", formatBytes(peak))
	}
	return scenarios.Outcome{Seed: seed, Scenario: w.name, Status: status, Wall: wall, Output: output,
		Reason: fmt.Sprintf("seed %d has no verdict: %s; the worker was replaced", seed, why)}
}

func (w *subprocess) Close() error {
	if w.cmd == nil {
		return nil
	}
	w.in.Close() // the worker exits at the end of its input
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			w.kill("", "")
		}
	}()
	w.cmd.Wait()
	close(done)
	close(w.exited)
	w.cmd = nil
	return nil
}

// tailWriter keeps the end of a worker's output: its last lines, and the
// first line since the seed started that says why a Go program died.
type tailWriter struct {
	mu    sync.Mutex
	buf   []byte
	fatal string
	// partial is an unfinished line, for spotting fatal lines.
	partial []byte
}

const tailKeepBytes = 64 << 10

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*tailKeepBytes {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailKeepBytes:]...)
	}
	if t.fatal == "" {
		t.partial = append(t.partial, p...)
		for {
			i := bytes.IndexByte(t.partial, '\n')
			if i < 0 {
				break
			}
			line := string(t.partial[:i])
			t.partial = t.partial[i+1:]
			for _, p := range []string{"fatal error: ", "panic: ", "runtime: "} {
				if strings.HasPrefix(line, p) {
					t.fatal = oneLine(line)
					break
				}
			}
			if t.fatal != "" {
				t.partial = nil
				break
			}
		}
		if len(t.partial) > 4096 {
			t.partial = t.partial[len(t.partial)-4096:]
		}
	}
	return len(p), nil
}

func (t *tailWriter) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf, t.fatal, t.partial = t.buf[:0], "", t.partial[:0]
}

func (t *tailWriter) first() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fatal
}

// tailLines bounds Outcome.Output: at most this many lines, and
// scenarios.MaxOutputBytes.
const tailLines = 40

// lines is the last lines written, whole lines only where it can.
func (t *tailWriter) lines() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := bytes.TrimRight(t.buf, "\n")
	if len(b) > scenarios.MaxOutputBytes {
		b = b[len(b)-scenarios.MaxOutputBytes:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 && i < len(b)-1 {
			b = b[i+1:]
		}
	}
	ls := strings.Split(string(b), "\n")
	if len(ls) > tailLines {
		ls = ls[len(ls)-tailLines:]
	}
	return strings.ToValidUTF8(strings.Join(ls, "\n"), "�")
}

// formatBytes renders a size as the flags take it: "2GiB", "512MiB".
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1fGiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// parseBytes reads a size: a number with an optional unit KiB, MiB, GiB
// (or KB, MB, GB, also powers of 1024; or K, M, G).
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n <= 0 || n != n {
		return 0, fmt.Errorf("%q: want a size such as 2GiB or 512MiB", s)
	}
	v := n * float64(mult)
	if v > 1<<62 {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return int64(v), nil
}

// isolationFlags are run's choices about worker processes.
type isolationFlags struct {
	inProcess bool
	timeout   time.Duration
	memory    string
	retry     bool

	memoryBytes int64
}

func addIsolationFlags(fs *flag.FlagSet) *isolationFlags {
	f := &isolationFlags{}
	fs.BoolVar(&f.inProcess, "in-process", false, "run seeds in this process, not in worker processes (faster to start; a seed that hangs, exhausts memory or exits takes the sweep down)")
	fs.DurationVar(&f.timeout, "seed-timeout", DefaultSeedTimeout, "wall-time limit of one seed in its worker (with its artifacts and determinism re-runs); over it the seed is recorded as timeout")
	fs.StringVar(&f.memory, "seed-memory", formatBytes(DefaultSeedMemoryBytes), "resident-memory limit of a seed's worker process; over it the seed is recorded as oom")
	fs.BoolVar(&f.retry, "retry-crashed", false, "on resume, run again the seeds recorded as timeout, oom or crash")
	return f
}

func (f *isolationFlags) validate() error {
	if f.timeout <= 0 {
		return usageError{fmt.Sprintf("--seed-timeout %v: want a positive duration, such as 5m", f.timeout)}
	}
	n, err := parseBytes(f.memory)
	if err != nil {
		return usageError{"--seed-memory " + err.Error()}
	}
	if n < 64<<20 {
		return usageError{fmt.Sprintf("--seed-memory %s: want at least 64MiB (a worker needs some to start)", f.memory)}
	}
	f.memoryBytes = n
	return nil
}

// executor is the sweep's: worker processes unless the flags or the app
// say in process.
func (a *app) executor(f *isolationFlags) scenarios.Executor {
	if !a.isolate || (f != nil && f.inProcess) {
		return nil
	}
	if f == nil {
		f = &isolationFlags{timeout: DefaultSeedTimeout, memoryBytes: DefaultSeedMemoryBytes}
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return &subprocesses{exe: exe, timeout: f.timeout, memoryBytes: f.memoryBytes}
}
