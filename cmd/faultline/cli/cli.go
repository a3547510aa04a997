package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/internal/shell"
	"github.com/faultline/faultline/scenarios"
)

// Config describes one binary built on the command. Use a keyed literal;
// every field is optional.
type Config struct {
	// Name is the binary's name as users type it. It heads the usage text
	// and every command the binary prints for pasting back (reproduce,
	// view it, error prefixes). It is printed verbatim, so a prefix such
	// as "go run ./cmd/mytool" works too. Default: the base name of
	// os.Args[0].
	Name string
	// Nodes, Workloads and Checks are the protocols, workload kinds and
	// extra checks this binary offers. They are registered with package
	// scenarios before the first command runs; a name that is already
	// registered (by an earlier Run in the same process) is left as it is.
	Nodes     []scenarios.NodeKind
	Workloads []scenarios.WorkloadKind
	Checks    []scenarios.CheckKind
	// Demo is the scenario the demo command runs; nil leaves the command
	// out. FaultlineDemo is the stock faultline command's.
	Demo *DemoConfig
	// Stdout and Stderr default to os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer

	_ struct{}
}

// DemoConfig is the scenario a binary's demo command sweeps.
type DemoConfig struct {
	// Name is the scenario's file name ("mykv-partitions.yaml"). Printed
	// reproduce lines name it, and every command that takes a scenario
	// file accepts it when no such file exists, so they paste back
	// anywhere.
	Name string
	// Scenario is the scenario's YAML, typically from //go:embed.
	Scenario []byte
	// Seeds is the default seed range (default "1..200").
	Seeds string

	_ struct{}

	library bool // Name is a scenario embedded in package scenarios
}

// FaultlineDemo returns the stock demo: Faultline's embedded
// scenarios.DefaultScenario, which runs the built-in Raft KV.
func FaultlineDemo() *DemoConfig {
	return &DemoConfig{Name: scenarios.DefaultScenario, library: true}
}

// Main runs the command named by os.Args[1:] and returns its exit code
// for the caller's os.Exit. Unless GOGC is set, it collects garbage less
// often (GOGC=400; not for check): simulations allocate fast but keep
// little alive; and
// unless GOMEMLIMIT is set, it sets a soft memory limit of half the
// machine's memory, so the collector works harder before the machine
// runs out. Sweeps run by Main isolate their seeds in worker processes
// of this same binary (see run --in-process), which Main also serves.
func Main(cfg Config) int {
	runtimeDefaults(os.Args[1:])
	registerArtifacts()
	if os.Getenv(workerEnv) == "1" {
		return serveWorker(cfg)
	}
	a := newApp(cfg)
	a.isolate = true
	return a.run(os.Args[1:])
}

// runtimeDefaults sets Main's collector settings where the environment
// sets none.
func runtimeDefaults(args []string) {
	if os.Getenv("GOGC") == "" && (len(args) == 0 || args[0] != "check") {
		// Collecting less often buys 25–60% of throughput for a few tens
		// of MB. Not for check, which keeps most of what it allocates
		// (the search's states): at GOGC=400 a check stopped by its
		// memory bound peaked at 1.9× --check-memory, at the default 100
		// at 1.5× (docs/BENCHMARKS.md, "Calibrating the checker's memory
		// bound").
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if n := physicalMemory(); n > 0 {
			debug.SetMemoryLimit(n / 2)
		}
	}
}

// Run is Main with explicit arguments (without the program name), no
// change to the garbage collector and sweeps in process: for tests. The exit codes are
// scenarios.Exit*; 130 means a sweep was interrupted.
func Run(cfg Config, args []string) int {
	a := newApp(cfg)
	return a.run(args)
}

// app is one invocation: the configuration with its defaults filled in.
type app struct {
	name string
	// invoke is how the user ran this binary, for the commands it prints
	// to paste back (see invocation).
	invoke string
	cfg    Config
	demo   *DemoConfig
	// isolate runs sweeps in worker processes (Main; Run sweeps in
	// process, since a test binary cannot serve as a worker).
	isolate        bool
	stdout, stderr io.Writer
}

func newApp(cfg Config) *app {
	registerArtifacts()
	a := &app{name: cfg.Name, cfg: cfg, demo: cfg.Demo, stdout: cfg.Stdout, stderr: cfg.Stderr}
	if a.name == "" {
		a.name = strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	}
	a.invoke = invocation(a.name, os.Args[0])
	if a.stdout == nil {
		a.stdout = os.Stdout
	}
	if a.stderr == nil {
		a.stderr = os.Stderr
	}
	return a
}

