package cli

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
	"github.com/faultline/faultline/internal/shell"
	"github.com/faultline/faultline/scenarios"
)

// loadScenario reads FILE, or when no such file exists, the demo's
// scenario or a library scenario by name (NAME run raft-kv-partitions.yaml
// works anywhere, and so do the reproduce lines the demo prints).
func (a *app) loadScenario(name string) (*scenarios.Scenario, error) {
	if _, err := os.Stat(name); err != nil {
		if d := a.demo; d != nil && !d.library && name == d.Name {
			return d.load()
		}
		want := strings.TrimSuffix(strings.TrimPrefix(name, "scenarios/"), ".yaml") + ".yaml"
		for _, lib := range scenarios.Library() {
			// Faultline's library scenarios run the stock protocols; a
			// binary without them does not offer them.
			if sc, lerr := scenarios.LoadLibrary(lib); lib == want && lerr == nil {
				return sc, nil
			}
		}
	}
	return scenarios.LoadFile(name)
}

// load decodes the demo's scenario.
func (d *DemoConfig) load() (*scenarios.Scenario, error) {
	if d.library {
		return scenarios.LoadLibrary(d.Name)
	}
	return scenarios.Parse(d.Name, d.Scenario)
}

func (a *app) demoSeeds() string {
	if a.demo.Seeds == "" {
		return "1..200"
	}
	return a.demo.Seeds
}

func (a *app) cmdDemo(args []string) error {
	fs := a.newFlags("demo")
	seeds := fs.String("seeds", a.demoSeeds(), "seed range")
	workers := fs.Int("workers", runtime.NumCPU(), "parallel workers")
	out := fs.String("out", "", "directory for results and failing seeds' artifacts")
	if _, err := a.parseInterleaved(fs, args); err != nil {
		return err
	}
	sc, err := a.demo.load()
	if err != nil {
		return err
	}
	first, last, err := parseSeeds("", *seeds)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s\n%s\n\n", sc.Name, sc.Description)
	return a.sweep(sc, sc.Source, first, last, *workers, *out, false, false)
}

// scenarioSeed parses the arguments of a command that takes one scenario
// and --seed N (replay, shrink): the positional arguments, the scenario,
// the seed and the output directory (default out/<scenario>/seed-N).
func (a *app) scenarioSeed(cmd string, fs *flag.FlagSet, args []string, seed, out *string) (pos []string, sc *scenarios.Scenario, n uint64, dir string, err error) {
	if pos, err = a.parseInterleaved(fs, args); err != nil {
		return
	}
	if len(pos) != 1 || *seed == "" {
		err = usageError{cmd + " takes one scenario file and --seed N"}
		return
	}
	if sc, err = a.loadScenario(pos[0]); err != nil {
		return
	}
	if n, _, err = parseSeeds(*seed, ""); err != nil {
		return
	}
	dir = *out
	if dir == "" {
		dir = filepath.Join("out", scenarios.SafeDirName(sc.Name), fmt.Sprintf("seed-%d", n))
	}
	return
}

