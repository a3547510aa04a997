package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/scenarios"
)

// loadScenario reads FILE, or a library scenario by name when no such
// file exists (faultline run raft-kv-partitions.yaml works anywhere).
func loadScenario(name string) (*scenarios.Scenario, error) {
	if _, err := os.Stat(name); err != nil {
		want := strings.TrimSuffix(strings.TrimPrefix(name, "scenarios/"), ".yaml") + ".yaml"
		for _, lib := range scenarios.Library() {
			if lib == want {
				return scenarios.LoadLibrary(lib)
			}
		}
	}
	return scenarios.LoadFile(name)
}

func cmdDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	seeds := fs.String("seeds", "1..200", "seed range")
	workers := fs.Int("workers", runtime.NumCPU(), "parallel workers")
	out := fs.String("out", "", "directory for results and failing seeds' artifacts")
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	sc, err := scenarios.LoadLibrary(scenarios.DefaultScenario)
	if err != nil {
		return err
	}
	first, last, err := parseSeeds("", *seeds)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n%s\n\n", sc.Name, sc.Description)
	return sweep(sc, sc.Source, first, last, *workers, *out, false, stdout, stderr)
}

// scenarioSeed parses the arguments of a command that takes one scenario
// and --seed N (replay, shrink): the positional arguments, the scenario,
// the seed and the output directory (default out/<scenario>/seed-N).
func scenarioSeed(cmd string, fs *flag.FlagSet, args []string, seed, out *string) (pos []string, sc *scenarios.Scenario, n uint64, dir string, err error) {
	if pos, err = parseInterleaved(fs, args); err != nil {
		return
	}
	if len(pos) != 1 || *seed == "" {
		err = usageError{cmd + " takes one scenario file and --seed N"}
		return
	}
	if sc, err = loadScenario(pos[0]); err != nil {
		return
	}
	if n, _, err = parseSeeds(*seed, ""); err != nil {
		return
	}
	dir = *out
	if dir == "" {
		dir = filepath.Join("out", sc.Name, fmt.Sprintf("seed-%d", n))
	}
	return
}

func cmdReplay(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("replay", stderr)
	seed := fs.String("seed", "", "the seed to replay (required)")
	out := fs.String("out", "", "directory for the trace, history, visualization and verdict (default out/<scenario>/seed-N)")
	pos, sc, n, dir, err := scenarioSeed("replay", fs, args, seed, out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	o := scenarios.Replay(sc, n, scenarios.RunOptions{VisualizationPath: filepath.Join(dir, scenarios.VisualFile)})
	repro := fmt.Sprintf("faultline replay %s --seed %d", pos[0], n)
	fmt.Fprint(stdout, scenarios.Explain(sc, &o, repro))
	if err := scenarios.WriteOutcome(dir, sc, &o, repro); err != nil {
		fmt.Fprintf(stderr, "faultline replay: writing %s: %v\n", dir, err)
		return exitError{max(o.Status.ExitCode(), scenarios.ExitUsage)}
	}
	view := "faultline viz " + filepath.Join(dir, scenarios.TraceFile)
	if hl := scenarios.Highlight(&o); hl != "" {
		view += " --highlight " + hl
	}
	fmt.Fprintf(stdout, "  trace:   %s\n  view it: %s\n", filepath.Join(dir, scenarios.TraceFile), view)
	fmt.Fprintf(stdout, "  history: %s\n", filepath.Join(dir, scenarios.HistoryFile))
	if _, err := os.Stat(filepath.Join(dir, scenarios.VisualFile)); err == nil {
		fmt.Fprintf(stdout, "  porcupine visualization: %s\n", filepath.Join(dir, scenarios.VisualFile))
	}
	if code := o.Status.ExitCode(); code != 0 {
		return exitError{code}
	}
	return nil
}

func cmdCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	timeout := fs.Duration("timeout", 10*time.Second, "time budget per linearizability check (out of budget is Unknown)")
	html := fs.String("html", "", "write Porcupine's visualization here when the history is not linearizable")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"check takes one history file"}
	}
	h, format, err := checker.ReadFile(pos[0])
	if err != nil {
		return err
	}
	if len(h.Ops) == 0 {
		// A wrong path or an empty export must not read as a pass.
		return fmt.Errorf("%s: no operations in the history (read as %s); an empty history proves nothing", pos[0], format)
	}
	res := checker.Check(h, checker.Options{Budget: *timeout, VisualizationPath: *html})
	fmt.Fprintf(stdout, "%s: %d operations (%s)\n", pos[0], len(h.Ops), format)
	fmt.Fprintln(stdout, res.String())
	switch res.Verdict {
	case checker.Invalid:
		return exitError{scenarios.ExitInvalid}
	case checker.Unknown:
		return exitError{scenarios.ExitUnknown}
	}
	return nil
}

func cmdList(args []string, stdout, stderr io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NODES")
	for _, name := range scenarios.NodeKindNames() {
		k, _ := scenarios.LookupNode(name)
		fmt.Fprintf(tw, "  %s\t%s\n", name, k.Help)
		for _, p := range k.Params {
			def := p.Default
			if def == "" {
				def = "-"
			}
			fmt.Fprintf(tw, "    %s\t(default %s) %s\n", p.Key, def, p.Help)
		}
	}
	fmt.Fprintln(tw, "\nWORKLOADS")
	fmt.Fprintln(tw, "  kv\tmulti-key get / put / append / cas over keys k1..kN, checked per key")
	fmt.Fprintln(tw, "  register\tone register: read / write / cas")
	fmt.Fprintln(tw, "\nFAULTS")
	for _, f := range scenarios.FaultHelp() {
		fmt.Fprintf(tw, "  %s\t%s\n", f[0], f[1])
	}
	fmt.Fprintln(tw, "\nCHECKS")
	for _, c := range scenarios.Checks() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Help)
	}
	fmt.Fprintln(tw, "\nSCENARIOS (embedded; run with faultline run NAME)")
	for _, s := range scenarios.Library() {
		sc, err := scenarios.LoadLibrary(s)
		desc := ""
		if err == nil {
			desc = sc.Description
		}
		fmt.Fprintf(tw, "  %s\t%s\n", s, desc)
	}
	return tw.Flush()
}
