package cli

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/viz"
)

// reportFile is the page report writes into a sweep's directory.
const reportFile = "index.html"

func (a *app) cmdReport(args []string) error {
	fs := a.newFlags("report")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"report takes one results directory: a run directory, or a store's root or scenario directory (its latest run)"}
	}
	dir, err := findRun(pos[0])
	if err != nil {
		return err
	}
	// A directory of one sweep is a merge of one shard: the same summary
	// and coverage as the sweep printed, from its results file.
	m, err := sweepOf(dir, nil)
	if err != nil {
		return err
	}
	page, err := a.reportPage(dir, m)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, reportFile)
	if err := os.WriteFile(path, page, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: report of %s (%s) in %s\n", a.name, m.Scenario.Name, plural(m.Summary.Seeds, "seed"), path)
	return nil
}

// writeRunReport writes a sweep's summary.json and index.html into its
// run directory, at the end of the sweep of seeds (a shard's: its own
// block of the range; nil: the seeds found, or a shard's block).
func (a *app) writeRunReport(dir string, sc *scenarios.Scenario, file string, sum *scenarios.Summary, seeds *scenarios.SeedRange) error {
	var b bytes.Buffer
	a.writeJSONSummary(&b, sc, file, sum)
	if err := os.WriteFile(filepath.Join(dir, summaryFile), b.Bytes(), 0o644); err != nil {
		return err
	}
	m, err := sweepOf(dir, seeds)
	if err != nil {
		return err
	}
	page, err := a.reportPage(dir, m)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, reportFile), page, 0o644)
}

// sweepOf reads one run directory as the sweep it is, over seeds when
// they are known (the range `run` was given, so an interrupted sweep's
// page counts the seeds it has not reached as missing). A shard's run
// covers its own block of the range its header records, not the whole
// range: the other blocks are other shards', not missing seeds.
func sweepOf(dir string, seeds *scenarios.SeedRange) (*scenarios.Merged, error) {
	m, err := scenarios.Merge(scenarios.MergeOptions{Dirs: []string{dir}, Seeds: seeds})
	if err != nil || seeds != nil || len(m.Shards) != 1 {
		return m, err
	}
	lo, hi, ok := m.Shards[0].Range(m.Range.First, m.Range.Last)
	if !ok {
		return m, nil
	}
	return scenarios.Merge(scenarios.MergeOptions{Dirs: []string{dir}, Seeds: &scenarios.SeedRange{First: lo, Last: hi}})
}

// shardsNote says which shards a page's results are of: "shard 2/4" for
// one shard's run, "merged from shards 0/4, 1/4" for a merge; empty for a
// sweep that was not sharded.
func shardsNote(m *scenarios.Merged) string {
	switch len(m.Shards) {
	case 0:
		return ""
	case 1:
		return "shard " + m.Shards[0].String()
	}
	names := make([]string, len(m.Shards))
	for i, s := range m.Shards {
		names[i] = s.String()
	}
	return "merged from shards " + strings.Join(names, ", ")
}

type reportCount struct {
	Status  scenarios.Status
	N       int
	Percent string
}

type reportLink struct{ Name, Href string }

type reportFailure struct {
	Seed   uint64
	Status scenarios.Status
	Reason string // on one line, cut
	Full   string // the whole reason, when Reason is cut
	Repro  string
	Links  []reportLink
}

