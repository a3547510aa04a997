package cli

import (
	"bytes"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim/trace"
	"github.com/faultline/faultline/viz"
)

// SeedPageFile is the page that shows a seed, in its directory. The
// Perfetto export (PerfettoFile) is not written by default — it is larger
// than the trace and takes longer to draw than every plot together, for
// each failing seed of a sweep — and the page names the command that
// writes it, and links it once it is there.
const (
	SeedPageFile = reportFile
	PerfettoFile = "trace.perfetto.json"
)

// seedPagePlots are the plots the seed's page embeds, in order, with
// their headings.
var seedPagePlots = []struct{ File, Title string }{
	{LatencyPlotFile, "Latency"},
	{RatePlotFile, "Operations per second by outcome"},
	{AvailabilityPlotFile, "Availability"},
}

// seedPageWidth is the width of the page's text timeline, in columns.
const seedPageWidth = 160

type seedFact struct{ Name, Value string }

// writeSeedPage renders a seed's index.html from its trace and the files
// already in dir: a table of the verdict and the run, the line that
// reproduces it, links to every artifact (the Porcupine page and the
// Perfetto timeline among them), the plots inline and the text timeline
// with the failure highlighted. Like the sweep's page it is
// self-contained: nothing is fetched.
func writeSeedPage(w io.Writer, f *trace.File, dir string) error {
	status := f.Footer.Status
	data := struct {
		Scenario, Status, Repro, Verdict, Timeline, Export string
		Seed                                               uint64
		Bad, Sweep                                         bool
		Facts, Faults, Probes                              []seedFact
		Links                                              []reportLink
		Plots                                              []struct {
			Title string
			SVG   template.HTML
		}
	}{Scenario: f.Header.Scenario, Seed: f.Header.Seed, Status: orDefault(status, "unknown"), Repro: f.Header.Repro,
		Bad: status != string(scenarios.StatusValid), Sweep: isSweepRun(filepath.Dir(dir))}
	data.Facts = []seedFact{
		{"verdict", data.Status},
		{"events", plural(int(f.Footer.Events), "event")},
		{"virtual time", trace.FormatTime(f.Footer.At)},
		{"ended by", f.Footer.Outcome},
		{"trace hash", f.Footer.Hash},
		{"servers, clients", plural(f.Header.Nodes, "server") + ", " + plural(f.Header.Clients, "client")},
	}
	for _, e := range f.Events {
		if e.Kind == trace.Violation {
			what := e.Text // an online invariant's violation has no type
			if e.Type != "" {
				what = e.Type + ": " + e.Text
			}
			data.Facts = append(data.Facts, seedFact{"violation", strings.TrimSpace(what)})
			if e.Note != "" {
				data.Facts = append(data.Facts, seedFact{"operations involved", e.Note})
			}
			break
		}
	}
	data.Faults, data.Probes = seedCoverage(f)
	if bin, _, ok := strings.Cut(f.Header.Repro, " replay "); ok {
		data.Export = bin + " export trace.jsonl --perfetto"
	}
	if b, err := os.ReadFile(filepath.Join(dir, scenarios.ExplanationFile)); err == nil {
		data.Verdict = string(b)
	}
	for _, l := range []reportLink{
		{"verdict", scenarios.ExplanationFile}, {"linearizability (Porcupine)", scenarios.VisualFile},
		{"timeline (Perfetto: open in ui.perfetto.dev)", PerfettoFile},
		{"trace", scenarios.TraceFile}, {"history", scenarios.HistoryFile}, {"scenario", scenarios.ScenarioFile},
	} {
		if _, err := os.Stat(filepath.Join(dir, l.Href)); err == nil {
			data.Links = append(data.Links, l)
		}
	}
	for _, p := range seedPagePlots {
		b, err := os.ReadFile(filepath.Join(dir, p.File))
		if err != nil {
			continue
		}
		data.Plots = append(data.Plots, struct {
			Title string
			SVG   template.HTML
		}{p.Title, template.HTML(inlineSVG(b))})
	}
	var tl bytes.Buffer
	if err := viz.RenderText(&tl, f, viz.Options{Width: seedPageWidth, NoColor: true}); err == nil {
		data.Timeline = tl.String()
	}
	return seedPageTemplate.Execute(w, data)
}

// seedCoverage is the seed's coverage, from its trace: each fault kind
// injected with how many times, and each coverage probe reached with when
// it first was (what the sweep's coverage report counts over seeds).
func seedCoverage(f *trace.File) (faults, probes []seedFact) {
	count := map[string]int{}
	var kinds []string
	for i := range f.Events {
		e := &f.Events[i]
		switch {
		case e.Kind == trace.FaultStart:
			k, _, _ := strings.Cut(e.Text, " ")
			if count[k] == 0 {
				kinds = append(kinds, k)
			}
			count[k]++
		case e.Kind == trace.Mark && e.Type == string(trace.MarkProbe):
			probes = append(probes, seedFact{e.Text, "first at " + trace.FormatTime(e.At)})
		}
	}
	for _, k := range kinds {
		faults = append(faults, seedFact{k, plural(count[k], "time")})
	}
	return faults, probes
}

// inlineSVG is an SVG file as an element to put in a page: without its
// XML declaration.
func inlineSVG(b []byte) []byte {
	if i := bytes.Index(b, []byte("<svg")); i > 0 {
		return b[i:]
	}
	return b
}

var seedPageTemplate = template.Must(template.New("seed").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Scenario}} seed {{.Seed}}: {{.Status}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; max-width: 100%; }
td { overflow-wrap: anywhere; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
td.valid { background: #e3f4e3; }
td.bad { background: #fbe3e3; }
code, pre { font: 12px/1.3 ui-monospace, monospace; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
.plot svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>{{.Scenario}}, seed {{.Seed}}</h1>
<table id="facts">
{{range $i, $f := .Facts}}<tr><th>{{$f.Name}}</th><td{{if eq $i 0}} class="{{if $.Bad}}bad{{else}}valid{{end}}"{{end}}>{{$f.Value}}</td></tr>
{{end}}</table>
{{if .Repro}}<p>Reproduce: <code>{{.Repro}}</code></p>
{{end}}{{if .Export}}<p>Perfetto timeline: <code>{{.Export}}</code> in this directory writes <code>trace.perfetto.json</code>, to open in ui.perfetto.dev (it is not written by default: it is larger than the trace).</p>
{{end}}<p id="links">{{range $i, $l := .Links}}{{if $i}} · {{end}}<a href="{{$l.Href}}">{{$l.Name}}</a>{{end}}{{if .Sweep}} · <a href="../index.html">the sweep</a>{{end}}</p>
{{range .Plots}}<h2>{{.Title}}</h2>
<div class="plot">{{.SVG}}</div>
{{end}}{{if or .Faults .Probes}}<h2>Coverage</h2>
<table id="coverage">
{{range .Faults}}<tr><th>fault {{.Name}}</th><td>{{.Value}}</td></tr>
{{end}}{{range .Probes}}<tr><th>probe {{.Name}}</th><td>{{.Value}}</td></tr>
{{end}}</table>
{{end}}{{if .Verdict}}<h2>Verdict</h2>
<pre id="verdict">{{.Verdict}}</pre>
{{end}}{{if .Timeline}}<h2>Timeline</h2>
<pre id="timeline">{{.Timeline}}</pre>
{{end}}</body>
</html>
`))
