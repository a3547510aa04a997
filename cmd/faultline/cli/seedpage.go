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

// A seed directory's own files beyond the runner's: the Perfetto export
// (the timeline to open in ui.perfetto.dev) and index.html, the page
// that shows the seed.
const (
	PerfettoFile = "trace.perfetto.json"
	SeedPageFile = reportFile
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
		Scenario, Status, Repro, Verdict, Timeline string
		Seed                                       uint64
		Bad, Sweep                                 bool
		Facts                                      []seedFact
		Links                                      []reportLink
		Plots                                      []struct {
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
			data.Facts = append(data.Facts, seedFact{"violation", strings.TrimSpace(e.Type + ": " + e.Text)})
			if e.Note != "" {
				data.Facts = append(data.Facts, seedFact{"operations involved", e.Note})
			}
			break
		}
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
{{end}}<p id="links">{{range .Links}}<a href="{{.Href}}">{{.Name}}</a> · {{end}}{{if .Sweep}}<a href="../index.html">the sweep</a>{{end}}</p>
{{range .Plots}}<h2>{{.Title}}</h2>
<div class="plot">{{.SVG}}</div>
{{end}}{{if .Verdict}}<h2>Verdict</h2>
<pre id="verdict">{{.Verdict}}</pre>
{{end}}{{if .Timeline}}<h2>Timeline</h2>
<pre id="timeline">{{.Timeline}}</pre>
{{end}}</body>
</html>
`))