// invocation is what to print in commands the user pastes back: the path
// the binary was run by when it was run by one ("bin/faultline"), "go run
// ./cmd/NAME" under go run from the module root, and the bare name
// otherwise (installed on PATH, or a binary by another name: a test).
func invocation(name, arg0 string) string {
	base := strings.TrimSuffix(filepath.Base(arg0), ".exe")
	switch {
	case base != name:
		return name
	case strings.Contains(arg0, string(filepath.Separator)+"go-build"):
		if st, err := os.Stat(filepath.Join("cmd", name)); err == nil && st.IsDir() {
			return "go run ./cmd/" + name
		}
		return name
	case strings.ContainsRune(arg0, filepath.Separator):
		return shell.Quote(arg0)
	}
	return name
}

// usage is the command list, with the binary's name in each line.
func (a *app) usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — deterministic simulation and fault injection for distributed systems\n\nUsage:\n", a.name)
	line := func(cmd, help string) {
		// Help goes in its column, after a long command, or below it when
		// the line would pass 100 columns.
		const col, width = 45, 100
		s := "  " + a.name + " " + cmd
		switch n := len([]rune(s)); {
		case n < col-1:
			fmt.Fprintf(&b, "%s%s%s\n", s, strings.Repeat(" ", col-n), help)
		case n+3+len([]rune(help)) <= width:
			fmt.Fprintf(&b, "%s   %s\n", s, help)
		default:
			fmt.Fprintf(&b, "%s\n%s%s\n", s, strings.Repeat(" ", col), help)
		}
	}
	if a.demo != nil {
		line("demo", fmt.Sprintf("run %s over seeds %s", a.demo.Name, a.demoSeeds()))
	}
	line("run FILE [--seed N | --seeds A..B] [--workers N] [--out ROOT] [--json]", "sweep seeds of a scenario (into ROOT/<scenario>/<run id>/)")
	line("run FILE --shard I/N --out DIR …", "one of N disjoint parts of the seeds (an Indexed Job's pod)")
	line("merge DIR... [--out ROOT] [--json] [--junit FILE]", "join the shards' results into one sweep's")
	line("merge --compare DIR DIR [--json]", "two sweeps' results seed by seed: verdicts, explanations, hashes")
	line("replay FILE --seed N [--out ROOT]", "one seed, full trace written, verdict explained")
	line("shrink FILE --seed N [--out ROOT] [--budget 60s] [--runs N]", "reduce a failing seed to a small scripted scenario")
	line("hunt --node K [--workload W] [--params k=v,…] [--for 10m] [--seeds N] [--scenario FILE]", "random seeds until a failure, then shrink it")
	line("check HISTORY [--timeout 10s] [--html FILE]", "check a history (Faultline JSON, Jepsen etcd log, Porcupine kv log)")
	line("viz TRACE [--text] [--highlight …]", "the terminal timeline")
	line("report DIR", "a self-contained index.html of a sweep's results (a run directory, or a store's latest run)")
	line("serve [ROOT] [--port 8017]", "browse a store (default out/) on http://127.0.0.1:8017/")
	line("export TRACE --perfetto [--out FILE]", "the trace as Chrome trace-event JSON, for Perfetto UI")
	line("plot TRACE|RESULTS --out FILE.png|.svg [--kind latency|availability|rate|sweep]", "latency, availability, rate or sweep plots")
	line("compare FILE... [--seeds A..B] [--plot FILE.png] [--json]", "the same seeds against each protocol: availability, latency, every check")
	line("list", "registered nodes, faults, workloads and checks")
	line("version", "the build of this binary (what results files record)")
	line("vet [PACKAGES]", "the determinism lint over Go packages")
	b.WriteString(`
Exit codes: 0 all valid · 1 safety violation · 2 bad input or usage · 3 liveness failure
            4 node panic · 5 unknown verdict (a checker ran out of budget) · 6 the command crashed
            7 nondeterministic · a seed's worker lost: 8 timeout · 9 oom · 10 crash
`)
	return b.String()
}

