package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

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
		lib := a.libraryNames()
		if slices.Contains(lib, want) {
			return scenarios.LoadLibrary(want)
		}
		if errors.Is(err, fs.ErrNotExist) {
			known := lib
			if d := a.demo; d != nil && !d.library {
				known = append(known, d.Name)
			}
			return nil, fmt.Errorf("%s: no such file, and no embedded scenario of that name%s; %s list shows them", name, scenarios.DidYouMean(want, known), a.invoke)
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
	return a.sweep(sc, sc.Source, sweepArgs{first: first, last: last, workers: *workers, out: *out})
}

// scenarioSeed parses the arguments of a command that takes one scenario
// and --seed N (replay, shrink): the positional arguments, the scenario,
// the seed and the store's root (default out).
func (a *app) scenarioSeed(cmd string, fs *flag.FlagSet, args []string, seed, out *string) (pos []string, sc *scenarios.Scenario, n uint64, root string, err error) {
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
	root = orDefault(*out, defaultStore)
	return
}

func (a *app) cmdReplay(args []string) error {
	fs := a.newFlags("replay")
	seed := fs.String("seed", "", "the seed to replay (required)")
	out := fs.String("out", "", "the store's root: the replay writes ROOT/<scenario>/<run id>/seed-N/ (trace, history, visualization, plots, verdict, index.html) and points ROOT/<scenario>/latest at the run (default "+defaultStore+")")
	budget := addCheckFlags(fs, "check-ceiling")
	tmax := addTraceMaxFlag(fs)
	pos, sc, n, root, err := a.scenarioSeed("replay", fs, args, seed, out)
	if err != nil {
		return err
	}
	if err := budget.validate("check-ceiling"); err != nil {
		return err
	}
	if err := tmax.validate(); err != nil {
		return err
	}
	run, err := createRun(root, sc.Name)
	if err != nil {
		return err
	}
	dir := filepath.Join(run, fmt.Sprintf("seed-%d", n))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	repro := a.replayCommand(pos[0], n)
	o, werr := scenarios.ReplayTo(sc, n, dir, tmax.runOptions(budget.runOptions(scenarios.RunOptions{VisualizationPath: filepath.Join(dir, scenarios.VisualFile)})), repro)
	fmt.Fprint(a.stdout, scenarios.Explain(sc, &o, repro))
	if werr != nil {
		fmt.Fprintf(a.stderr, "%s replay: writing %s: %v\n", a.name, dir, werr)
		return exitError{max(o.Status.ExitCode(), scenarios.ExitUsage)}
	}
	view := a.invoke + " viz " + shell.Quote(filepath.Join(dir, scenarios.TraceFile))
	if hl := scenarios.Highlight(&o); hl != "" {
		view += " --highlight " + shell.Quote(hl)
	}
	fmt.Fprintf(a.stdout, "  trace:   %s\n  view it: %s\n", filepath.Join(dir, scenarios.TraceFile), view)
	fmt.Fprintf(a.stdout, "  history: %s\n", filepath.Join(dir, scenarios.HistoryFile))
	fmt.Fprintf(a.stdout, "  page:    %s\n", filepath.Join(dir, SeedPageFile))
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
	budget := addCheckFlags(fs, "timeout")
	html := fs.String("html", "", "write Porcupine's visualization here when the history is not linearizable")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := budget.validate("timeout"); err != nil {
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
	res := checker.Check(h, checker.Options{Steps: *budget.steps, MemoryBytes: *budget.memoryBytes, Budget: *budget.ceiling, VisualizationPath: *html, Workers: runtime.NumCPU()})
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
	fs := a.newFlags("list")
	asJSON := fs.Bool("json", false, "print the catalogue as one JSON object (nodes, workloads, faults, checks, scenarios)")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{"list takes no arguments"}
	}
	cat := a.catalogue()
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cat)
	}
	tw := tabwriter.NewWriter(a.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NODES")
	for _, k := range cat.Nodes {
		fmt.Fprintf(tw, "  %s\t%s (workloads: %s; at least %d nodes)\n", k.Name, k.Help, strings.Join(k.Workloads, ", "), k.MinSize)
		listParams(tw, k.Params)
	}
	fmt.Fprintln(tw, "\nWORKLOADS")
	for _, k := range cat.Workloads {
		fmt.Fprintf(tw, "  %s\t%s (ops: %s)\n", k.Name, k.Help, strings.Join(k.Ops, ", "))
		listParams(tw, k.Params)
	}
	fmt.Fprintln(tw, "\nFAULTS")
	for _, f := range cat.Faults {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Name, f.Help)
	}
	fmt.Fprintln(tw, "\nCHECKS")
	for _, c := range cat.Checks {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Help)
	}
	if len(cat.Scenarios) > 0 {
		fmt.Fprintf(tw, "\nSCENARIOS (embedded; run with %s run NAME)\n", a.invoke)
		for _, e := range cat.Scenarios {
			fmt.Fprintf(tw, "  %s\t%s\n", e.Name, e.Description)
		}
	}
	return tw.Flush()
}

