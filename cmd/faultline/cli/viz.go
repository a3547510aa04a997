package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gdamore/tcell/v2"
	"golang.org/x/term"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim/trace"
	"github.com/faultline/faultline/viz"
)

// readTrace reads a trace file, or the trace of an artifact directory
// (DIR/trace.jsonl, as replay writes it).
func readTrace(path string) (*trace.File, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		inner := filepath.Join(path, scenarios.TraceFile)
		if _, err := os.Stat(inner); err != nil {
			return nil, fmt.Errorf("%s is a directory without a %s (give a trace file, or a directory written by replay)", path, scenarios.TraceFile)
		}
		path = inner
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return trace.Read(f, path)
}

func (a *app) cmdViz(args []string) error {
	fs := a.newFlags("viz")
	text := fs.Bool("text", false, "print the timeline as text instead of opening the viewer (automatic when stdout is not a terminal)")
	width := fs.Int("width", 0, fmt.Sprintf("text width in columns (default %d)", viz.DefaultTextWidth))
	highlight := fs.String("highlight", "", "operations or events to highlight: handles (17), client@invoke (c3@6.912491708s), event seqs (#1234)")
	noColor := fs.Bool("no-color", false, "draw without colour")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"viz takes one trace file (written by " + a.name + " replay)"}
	}
	if *width != 0 && (*width < viz.MinTextWidth || *width > viz.MaxTextWidth) {
		return usageError{fmt.Sprintf("--width %d: want %d..%d columns", *width, viz.MinTextWidth, viz.MaxTextWidth)}
	}
	f, err := readTrace(pos[0])
	if err != nil {
		return err
	}
	o := viz.Options{NoColor: *noColor, Width: *width}
	if err := viz.ParseHighlight(*highlight, &o); err != nil {
		return usageError{strings.TrimPrefix(err.Error(), "viz: ")}
	}
	tty := false
	if out, ok := a.stdout.(*os.File); ok {
		tty = term.IsTerminal(int(out.Fd()))
	}
	if *text || !tty {
		return trimPrefix(viz.RenderText(a.stdout, f, o), "viz: ")
	}
	scr, err := tcell.NewScreen()
	if err != nil {
		return fmt.Errorf("cannot open the terminal (%v); use --text", err)
	}
	return trimPrefix(viz.RunViewer(scr, f, o), "viz: ")
}

// isResultsFile reports whether path starts like a results.jsonl written
// by the run command's --out.
func isResultsFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := f.Read(head)
	return strings.Contains(string(head[:n]), `"faultline_results"`)
}

// trimPrefix drops a package prefix from an error the command prints
// under its own name ("NAME viz: ...").
func trimPrefix(err error, prefix string) error {
	if err == nil {
		return nil
	}
	return errors.New(strings.TrimPrefix(err.Error(), prefix))
}

func (a *app) cmdPlot(args []string) error {
	fs := a.newFlags("plot")
	out := fs.String("out", "", "output file, .png or .svg (required)")
	kind := fs.String("kind", "", "latency (default for a trace), availability, rate (operations per second by kind and outcome), sweep (default for a results.jsonl), or staleness (of a history.jsonl)")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return usageError{"plot takes one trace (or results.jsonl for --kind sweep, history.jsonl for --kind staleness) and --out FILE.png|FILE.svg"}
	}
	format := strings.TrimPrefix(filepath.Ext(*out), ".")
	if format != "png" && format != "svg" {
		return usageError{fmt.Sprintf("--out %q: the file must end in .png or .svg", *out)}
	}
	if *kind == "" {
		*kind = "latency"
		if isResultsFile(pos[0]) {
			*kind = "sweep"
		}
	}
	opts := viz.PlotOptions{Format: format}
	var render func(io.Writer) error
	switch *kind {
	case "latency", "availability", "rate":
		f, err := readTrace(pos[0])
		if err != nil {
			return err
		}
		render = func(w io.Writer) error {
			switch *kind {
			case "latency":
				return viz.PlotLatency(w, f, opts)
			case "rate":
				return viz.PlotRate(w, f, opts)
			}
			return viz.PlotAvailability(w, f, opts)
		}
	case "sweep":
		pts, err := readSweepPoints(pos[0], a.name)
		if err != nil {
			return err
		}
		render = func(w io.Writer) error { return viz.PlotSweep(w, pts, opts) }
	case "staleness":
		h, _, err := checker.ReadFile(pos[0])
		if err != nil {
			return err
		}
		reads, err := checker.StaleReads(h)
		if err != nil {
			return err
		}
		var s viz.Staleness
		for _, r := range reads {
			s.K, s.Behind = append(s.K, r.K), append(s.Behind, r.Behind)
		}
		render = func(w io.Writer) error { return viz.PlotStaleness(w, s, opts) }
	default:
		return usageError{fmt.Sprintf("--kind %q: want latency, availability, rate, sweep or staleness", *kind)}
	}
	tmp := *out + ".tmp"
	fh, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := render(fh); err != nil {
		fh.Close()
		os.Remove(tmp)
		return err
	}
	if err := fh.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "wrote %s\n", *out)
	return nil
}
