package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/viz"
)

// cmdCompare runs the same seeds of one or more scenarios — each with its
// compare: section's protocols — and prints one table of availability,
// latency and every check's record.
func (a *app) cmdCompare(args []string) error {
	fs := a.newFlags("compare")
	seeds := fs.String("seeds", "1..50", "seed range A..B, the same for every protocol")
	workers := fs.Int("workers", runtime.NumCPU(), "parallel workers")
	asJSON := fs.Bool("json", false, "print the rows as JSON")
	plotFile := fs.String("plot", "", "also draw the comparison to FILE.png or FILE.svg")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"compare takes one or more scenario files (a compare: section lists protocols)"}
	}
	first, last, err := parseSeeds("", *seeds)
	if err != nil {
		return err
	}
	if err := checkWorkers(*workers); err != nil {
		return err
	}
	if ext := filepath.Ext(*plotFile); *plotFile != "" && ext != ".png" && ext != ".svg" {
		return usageError{fmt.Sprintf("--plot %q: the file must end in .png or .svg", *plotFile)}
	}
	var scs []*scenarios.Scenario
	for _, f := range pos {
		sc, err := a.loadScenario(f)
		if err != nil {
			return err
		}
		vs, err := sc.Variants()
		if err != nil {
			return err
		}
		scs = append(scs, vs...)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	rows, err := scenarios.Compare(ctx, scs, first, last, *workers)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(pos) == 1 {
		for i := range rows {
			rows[i].Name = short(rows[i].Name)
		}
	}
	fmt.Fprintf(a.stdout, "%s: %d protocols × seeds %d..%d in %s\n\n", a.name, len(rows), first, last, time.Since(start).Round(time.Millisecond))
	writeCompare(a.stdout, rows)
	if *plotFile != "" {
		if err := a.plotCompare(*plotFile, rows); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "\nplot: %s\n", *plotFile)
	}
	return nil
}

// writeCompare prints the table: one row per protocol, availability and
// latency, then per check the seeds it failed (✗, "measured" beyond the
// promise) and what it measured.
func writeCompare(w io.Writer, rows []scenarios.CompareRow) {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "protocol\tpromise\tseeds ok\tops\tavailable\tduring faults\tp50\tp99\t")
	for _, r := range rows {
		promise := r.Promise.String()
		if promise == "" {
			promise = "all checks"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%d\t%.1f%%\t%.1f%%\t%v\t%v\t\n", r.Name, promise, r.Counts[scenarios.StatusValid], r.Seeds,
			r.Ops, 100*r.Availability, 100*r.FaultAvailability, r.LatencyP50.Round(10*time.Microsecond), r.LatencyP99.Round(10*time.Microsecond))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "protocol\tcheck\tseeds failing\tmeasured\t")
	for _, r := range rows {
		for _, c := range r.Checks {
			failing := fmt.Sprintf("%d/%d", c.Invalid, r.Seeds)
			if c.Unknown > 0 {
				failing += fmt.Sprintf(" (+%d unknown)", c.Unknown)
			}
			note := metricsText(c.Metrics)
			if c.Measured && c.Invalid > 0 {
				note = strings.TrimSuffix("beyond the promise; "+note, "; ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", r.Name, c.Name, failing, note)
		}
	}
	tw.Flush()
}

// short drops the scenario's name from a variant's ("cap/raftkv" →
// "raftkv"), for a comparison of one scenario's variants.
func short(name string) string {
	if _, after, ok := strings.Cut(name, "/"); ok {
		return after
	}
	return name
}

func metricsText(ms []checker.Metric) string {
	var parts []string
	for _, m := range ms {
		v := fmt.Sprintf("%g", m.Value)
		if strings.HasSuffix(m.Name, "share") {
			v = fmt.Sprintf("%.2f%%", 100*m.Value)
		} else if m.Value != float64(int64(m.Value)) {
			v = fmt.Sprintf("%.1f", m.Value)
		}
		parts = append(parts, m.Name+" "+v)
	}
	return strings.Join(parts, ", ")
}

func (a *app) plotCompare(path string, rows []scenarios.CompareRow) error {
	vr := make([]viz.CompareRow, len(rows))
	for i, r := range rows {
		vr[i] = viz.CompareRow{Name: r.Name, Availability: r.Availability, FaultAvailability: r.FaultAvailability, StaleShare: -1, LostShare: -1}
		for _, c := range r.Checks {
			for _, m := range c.Metrics {
				switch {
				case c.Name == scenarios.CheckStaleness && m.Name == "stale share":
					vr[i].StaleShare = m.Value
				case c.Name == scenarios.CheckLostWrites && m.Name == "lost writes":
					if acked := metricOf(c.Metrics, "acknowledged writes"); acked > 0 {
						vr[i].LostShare = m.Value / acked
					}
				}
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	if err := viz.PlotCompare(f, vr, viz.PlotOptions{Format: format}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func metricOf(ms []checker.Metric, name string) float64 {
	for _, m := range ms {
		if m.Name == name {
			return m.Value
		}
	}
	return 0
}
