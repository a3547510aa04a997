package cli

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// The report is one self-contained page: it fetches nothing (no script,
// stylesheet or image from elsewhere), every link is a relative path to a
// file the directory holds, and it shows the verdict table, each failing
// seed with its reproduce line, the coverage report and the plot.
func TestReport(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := runCLI("run", "../../../scenarios/bugs/no-sessions.yaml", "--seeds", "1..3", "--out", dir); code != scenarios.ExitInvalid {
		t.Fatalf("run exit %d:\n%s%s", code, out, errOut)
	}
	dir = onlyRun(t, dir)
	code, out, errOut := runCLI("report", dir)
	if code != 0 || !strings.Contains(out, "index.html") {
		t.Fatalf("report exit %d:\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	ids, svgs, links := parsePage(t, page)
	for _, id := range []string{"verdicts", "failures", "coverage"} {
		if !ids[id] {
			t.Errorf("no #%s section", id)
		}
	}
	if svgs == 0 {
		t.Errorf("no inline plot")
	}
	if len(links) == 0 {
		t.Errorf("no links to the failing seeds' artifacts")
	}
	for _, l := range links {
		if strings.Contains(l, "://") || strings.HasPrefix(l, "/") {
			t.Errorf("link %q is not relative", l)
		} else if _, err := os.Stat(filepath.Join(dir, l)); err != nil {
			t.Errorf("link %q: %v", l, err)
		}
	}
	for seed := 1; seed <= 3; seed++ {
		want := "replay " + filepath.Join(dir, "scenario.yaml") + " --seed " + string(rune('0'+seed))
		if !strings.Contains(page, want) {
			t.Errorf("no reproduce line %q", want)
		}
	}
	if !strings.Contains(page, `<td>invalid</td><td class="n">3</td>`) {
		t.Errorf("the verdict table does not count 3 invalid seeds")
	}
	if code, _, errOut := runCLI("report", t.TempDir()); code != scenarios.ExitUsage || !strings.Contains(errOut, "holds no sweep's results") {
		t.Errorf("report of an empty directory: exit %d, %s", code, errOut)
	}
}

// parsePage parses an HTML page we write, failing the test on anything it
// would fetch (a script, stylesheet, image or frame, a src): it returns
// the ids of its elements, how many inline SVGs it holds and its links.
func parsePage(t *testing.T, page string) (ids map[string]bool, svgs int, links []string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(page))
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	ids = map[string]bool{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page does not parse: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch el.Name.Local {
		case "script", "link", "img", "iframe":
			t.Errorf("the page loads a <%s>: it should be self-contained", el.Name.Local)
		case "svg":
			svgs++
		}
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "id":
				ids[a.Value] = true
			case "href", "src":
				if el.Name.Local == "a" {
					links = append(links, a.Value)
				} else if !strings.HasPrefix(a.Value, "#") {
					t.Errorf("<%s %s=%q>: the page should fetch nothing", el.Name.Local, a.Name.Local, a.Value)
				}
			}
		}
	}
	return ids, svgs, links
}