// reportPage renders the sweep's page: self-contained (the plot is inline
// SVG, the style is in the page, nothing is fetched), linking each failing
// seed's artifacts by relative paths.
func (a *app) reportPage(dir string, m *scenarios.Merged) ([]byte, error) {
	s := m.Summary
	file := filepath.Join(dir, scenarios.ScenarioFile)
	data := struct {
		Scenario, Fingerprint, Build, Range, Shards, Coverage string
		Seeds                                                 int
		Missing                                               uint64
		Counts                                                []reportCount
		Failures                                              []reportFailure
		Plot                                                  template.HTML
	}{Scenario: m.Scenario.Name, Fingerprint: scenarios.Fingerprint(m.Scenario), Build: m.Build, Range: m.Range.String(), Shards: shardsNote(m),
		Seeds: s.Seeds, Missing: m.MissingSeeds(), Coverage: scenarios.ProbeReport(s, m.Scenario)}
	for _, st := range scenarios.Statuses {
		if n := s.Counts[st]; n > 0 || st != scenarios.StatusNondeterministic {
			data.Counts = append(data.Counts, reportCount{st, n, fmt.Sprintf("%.1f%%", 100*float64(n)/float64(max(s.Seeds, 1)))})
		}
	}
	for _, f := range s.Failures {
		rf := reportFailure{Seed: f.Seed, Status: f.Status, Reason: oneLine(f.Reason), Repro: a.replayCommand(file, f.Seed)}
		if rf.Reason != f.Reason {
			rf.Full = f.Reason
		}
		seedDir := fmt.Sprintf("seed-%d", f.Seed)
		for _, l := range []reportLink{
			{"page", SeedPageFile}, {"verdict", scenarios.ExplanationFile}, {"linearizability", scenarios.VisualFile}, {"perfetto", PerfettoFile},
			{"trace", scenarios.TraceFile}, {"history", scenarios.HistoryFile}, {"scenario", scenarios.ScenarioFile},
		} {
			if _, err := os.Stat(filepath.Join(dir, seedDir, l.Href)); err == nil {
				rf.Links = append(rf.Links, reportLink{l.Name, seedDir + "/" + l.Href})
			}
		}
		data.Failures = append(data.Failures, rf)
	}
	var pts []viz.SweepPoint
	for _, o := range m.Outcomes {
		eps := 0.0
		if o.Wall > 0 {
			eps = float64(o.Events) / o.Wall.Seconds()
		}
		pts = append(pts, viz.SweepPoint{Seed: o.Seed, Verdict: string(o.Status), Faults: o.Faults, EventsPerSec: eps})
	}
	if len(pts) > 0 {
		var svg bytes.Buffer
		if err := viz.PlotSweep(&svg, pts, viz.PlotOptions{Format: "svg", Title: m.Scenario.Name}); err != nil {
			return nil, err
		}
		b := svg.Bytes()
		if i := bytes.Index(b, []byte("<svg")); i > 0 {
			b = b[i:] // inline: without the XML declaration
		}
		data.Plot = template.HTML(b)
	}
	var out bytes.Buffer
	if err := reportTemplate.Execute(&out, data); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Scenario}}: {{.Seeds}} seeds</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; }
tr.valid td:first-child { background: #e3f4e3; }
tr.bad td:first-child { background: #fbe3e3; }
code, pre { font: 12px/1.3 ui-monospace, monospace; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
.plot svg { max-width: 100%; height: auto; }
.repro { margin-top: 4px; }
</style>
</head>
<body>
<h1>{{.Scenario}}</h1>
<p>Seeds {{.Range}}{{if .Shards}} ({{.Shards}}){{end}} · {{.Seeds}} with a result{{if .Missing}} · <strong>{{.Missing}} missing</strong>{{end}} · fingerprint <code>{{.Fingerprint}}</code> · build <code>{{.Build}}</code></p>
<h2>Verdicts</h2>
<table id="verdicts">
<tr><th>verdict</th><th>seeds</th><th>share</th></tr>
{{range .Counts}}<tr class="{{if eq .Status "valid"}}valid{{else if .N}}bad{{end}}"><td>{{.Status}}</td><td class="n">{{.N}}</td><td class="n">{{.Percent}}</td></tr>
{{end}}</table>
{{if .Failures}}<h2>Failing seeds</h2>
<table id="failures">
<tr><th>seed</th><th>verdict</th><th>reason</th><th>artifacts</th></tr>
{{range .Failures}}<tr class="bad"><td>{{.Seed}}</td><td>{{.Status}}</td><td>{{.Reason}}{{if .Full}}<details><summary>whole reason</summary>{{.Full}}</details>{{end}}<div class="repro"><code>{{.Repro}}</code></div></td><td>{{range .Links}}<a href="{{.Href}}">{{.Name}}</a> {{end}}</td></tr>
{{end}}</table>
{{end}}<h2>Coverage</h2>
<pre id="coverage">{{.Coverage}}</pre>
{{if .Plot}}<h2>Seeds by fault kind</h2>
<div class="plot">{{.Plot}}</div>
{{end}}</body>
</html>
`))