// usageError marks errors that should print the usage and exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries a non-zero exit code without being an error to report.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func (a *app) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, a.usage())
		return scenarios.ExitUsage
	}
	cmds := map[string]func([]string) error{
		"run":     a.cmdRun,
		"merge":   a.cmdMerge,
		"compare": a.cmdCompare,
		"replay":  a.cmdReplay,
		"shrink":  a.cmdShrink,
		"hunt":    a.cmdHunt,
		"check":   a.cmdCheck,
		"viz":     a.cmdViz,
		"export":  a.cmdExport,
		"report":  a.cmdReport,
		"serve":   a.cmdServe,
		"plot":    a.cmdPlot,
		"list":    a.cmdList,
		"vet":     a.cmdVet,
	}
	if a.demo != nil {
		cmds["demo"] = a.cmdDemo
	}
	name := args[0]
	switch {
	case name == "version" || name == "--version":
		fmt.Fprintf(a.stdout, "%s %s\n", a.name, scenarios.BinaryBuild())
		return 0
	case (name == "help" || name == "-h" || name == "--help") && len(args) > 1 && cmds[args[1]] != nil:
		// help CMD is CMD -h: that command's flags.
		name, args = args[1], []string{args[1], "-h"}
	case name == "help" || name == "-h" || name == "--help":
		fmt.Fprint(a.stdout, a.usage())
		return 0
	}
	cmd, ok := cmds[name]
	if !ok {
		names := make([]string, 0, len(cmds))
		for n := range cmds {
			names = append(names, n)
		}
		fmt.Fprintf(a.stderr, "%s: unknown command %q%s\n\n%s", a.name, name, scenarios.DidYouMean(name, names), a.usage())
		return scenarios.ExitUsage
	}
	err := a.guard(name, func() error {
		a.register()
		return cmd(args[1:])
	})
	var ue usageError
	var ee exitError
	var ce crashError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ce):
		fmt.Fprintf(a.stderr, "%s %s: %v — a bug in %s or in its protocols, not a verdict on the system under test; please report it with this stack:\n%s", a.name, name, ce, a.name, ce.stack)
		return scenarios.ExitCrash
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "%s %s: %s\n(%s %s -h lists its flags; %s help lists the commands)\n", a.name, name, ue.msg, a.invoke, name, a.invoke)
		return scenarios.ExitUsage
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintf(a.stderr, "%s %s: %v\n", a.name, name, err)
		return scenarios.ExitUsage
	}
}

// newFlags makes a flag set that reports errors as usage errors (printed
// once, by run); parseInterleaved prints its flags for -h.
func (a *app) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// flagError is a flag parse error with what the flag wants: the flag
// package says only "parse error" for a value of the wrong type
// (--for 10, --seeds 1..10), so it gains the type wanted and the flag's
// own help.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	_, rest, ok := strings.Cut(msg, " for flag -")
	if !ok {
		return msg
	}
	name, _, _ := strings.Cut(rest, ":")
	f := fs.Lookup(name)
	if f == nil {
		return msg
	}
	var want string
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case time.Duration:
			want = "want a duration such as 30s or 5m"
		case int, int64, uint, uint64:
			want = "want a whole number"
		case float64:
			want = "want a number"
		case bool:
			want = "want true or false"
		}
	}
	if want == "" {
		return fmt.Sprintf("%s (--%s: %s)", msg, name, f.Usage)
	}
	return fmt.Sprintf("%s (%s; --%s: %s)", msg, want, name, f.Usage)
}

// parseInterleaved parses flags that may come before or after positional
// arguments (NAME run FILE --seed 3 and NAME run --seed 3 FILE).
func (a *app) parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(a.stderr, "flags of %s %s:\n", a.name, fs.Name())
				fs.SetOutput(a.stderr)
				fs.PrintDefaults()
				a.printExamples(a.stderr, fs.Name())
				return nil, err
			}
			return nil, usageError{flagError(fs, err)}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// register hands the binary's kinds to the runner.
func (a *app) register() {
	for _, k := range a.cfg.Nodes {
		if _, ok := scenarios.LookupNode(k.Name); !ok {
			scenarios.RegisterNode(k)
		}
	}
	for _, k := range a.cfg.Workloads {
		if _, ok := scenarios.LookupWorkload(k.Name); !ok {
			scenarios.RegisterWorkload(k)
		}
	}
	for _, k := range a.cfg.Checks {
		if !slices.Contains(scenarios.CheckNames(), k.Name) {
			scenarios.RegisterCheck(k)
		}
	}
}

// crashError is a panic of the command itself (not of node code, which the
// runner turns into a panic verdict).
type crashError struct {
	what  any
	stack []byte
}

func (e crashError) Error() string { return fmt.Sprintf("internal error: %v", e.what) }

// guard runs a command and turns a panic into a crashError, so a crash
// of the tool has its own exit code (6) and says so, instead of Go's 2.
func (a *app) guard(name string, run func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = crashError{p, debug.Stack()}
		}
	}()
	return run()
}