// A failing seed's page is self-contained too: its table, coverage,
// verdict and text timeline, its three plots inline, the violating
// operation named, the Perfetto export command, and links that are
// relative paths to files beside it (and to the sweep's page).
func TestSeedPage(t *testing.T) {
	root := t.TempDir()
	if code, out, errOut := runCLI("run", "../../../scenarios/bugs/no-sessions.yaml", "--seeds", "1..1", "--out", root); code != scenarios.ExitInvalid {
		t.Fatalf("run exit %d:\n%s%s", code, out, errOut)
	}
	dir := seedDir(t, root, 1)
	data, err := os.ReadFile(filepath.Join(dir, SeedPageFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	ids, svgs, links := parsePage(t, page)
	for _, id := range []string{"facts", "coverage", "verdict", "timeline", "links"} {
		if !ids[id] {
			t.Errorf("no #%s section", id)
		}
	}
	if svgs != 3 {
		t.Errorf("%d inline plots, want 3 (latency, rate, availability)", svgs)
	}
	for _, want := range []string{`<td class="bad">invalid</td>`, "<th>operations involved</th>", "violating: c", "faultline export trace.jsonl --perfetto", "probe raft: election started"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	want := map[string]bool{scenarios.ExplanationFile: true, scenarios.VisualFile: true, scenarios.TraceFile: true, scenarios.HistoryFile: true, scenarios.ScenarioFile: true, "../index.html": true}
	for _, l := range links {
		if strings.Contains(l, "://") || strings.HasPrefix(l, "/") {
			t.Errorf("link %q is not relative", l)
		} else if _, err := os.Stat(filepath.Join(dir, l)); err != nil {
			t.Errorf("link %q: %v", l, err)
		}
		delete(want, l)
	}
	if len(want) > 0 {
		t.Errorf("no links to %v", want)
	}
}

// A shard's page is of its own block of the range: the other shards'
// seeds are not "missing" (they are other pods' work), and the page says
// which shard it is. A violation of an online invariant (it has no check
// type) is named on the seed's page without a stray separator.
func TestShardPage(t *testing.T) {
	root := t.TempDir()
	if code, out, errOut := runCLI("run", "../../../scenarios/bugs/pb-view-not-persisted.yaml", "--seeds", "1..4", "--shard", "0/2", "--out", root); code != scenarios.ExitInvalid {
		t.Fatalf("run exit %d, want 1 (seed 2 breaks an invariant):\n%s%s", code, out, errOut)
	}
	for _, run := range []bool{true, false} { // written by run, then by report
		if !run {
			if code, out, errOut := runCLI("report", root); code != 0 {
				t.Fatalf("report exit %d:\n%s%s", code, out, errOut)
			}
		}
		data, err := os.ReadFile(filepath.Join(onlyRun(t, root), "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		page := string(data)
		if !strings.Contains(page, "<p>Seeds 1..2 (shard 0/2) · 2 with a result ·") || strings.Contains(page, "missing") {
			t.Errorf("the shard's page (run %v) does not say seeds 1..2 of shard 0/2, all there:\n%s", run, page[:min(len(page), 1500)])
		}
	}
	data, err := os.ReadFile(filepath.Join(seedDir(t, root, 2), SeedPageFile))
	if err != nil {
		t.Fatal(err)
	}
	if page := string(data); !strings.Contains(page, `<a href="scenario.yaml">scenario</a> · <a href="../index.html">the sweep</a></p>`) {
		t.Errorf("the seed page's links do not end with the sweep's page, one separator between each")
	}
	if page := string(data); !strings.Contains(page, "<tr><th>violation</th><td>pb: two primaries of view 3") {
		t.Errorf("the seed page's violation does not name the invariant broken (pb: two primaries of view 3, with no separator before it):\n%s", page[:min(len(page), 3000)])
	}
}

// A sweep stopped on purpose at its first failure (--until-failure) has a
// page of the seeds it ran: the rest of its range is not "missing".
func TestUntilFailurePage(t *testing.T) {
	root := t.TempDir()
	if code, out, errOut := runCLI("run", "../../../scenarios/bugs/no-sessions.yaml", "--seeds", "1..50", "--until-failure", "--out", root); code != scenarios.ExitInvalid {
		t.Fatalf("run exit %d:\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(filepath.Join(onlyRun(t, root), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if page := string(data); strings.Contains(page, "missing") || strings.Contains(page, "<p>Seeds 1..50 ") {
		t.Errorf("the page of a sweep stopped at its first failure counts the seeds it did not run:\n%s", page[:min(len(page), 1500)])
	}
}

// Duplicate seeds are listed as ranges, as missing seeds are.
func TestSeedRanges(t *testing.T) {
	for _, tc := range []struct {
		seeds []uint64
		want  string
	}{
		{nil, ""},
		{[]uint64{7}, "7"},
		{[]uint64{1, 2, 3, 5, 7, 8}, "1..3, 5, 7..8"},
	} {
		if got := seedRanges(tc.seeds); got != tc.want {
			t.Errorf("seedRanges(%v) = %q, want %q", tc.seeds, got, tc.want)
		}
	}
}