func (a *app) cmdReplay(args []string) error {
	fs := a.newFlags("replay")
	seed := fs.String("seed", "", "the seed to replay (required)")
	out := fs.String("out", "", "directory for the trace, history, visualization and verdict (default out/<scenario>/seed-N)")
	pos, sc, n, dir, err := a.scenarioSeed("replay", fs, args, seed, out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	o := scenarios.Replay(sc, n, scenarios.RunOptions{VisualizationPath: filepath.Join(dir, scenarios.VisualFile)})
	repro := a.replayCommand(pos[0], n)
	fmt.Fprint(a.stdout, scenarios.Explain(sc, &o, repro))
	if err := scenarios.WriteOutcome(dir, sc, &o, repro); err != nil {
		fmt.Fprintf(a.stderr, "%s replay: writing %s: %v\n", a.name, dir, err)
		return exitError{max(o.Status.ExitCode(), scenarios.ExitUsage)}
	}
	view := a.name + " viz " + shell.Quote(filepath.Join(dir, scenarios.TraceFile))
	if hl := scenarios.Highlight(&o); hl != "" {
		view += " --highlight " + shell.Quote(hl)
	}
	fmt.Fprintf(a.stdout, "  trace:   %s\n  view it: %s\n", filepath.Join(dir, scenarios.TraceFile), view)
	fmt.Fprintf(a.stdout, "  history: %s\n", filepath.Join(dir, scenarios.HistoryFile))
	if _, err := os.Stat(filepath.Join(dir, scenarios.VisualFile)); err == nil {
		fmt.Fprintf(a.stdout, "  porcupine visualization: %s\n", filepath.Join(dir, scenarios.VisualFile))
	}
	if code := o.Status.ExitCode(); code != 0 {
		return exitError{code}
	}
	return nil
}

func (a *app) cmdCheck(args []string) error {
	fs := a.newFlags("check")
	timeout := fs.Duration("timeout", 10*time.Second, "time budget per linearizability check (out of budget is Unknown)")
	html := fs.String("html", "", "write Porcupine's visualization here when the history is not linearizable")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *timeout <= 0 {
		return usageError{fmt.Sprintf("--timeout %v: want a positive time budget", *timeout)}
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
	fmt.Fprintf(a.stdout, "%s: %d operations (%s)\n", pos[0], len(h.Ops), format)
	fmt.Fprintln(a.stdout, res.String())
	switch res.Verdict {
	case checker.Invalid:
		return exitError{scenarios.ExitInvalid}
	case checker.Unknown:
		return exitError{scenarios.ExitUnknown}
	}
	return nil
}

func (a *app) cmdList(args []string) error {
	tw := tabwriter.NewWriter(a.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NODES")
	for _, name := range scenarios.NodeKindNames() {
		k, _ := scenarios.LookupNode(name)
		fmt.Fprintf(tw, "  %s\t%s (workloads: %s; at least %d nodes)\n", name, k.Help, strings.Join(k.Workloads, ", "), max(k.MinSize, 1))
		listParams(tw, k.Params)
	}
	fmt.Fprintln(tw, "\nWORKLOADS")
	for _, k := range scenarios.WorkloadKinds() {
		fmt.Fprintf(tw, "  %s\t%s (ops: %s)\n", k.Name, k.Help, strings.Join(k.Ops, ", "))
		listParams(tw, k.Params)
	}
	fmt.Fprintln(tw, "\nFAULTS")
	for _, f := range scenarios.FaultHelp() {
		fmt.Fprintf(tw, "  %s\t%s\n", f[0], f[1])
	}
	fmt.Fprintln(tw, "\nCHECKS")
	for _, c := range scenarios.Checks() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Help)
	}
	var embedded [][2]string
	if d := a.demo; d != nil && !d.library {
		if sc, err := d.load(); err == nil {
			embedded = append(embedded, [2]string{d.Name, sc.Description})
		}
	}
	for _, s := range scenarios.Library() {
		sc, err := scenarios.LoadLibrary(s)
		if err != nil {
			continue // a scenario for a protocol this binary does not have
		}
		embedded = append(embedded, [2]string{s, sc.Description})
	}
	if len(embedded) > 0 {
		fmt.Fprintf(tw, "\nSCENARIOS (embedded; run with %s run NAME)\n", a.name)
		for _, e := range embedded {
			fmt.Fprintf(tw, "  %s\t%s\n", e[0], e[1])
		}
	}
	return tw.Flush()
}

// listParams prints a kind's parameters: key, help, the values it takes
// and its default.
func listParams(tw io.Writer, specs []scenarios.ParamSpec) {
	for _, p := range specs {
		def := ""
		if p.Default != "" {
			def = "; default " + p.Default
		}
		fmt.Fprintf(tw, "    %s\t%s (%s%s)\n", p.Key, p.Help, p.Want(), def)
	}
}