// catalogue is what `list` prints: everything a scenario can name in this
// binary. Its JSON form (list --json) is for tools and editors.
type catalogue struct {
	Nodes     []catalogueKind     `json:"nodes"`
	Workloads []catalogueKind     `json:"workloads"`
	Faults    []catalogueEntry    `json:"faults"`
	Checks    []catalogueCheck    `json:"checks"`
	Scenarios []catalogueScenario `json:"scenarios"`
}

type catalogueKind struct {
	Name      string           `json:"name"`
	Help      string           `json:"help"`
	Workloads []string         `json:"workloads,omitempty"`
	Ops       []string         `json:"ops,omitempty"`
	MinSize   int              `json:"min_size,omitempty"`
	Params    []catalogueParam `json:"params"`
}

type catalogueParam struct {
	Key     string `json:"key"`
	Help    string `json:"help"`
	Want    string `json:"want"`
	Default string `json:"default,omitempty"`
}

type catalogueEntry struct {
	Name string `json:"name"`
	Help string `json:"help"`
}

type catalogueCheck struct {
	Name    string `json:"name"`
	Help    string `json:"help"`
	Class   string `json:"class"`
	Measure bool   `json:"measure,omitempty"`
}

type catalogueScenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (a *app) catalogue() catalogue {
	params := func(specs []scenarios.ParamSpec) []catalogueParam {
		out := []catalogueParam{}
		for _, p := range specs {
			out = append(out, catalogueParam{Key: p.Key, Help: p.Help, Want: p.Want(), Default: p.Default})
		}
		return out
	}
	var c catalogue
	for _, name := range scenarios.NodeKindNames() {
		k, _ := scenarios.LookupNode(name)
		c.Nodes = append(c.Nodes, catalogueKind{Name: name, Help: k.Help, Workloads: k.Workloads, MinSize: max(k.MinSize, 1), Params: params(k.Params)})
	}
	for _, k := range scenarios.WorkloadKinds() {
		c.Workloads = append(c.Workloads, catalogueKind{Name: k.Name, Help: k.Help, Ops: k.Ops, Params: params(k.Params)})
	}
	for _, f := range scenarios.FaultHelp() {
		c.Faults = append(c.Faults, catalogueEntry{Name: f[0], Help: f[1]})
	}
	for _, k := range scenarios.Checks() {
		class := "safety"
		if k.Class == scenarios.Liveness {
			class = "liveness"
		}
		c.Checks = append(c.Checks, catalogueCheck{Name: k.Name, Help: k.Help, Class: class, Measure: k.Measure})
	}
	if d := a.demo; d != nil && !d.library {
		if sc, err := d.load(); err == nil {
			c.Scenarios = append(c.Scenarios, catalogueScenario{d.Name, sc.Description})
		}
	}
	for _, name := range a.libraryNames() {
		sc, _ := scenarios.LoadLibrary(name)
		c.Scenarios = append(c.Scenarios, catalogueScenario{name, sc.Description})
	}
	return c
}

// libraryNames lists the embedded scenarios this binary can run (a
// library scenario for a protocol the binary lacks is left out).
func (a *app) libraryNames() []string {
	var names []string
	for _, s := range scenarios.Library() {
		if _, err := scenarios.LoadLibrary(s); err == nil {
			names = append(names, s)
		}
	}
	return names
}

// listParams prints a kind's parameters: key, help, the values it takes
// and its default.
func listParams(tw io.Writer, params []catalogueParam) {
	for _, p := range params {
		def := ""
		if p.Default != "" {
			def = "; default " + p.Default
		}
		fmt.Fprintf(tw, "    %s\t%s (%s%s)\n", p.Key, p.Help, p.Want, def)
	}
}
