package viz

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/faultline/faultline/internal/golden"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
	"github.com/faultline/faultline/viz/internal/demotrace"
)

// newSimViewer opens a viewer on a w×h simulation screen.
func newSimViewer(t *testing.T, w, h int, f *trace.File, opts Options) (*Viewer, tcell.SimulationScreen) {
	t.Helper()
	scr := tcell.NewSimulationScreen("UTF-8")
	if err := scr.Init(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(scr.Fini)
	scr.SetSize(w, h)
	vw := NewViewer(scr, f, opts)
	vw.Draw()
	return vw, scr
}

// screenText returns what the simulation screen shows, one line per row,
// trailing spaces removed.
func screenText(scr tcell.SimulationScreen) string {
	cells, w, h := scr.GetContents()
	var b strings.Builder
	for y := 0; y < h; y++ {
		var row strings.Builder
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			if len(c.Runes) > 0 {
				row.WriteRune(c.Runes[0])
			} else {
				row.WriteByte(' ')
			}
		}
		b.WriteString(strings.TrimRight(row.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// press feeds keys to the viewer: runes as typed, and names in angle
// brackets for special keys (<left>, <enter>, <esc>, <tab>…).
func press(vw *Viewer, keys string) (quit bool) {
	special := map[string]tcell.Key{"left": tcell.KeyLeft, "right": tcell.KeyRight, "up": tcell.KeyUp, "down": tcell.KeyDown,
		"enter": tcell.KeyEnter, "esc": tcell.KeyEscape, "tab": tcell.KeyTab, "backtab": tcell.KeyBacktab,
		"home": tcell.KeyHome, "end": tcell.KeyEnd, "pgup": tcell.KeyPgUp, "pgdn": tcell.KeyPgDn, "bs": tcell.KeyBackspace2}
	for len(keys) > 0 {
		var ev *tcell.EventKey
		if keys[0] == '<' {
			if j := strings.IndexByte(keys, '>'); j > 1 {
				if k, ok := special[keys[1:j]]; ok {
					ev = tcell.NewEventKey(k, 0, tcell.ModNone)
					keys = keys[j+1:]
				}
			}
		}
		if ev == nil {
			ev = tcell.NewEventKey(tcell.KeyRune, rune(keys[0]), tcell.ModNone)
			keys = keys[1:]
		}
		if vw.Handle(ev) {
			return true
		}
		vw.Draw()
	}
	return false
}

func (vw *Viewer) selected() *trace.Event {
	if vw.sel < 0 {
		return nil
	}
	return &vw.ix.ev[vw.sel]
}

// Golden screens: what a user sees at each step of the walkthrough in
// docs/VIEWER.md, at 120×35 and at 80×24.
func TestViewerGoldenScreens(t *testing.T) {
	d, _ := demoRuns(t)
	for _, size := range [][2]int{{120, 35}, {80, 24}} {
		vw, scr := newSimViewer(t, size[0], size[1], d.File, Options{Highlight: d.Highlight})
		steps := []struct{ name, keys string }{
			{"open", ""},
			{"violation", "v"},
			{"prev-op", "O"},
			{"search-n1", "/node:n1<enter>"},
			{"help", "?"},
		}
		var all strings.Builder
		for _, st := range steps {
			press(vw, st.keys)
			fmt.Fprintf(&all, "=== %s (keys %q)\n%s", st.name, st.keys, screenText(scr))
		}
		golden.Check(t, fmt.Sprintf("screen-%dx%d.txt", size[0], size[1]), []byte(all.String()))
	}
}

// From opening the trace, the failing operation is one key away (v): the
// first one highlighted, labelled as such, and x walks the failures in
// order.
func TestViewerNavigateToViolation(t *testing.T) {
	d, _ := demoRuns(t)
	vw, scr := newSimViewer(t, 80, 24, d.File, Options{Highlight: d.Highlight})
	press(vw, "v")
	if e := vw.selected(); e == nil || e.Kind != trace.Invoke || e.Num != d.Highlight[0] {
		t.Fatalf("after v, selected %v, want the invocation of [%d]", e, d.Highlight[0])
	}
	if s := screenText(scr); !strings.Contains(s, "▲ the operation no order can place") || !strings.Contains(s, "{read x") {
		t.Errorf("violation screen lacks the cause:\n%s", s)
	}

	vw, _ = newSimViewer(t, 80, 24, d.File, Options{Highlight: d.Highlight})
	var kinds []string
	for i := 0; i < 6; i++ {
		press(vw, "x")
		kinds = append(kinds, vw.selected().Kind.String())
	}
	if got := strings.Join(kinds, " "); got != "invoke return invoke return violation violation" {
		t.Errorf("x walks %s", got)
	}
	if vw.status != "no later failure" {
		t.Errorf("status after the last failure: %q", vw.status)
	}
	press(vw, "X")
	if e := vw.selected(); e.Kind != trace.Return {
		t.Errorf("X went to %v", e)
	}
	press(vw, "XX")
	if s := strings.Join(vw.ix.detailLines(vw.sel), "\n"); !strings.Contains(s, "▲ involved") {
		t.Errorf("the write the read missed is not labelled as involved:\n%s", s)
	}
}

// Without highlights, v goes to the online violation.
func TestViewerViolationWithoutHighlight(t *testing.T) {
	d, _ := demoRuns(t)
	vw, _ := newSimViewer(t, 80, 24, d.File, Options{})
	press(vw, "v")
	if e := vw.selected(); e == nil || e.Kind != trace.Violation {
		t.Fatalf("after v, selected %v, want the violation", e)
	}
	// An online violation is an instant; the view frames it with what led
	// up to it, not at nanoseconds per column.
	if span := vw.v.nsPerCol * int64(vw.lay.pw); span < min(minViolationSpan, vw.ix.end-vw.ix.start)/2 {
		t.Errorf("v frames %v around an online violation", time.Duration(span))
	}
}

func TestViewerJumps(t *testing.T) {
	d, _ := demoRuns(t)
	vw, _ := newSimViewer(t, 120, 35, d.File, Options{Highlight: d.Highlight})
	for _, tc := range []struct {
		keys string
		want func(e *trace.Event) bool
		desc string
	}{
		{"f", func(e *trace.Event) bool { return e.Kind == trace.FaultStart && e.Text == "clock-jump n2 +50ms" }, "first fault"},
		{"ff", func(e *trace.Event) bool { return e.Kind == trace.FaultStart && e.Text == "crash n3" }, "third fault event"},
		{"F", func(e *trace.Event) bool { return e.Kind == trace.FaultStop && e.Text == "clock-jump n2 +50ms" }, "back one fault"},
		{"G", func(e *trace.Event) bool { return e.Kind == trace.Violation }, "last event"},
		{"g", func(e *trace.Event) bool { return e.Seq == 1 }, "first event"},
		{">", func(e *trace.Event) bool { return e.Seq == 2 }, "next event"},
		{"<", func(e *trace.Event) bool { return e.Seq == 1 }, "previous event"},
		{"jjjo", func(e *trace.Event) bool { return e.Kind == trace.Invoke && e.Node.String() == "c1" }, "first op of c1"},
		{"o", func(e *trace.Event) bool { return e.Kind == trace.Invoke && e.Node.String() == "c1" && e.Num > 1 }, "second op of c1"},
		{".", func(e *trace.Event) bool { return e.Node.String() == "c1" }, "next event on c1"},
		{"<tab>", func(e *trace.Event) bool { return e.Node.String() == "c1" }, "tab: next event on c1"},
		{"/kind:drop<enter>", func(e *trace.Event) bool { return e.Kind == trace.Drop }, "search a drop"},
		{"n", func(e *trace.Event) bool { return e.Kind == trace.Drop }, "next drop"},
		{"/Replicate n3<enter>", func(e *trace.Event) bool {
			return e.Type == "Replicate" && (e.Node.String() == "n3" || e.Peer.String() == "n3")
		}, "search type and node"},
		{"/key:x write<enter>", func(e *trace.Event) bool { return e.Op.Key == "x" && e.Op.Kind == nodes.OpWrite }, "search key"},
	} {
		prev := vw.sel
		press(vw, tc.keys)
		if e := vw.selected(); e == nil || !tc.want(e) {
			t.Errorf("%s (%q from event %d): selected %v", tc.desc, tc.keys, prev, e)
		}
	}
	press(vw, "/nosuchthing<enter>")
	if !strings.HasPrefix(vw.status, "no match") {
		t.Errorf("status after a failed search: %q", vw.status)
	}
	press(vw, "/abc<bs><bs><bs><bs>")
	if vw.prompt {
		t.Error("backspace on an empty prompt should close it")
	}
}

func TestViewerZoomPan(t *testing.T) {
	d, _ := demoRuns(t)
	vw, _ := newSimViewer(t, 120, 35, d.File, Options{})
	ns0, t0 := vw.v.nsPerCol, vw.v.t0
	press(vw, "+")
	if vw.v.nsPerCol >= ns0 {
		t.Errorf("+ did not zoom in: %d -> %d", ns0, vw.v.nsPerCol)
	}
	press(vw, "--")
	if vw.v.nsPerCol <= ns0/2 {
		t.Errorf("- did not zoom out: %d", vw.v.nsPerCol)
	}
	press(vw, "0")
	if vw.v.nsPerCol != ns0 || vw.v.t0 != t0 {
		t.Errorf("0 did not fit the trace again")
	}
	press(vw, "+++l")
	a := vw.v.t0
	press(vw, "<right>")
	if vw.v.t0 <= a {
		t.Error("right did not pan")
	}
	press(vw, "hh")
	if vw.v.t0 >= a {
		t.Error("h did not pan left")
	}
	// Mouse wheel zooms around the pointer.
	ns := vw.v.nsPerCol
	vw.Handle(tcell.NewEventMouse(60, 10, tcell.WheelUp, tcell.ModNone))
	if vw.v.nsPerCol >= ns {
		t.Error("wheel up did not zoom in")
	}
	vw.Handle(tcell.NewEventMouse(60, 10, tcell.WheelDown, tcell.ModNone))
	if vw.v.nsPerCol != ns {
		t.Errorf("wheel down did not undo wheel up: %d vs %d", vw.v.nsPerCol, ns)
	}
	// Zooming far out stops at a sensible scale; far in, at 1ns.
	press(vw, strings.Repeat("-", 40))
	if vw.v.nsPerCol > int64(time.Second) {
		t.Errorf("zoomed out to %v per column", time.Duration(vw.v.nsPerCol))
	}
	press(vw, strings.Repeat("+", 60))
	if vw.v.nsPerCol != 1 {
		t.Errorf("zoomed in to %v per column", time.Duration(vw.v.nsPerCol))
	}
	vw.Draw() // must not panic at 1ns/col
}

func TestViewerClickSelects(t *testing.T) {
	d, scr := demoRuns(t)
	_ = scr
	vw, sc := newSimViewer(t, 120, 35, d.File, Options{})
	// Find the crash glyph on n3's row and click it.
	lines := strings.Split(screenText(sc), "\n")
	row := vw.lay.laneRow + 2
	x := strings.IndexRune(lines[row], 'X')
	if x < 0 {
		t.Fatalf("no crash on row %d: %q", row, lines[row])
	}
	x = len([]rune(lines[row][:x]))
	vw.Handle(tcell.NewEventMouse(x, row, tcell.Button1, tcell.ModNone))
	if e := vw.selected(); e.Kind != trace.Crash {
		t.Errorf("click on X selected %v", e)
	}
}

// Resizing keeps the viewer usable at every size, down to too small.
func TestViewerResize(t *testing.T) {
	d, _ := demoRuns(t)
	vw, scr := newSimViewer(t, 120, 35, d.File, Options{Highlight: d.Highlight})
	press(vw, "v")
	for _, sz := range [][2]int{{80, 24}, {200, 60}, {40, 12}, {10, 5}, {100, 30}} {
		scr.SetSize(sz[0], sz[1])
		vw.Handle(tcell.NewEventResize(sz[0], sz[1]))
		vw.Draw()
		s := screenText(scr)
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d rows", sz[0], sz[1], len(lines))
		}
		for _, l := range lines {
			if n := len([]rune(l)); n > sz[0] {
				t.Errorf("%dx%d: row wider than the screen: %q", sz[0], sz[1], l)
			}
		}
		if sz[1] >= 12 && sz[0] >= 40 && !strings.Contains(s, "n1") {
			t.Errorf("%dx%d: lanes missing:\n%s", sz[0], sz[1], s)
		}
		if sz[0] == 10 && !strings.Contains(s, "too small") {
			t.Errorf("10x5 should say the terminal is too small:\n%s", s)
		}
		if e := vw.selected(); e.Kind != trace.Invoke || e.Num != d.Highlight[0] {
			t.Errorf("%dx%d: selection lost", sz[0], sz[1])
		}
	}
	if !strings.Contains(screenText(scr), "!") {
		t.Error("after resizing back, the violation is not on screen")
	}
}

// More lanes than rows: the selected lane scrolls into view.
func TestViewerManyLanes(t *testing.T) {
	f := demotrace.Synthetic(2000, 9, 12)
	vw, scr := newSimViewer(t, 80, 24, f, Options{})
	press(vw, strings.Repeat("j", 20))
	s := screenText(scr)
	if !strings.Contains(s, "c12") || !strings.Contains(s, "more") {
		t.Errorf("last lane not shown after scrolling down:\n%s", s)
	}
}

// shownScreen reports the first Show, so a test knows RunViewer has
// initialised the screen and drawn.
type shownScreen struct {
	tcell.SimulationScreen
	once  sync.Once
	shown chan struct{}
}

func (s *shownScreen) Show() {
	s.SimulationScreen.Show()
	s.once.Do(func() { close(s.shown) })
}

// RunViewer owns the event loop: it initialises the screen, draws, and
// returns when q is pressed.
func TestRunViewerQuits(t *testing.T) {
	d, _ := demoRuns(t)
	scr := &shownScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8"), shown: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- RunViewer(scr, d.File, Options{Highlight: d.Highlight}) }()
	select {
	case <-scr.shown:
	case <-time.After(5 * time.Second):
		t.Fatal("no first frame")
	}
	scr.InjectKey(tcell.KeyRune, 'v', tcell.ModNone)
	scr.InjectKey(tcell.KeyRune, '?', tcell.ModNone)
	scr.InjectKey(tcell.KeyRune, 'q', tcell.ModNone)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunViewer did not return after q")
	}
}

// Nothing drawn for a lane may spill into the label column, whatever the
// window (operations that start before it, spans, faults).
func TestLanesStayInPlotArea(t *testing.T) {
	f := demotrace.Synthetic(20000, 3, 4)
	vw, scr := newSimViewer(t, 100, 30, f, Options{})
	press(vw, "++++lll")
	for i := 0; i < 30; i++ {
		press(vw, "l")
		lines := strings.Split(screenText(scr), "\n")
		for li := range vw.ix.lanes {
			row := []rune(lines[vw.lay.laneRow+li] + strings.Repeat(" ", 100))
			label := strings.TrimSpace(string(row[:vw.lay.x0]))
			if name := vw.ix.lanes[li].id.String(); !strings.HasPrefix(label, name) || strings.ContainsAny(label[len(name):], "=-?.[]{}#*<>x") {
				t.Fatalf("lane %d label area %q", li, string(row[:vw.lay.x0]))
			}
		}
	}
}

// Search finds client operations by their text (values, handles), and n
// and N walk them with the other matches.
func TestViewerSearchOps(t *testing.T) {
	d, _ := demoRuns(t)
	vw, _ := newSimViewer(t, 120, 35, d.File, Options{})
	var got []string
	press(vw, "/x=9<enter>")
	got = append(got, strings.TrimSpace(vw.selected().String()))
	if vw.status != "/x=9  match 1 of 2" {
		t.Errorf("status after the first search: %q, want the match count", vw.status)
	}
	press(vw, "n")
	got = append(got, strings.TrimSpace(vw.selected().String()))
	press(vw, "n")
	got = append(got, strings.TrimSpace(vw.selected().String()))
	if !strings.Contains(vw.status, "wrapped") {
		t.Errorf("status after wrapping: %q", vw.status)
	}
	press(vw, "N")
	got = append(got, strings.TrimSpace(vw.selected().String()))
	want := []string{
		"262 0.120544385s c2   invoke      [16] write x=9",
		"272 0.122858255s c2   return      [16] ok write x=9",
		"262 0.120544385s c2   invoke      [16] write x=9",
		"272 0.122858255s c2   return      [16] ok write x=9",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("search x=9 visits\n%s", strings.Join(got, "\n"))
	}
	for _, tc := range []struct{ query, want string }{
		{"[17]", "277 0.128858255s c2   invoke      [17] read x"},
		{`op:"7"`, `286 0.131968000s c2   return      [17] ok read x -> "7"`},
		{"op:x=8 c1", "241 0.115820943s c1   invoke      [15] write x=8"},
	} {
		press(vw, "g/"+tc.query+"<enter>")
		if got := strings.TrimSpace(vw.selected().String()); got != tc.want {
			t.Errorf("/%s: got %s", tc.query, got)
		}
	}
}

// The axis cursor never lands inside a time label (2.▼0s): wherever the
// selection is, the axis row reads as whole labels and the cursor.
func TestAxisCursorKeepsLabels(t *testing.T) {
	d, _ := demoRuns(t)
	vw, scr := newSimViewer(t, 80, 24, d.File, Options{})
	press(vw, "++")
	bad := regexp.MustCompile(`[-0-9.]▼`) // a label ends in s; before that, ▼ would be inside it
	seen := 0
	for i := 0; i < len(d.File.Events); i++ {
		press(vw, ">")
		axis := strings.Split(screenText(scr), "\n")[vw.lay.axisRow]
		if strings.Contains(axis, "▼") {
			seen++
		}
		if bad.MatchString(axis) {
			t.Fatalf("cursor inside a label at event %d: %q", vw.sel, axis)
		}
	}
	if seen < len(d.File.Events)/2 {
		t.Errorf("the cursor showed for only %d of %d events", seen, len(d.File.Events))
	}
}

// A checker's violation is drawn on the operation no order can place,
// not at the end of the run where it is recorded.
func TestViolationMarkOnItsOperation(t *testing.T) {
	f := &trace.File{Header: trace.Header{Nodes: 1, Clients: 1}, Events: []trace.Event{
		{Seq: 1, At: 0, Kind: trace.Start, Node: 1},
		{Seq: 2, At: 100 * time.Millisecond, Kind: trace.Invoke, Node: nodes.ClientID(1), Num: 1, Op: nodes.Op{Kind: nodes.OpGet, Key: "x"}},
		{Seq: 3, At: 200 * time.Millisecond, Kind: trace.Return, Node: nodes.ClientID(1), Num: 1, Outcome: nodes.OK, Op: nodes.Op{Kind: nodes.OpGet, Key: "x", Output: "9", Exists: true}},
		{Seq: 4, At: 2 * time.Second, Kind: trace.Violation, Node: nodes.ClientID(1), Type: string(trace.ViolationLinearizability), Note: "1", Text: "not linearizable"},
	}}
	var b strings.Builder
	if err := RenderText(&b, f, Options{Width: 80}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if !strings.HasPrefix(line, "c1 ") {
			continue
		}
		if strings.HasSuffix(strings.TrimRight(line, " "), "!") || !strings.Contains(line, "!") {
			t.Errorf("the violation mark is not on the operation:\n%s", b.String())
		}
		if i := strings.Index(line, "!"); i > 40 {
			t.Errorf("the mark is at column %d, far from the operation at 5%% of the run:\n%s", i, line)
		}
	}
}

// The heal phase is marked on the time axis: without it the quiet heal
// reads as an outage.
func TestHealMarkOnAxis(t *testing.T) {
	f := &trace.File{Header: trace.Header{Nodes: 1}, Events: []trace.Event{
		{Seq: 1, At: 0, Kind: trace.Start, Node: 1},
		{Seq: 2, At: time.Second, Kind: trace.Mark, Type: string(trace.MarkPhase), Text: "heal: faults undone"},
		{Seq: 3, At: 2 * time.Second, Kind: trace.Crash, Node: 1},
	}}
	var b strings.Builder
	if err := RenderText(&b, f, Options{Width: 80}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "┃heal→") {
		t.Errorf("no heal mark:\n%s", b.String())
	}
}
