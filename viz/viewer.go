package viz

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// Viewer is the interactive timeline on a tcell screen. RunViewer drives
// it; tests drive it directly with Handle and Draw on a simulation screen.
type Viewer struct {
	ix *index
	// matches are the event indexes matching the search matchesOf.
	matches   []int32
	matchesOf string
	scr       tcell.Screen
	opts      Options
	title     string

	v    view
	sel  int // selected event, -1 if the trace is empty
	lane int // selected lane
	top  int // first lane shown

	help      bool
	hb        bool    // the happens-before view: the selection's causal cut and vector clock
	hbFor     int     // the selection hbCut was computed for
	hbCut     []int32 // index.causalCut(hbFor)
	prompt    bool
	query     []rune
	lastQuery string
	status    string

	fr     *frame
	styles [clsHeal + 1]tcell.Style
	lay    layout
}

// layout is where each part of the screen goes for the current size.
type layout struct {
	w, h       int
	faultRows  int
	axisRow    int
	laneRow    int // first lane row
	laneRows   int
	detailRow  int // separator row of the detail pane
	detailRows int // including the separator; 0 when there is no room
	statusRow  int
	x0, pw     int
}

// NewViewer indexes f and returns a viewer showing the whole trace on
// scr, which must already be initialised. Highlight items that match
// nothing in f are reported on the status line (RunViewer returns them as
// an error instead).
func NewViewer(scr tcell.Screen, f *trace.File, opts Options) *Viewer {
	return newViewer(scr, buildIndex(f, &opts), opts)
}

func newViewer(scr tcell.Screen, ix *index, opts Options) *Viewer {
	vw := &Viewer{ix: ix, scr: scr, opts: opts, sel: -1}
	vw.title = opts.Title
	if vw.title == "" {
		vw.title = defaultTitle(ix.f)
	}
	vw.setStyles()
	vw.relayout()
	vw.fit()
	if len(vw.ix.ev) > 0 {
		vw.sel = 0
		vw.lane = vw.laneOfEvent(0, 0)
	}
	switch {
	case ix.highlightProblem() != "":
		vw.status = "warning: " + ix.highlightProblem()
	case ix.hiFrom >= 0 && ix.lead >= 0:
		vw.status = "highlight taken from the trace's linearizability violation; press v to go to it"
	case len(vw.ix.failures) > 0:
		vw.status = "press v to go to the failure, ? for help"
	default:
		vw.status = "press ? for help"
	}
	return vw
}

// RunViewer shows the timeline of f on scr until the user quits (q or
// Ctrl-C): it initialises scr and finalises it on return. opts.Highlight
// and the other highlight lists name the failure; if any of their items
// matches nothing in f, RunViewer returns an error naming them before it
// touches the terminal.
func RunViewer(scr tcell.Screen, f *trace.File, opts Options) error {
	ix := buildIndex(f, &opts)
	if p := ix.highlightProblem(); p != "" && ix.hiFrom < 0 {
		return errors.New("viz: " + p)
	}
	if err := scr.Init(); err != nil {
		return fmt.Errorf("viz: cannot open the terminal: %w", err)
	}
	defer scr.Fini()
	scr.EnableMouse()
	vw := newViewer(scr, ix, opts)
	vw.Draw()
	for {
		ev := scr.PollEvent()
		if ev == nil {
			return nil
		}
		if vw.Handle(ev) {
			return nil
		}
		vw.Draw()
	}
}

func (vw *Viewer) relayout() {
	w, h := vw.scr.Size()
	l := layout{w: w, h: h}
	l.faultRows = max(1, vw.ix.faultTracks)
	maxFault := 2
	if h >= 32 {
		maxFault = 4
	}
	l.faultRows = min(l.faultRows, maxFault)
	switch {
	case h >= 32:
		l.detailRows = 6
	case h >= 20:
		l.detailRows = 4
	case h >= 12:
		l.detailRows = 2
	}
	// Rows the lanes do not need go to the detail pane.
	if spare := h - (1 + l.faultRows + 1 + len(vw.ix.lanes) + l.detailRows + 1); spare > 0 && l.detailRows > 0 {
		l.detailRows += spare
	}
	l.axisRow = 1 + l.faultRows
	l.laneRow = l.axisRow + 1
	l.statusRow = h - 1
	l.detailRow = l.statusRow - l.detailRows
	l.laneRows = l.detailRow - l.laneRow
	l.x0 = vw.ix.labelWidth(w)
	l.pw = max(1, w-l.x0)
	if vw.lay.pw != 0 && vw.lay.pw != l.pw {
		// Keep the middle of the window where it was.
		mid := vw.v.timeAt(vw.lay.pw / 2)
		vw.v.t0 = mid - int64(l.pw/2)*vw.v.nsPerCol
	}
	vw.lay = l
	if vw.fr == nil || vw.fr.w != w || vw.fr.h != h {
		vw.fr = newFrame(w, h)
	}
}

// fit shows the whole trace.
func (vw *Viewer) fit() {
	vw.v = fitView(vw.ix.start, max(vw.ix.end, vw.ix.start+1), vw.lay.pw)
}

// Draw renders the current state to the screen and shows it.
func (vw *Viewer) Draw() {
	vw.relayout()
	l := vw.lay
	fr := vw.fr
	fr.clear()
	if l.laneRows < 1 || l.w < 40 || l.h < 12 {
		fr.text(0, 0, l.w, clip("too small: need 40x12", l.w), clsStatus)
		vw.blit()
		return
	}
	vw.keepLaneVisible()
	s := vw.scene()
	s.drawHeader(fr, 0, vw.title)
	s.drawFaults(fr, 1, l.faultRows)
	s.drawAxis(fr, l.axisRow)
	for r := 0; r < l.laneRows && vw.top+r < len(vw.ix.lanes); r++ {
		s.drawLane(fr, l.laneRow+r, vw.top+r)
	}
	s.drawEdge(fr, func(lane int) (int, bool) {
		return l.laneRow + lane - vw.top, lane >= vw.top && lane < vw.top+l.laneRows
	})
	if hidden := len(vw.ix.lanes) - vw.top - l.laneRows; hidden > 0 {
		fr.text(0, l.laneRow+l.laneRows-1, l.x0-1, fmt.Sprintf("↓%d more", hidden), clsLabel)
	}
	if vw.top > 0 {
		fr.text(0, l.laneRow, l.x0-1, fmt.Sprintf("↑%d more", vw.top), clsLabel)
	}
	vw.drawDetail()
	vw.drawStatus()
	if vw.help {
		vw.drawHelp()
	}
	vw.blit()
}

func (vw *Viewer) scene() *scene {
	s := &scene{ix: vw.ix, v: vw.v, x0: vw.lay.x0, pw: vw.lay.pw, sel: vw.sel, selLane: vw.lane, cursor: true}
	if vw.hb && vw.sel >= 0 {
		if vw.hbCut == nil || vw.hbFor != vw.sel {
			vw.hbFor, vw.hbCut = vw.sel, vw.ix.causalCut(vw.sel)
		}
		s.cut = vw.hbCut
	}
	if vw.sel >= 0 {
		s.cursorT = int64(vw.ix.ev[vw.sel].At)
	} else {
		s.cursorT = vw.v.timeAt(vw.lay.pw / 2)
	}
	return s
}

func (vw *Viewer) keepLaneVisible() {
	n := vw.lay.laneRows
	if vw.lane < vw.top {
		vw.top = vw.lane
	}
	if vw.lane >= vw.top+n {
		vw.top = vw.lane - n + 1
	}
	if vw.top > len(vw.ix.lanes)-n {
		vw.top = max(0, len(vw.ix.lanes)-n)
	}
}

func (vw *Viewer) drawDetail() {
	l := vw.lay
	if l.detailRows == 0 {
		return
	}
	fr := vw.fr
	head := "── detail "
	if vw.sel >= 0 {
		head = fmt.Sprintf("── event %d of %d (seq %d) ", vw.sel+1, len(vw.ix.ev), vw.ix.ev[vw.sel].Seq)
	}
	head += strings.Repeat("─", max(0, l.w-len([]rune(head))))
	fr.text(0, l.detailRow, l.w, head, clsDim)
	if vw.sel < 0 {
		return
	}
	var rows []string
	lines := vw.ix.detailLines(vw.sel)
	if vw.hb {
		lines = slices.Insert(lines, 1, vw.ix.hbLine(vw.sel))
	}
	for _, line := range lines {
		rows = append(rows, wrap(line, l.w)...)
	}
	n := min(len(rows), l.detailRows-1, 5)
	for r := 0; r < n; r++ {
		fr.text(0, l.detailRow+1+r, l.w, rows[r], clsDetail)
	}
	// With room to spare, the events around the selection, as text.
	y := l.detailRow + 1 + n
	room := l.statusRow - y - 1
	if room < 2 {
		return
	}
	fr.text(0, y, l.w, "── around it "+strings.Repeat("─", max(0, l.w-13)), clsDim)
	first := min(max(0, vw.sel-room/2), max(0, len(vw.ix.ev)-room))
	for r := 0; r < room && first+r < len(vw.ix.ev); r++ {
		i := first + r
		mark := "  "
		c := clsDim
		if i == vw.sel {
			mark, c = "▶ ", clsDetail
		}
		fr.text(0, y+1+r, l.w, mark+vw.ix.ev[i].String(), c)
	}
}

// wrap breaks s into lines of at most w runes (at spaces when it can).
func wrap(s string, w int) []string {
	rs := []rune(s)
	var out []string
	for len(rs) > w {
		cut := w
		for i := w; i > w/2; i-- {
			if rs[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, string(rs[:cut]))
		rs = []rune(strings.TrimLeft(string(rs[cut:]), " "))
	}
	return append(out, string(rs))
}

const hint = "? help  q quit  ←→ pan  ↑↓ lane  +- zoom  ., event  f fault  x failure  o op  v violation  / search"

func (vw *Viewer) drawStatus() {
	l := vw.lay
	var s string
	switch {
	case vw.prompt:
		s = "/" + string(vw.query) + "█"
	case vw.status != "":
		s = vw.status
	default:
		s = hint
	}
	x := vw.fr.text(0, l.statusRow, l.w, clip(s, l.w), clsStatus)
	for ; x < l.w; x++ {
		vw.fr.at(x, l.statusRow).cls = clsStatus
	}
}

var helpText = []string{
	"Faultline timeline — keys",
	"",
	"  ← → h l        pan left / right        H L PgUp PgDn  pan a page",
	"  ↑ ↓ k j        select lane             g G Home End   first / last event",
	"  + - = wheel    zoom in / out           0              fit the whole trace",
	"  . , Tab S-Tab  next / prev event on the selected lane",
	"  > <            next / prev event on any lane",
	"  f F            next / prev fault start or stop",
	"  x X            next / prev failure (violation, panic, highlighted op)",
	"  o O            next / prev operation of the selected client",
	"  v              go to the failing operation, zoom to the ops involved",
	"  c              happens-before view: causal cut, vector clock",
	"  / n N          search (node, type, key, op text, kind:…) / next / prev",
	"  Enter          centre on the selected event    click: select",
	"  ?  Esc         close this help                 q Ctrl-C  quit",
}

func (vw *Viewer) drawHelp() {
	lines := append(append([]string{}, helpText...), legend...)
	l := vw.lay
	bw := 0
	for _, s := range lines {
		bw = max(bw, len([]rune(s)))
	}
	// A framed box with a blank column inside each border; when it nearly
	// fills the screen it takes the whole width, leaving no sliver of the
	// timeline beside it.
	bw = min(bw+6, l.w)
	if l.w-bw < 4 {
		bw = l.w
	}
	bh := min(len(lines)+2, l.h)
	x0, y0 := max(0, (l.w-bw)/2), max(0, (l.h-bh)/2)
	for y := y0; y < y0+bh; y++ {
		for x := x0; x < x0+bw; x++ {
			c := vw.fr.at(x, y)
			if c == nil {
				continue
			}
			ch := ' '
			top, bottom, left, right := y == y0, y == y0+bh-1, x == x0, x == x0+bw-1
			switch {
			case top && left:
				ch = '┌'
			case top && right:
				ch = '┐'
			case bottom && left:
				ch = '└'
			case bottom && right:
				ch = '┘'
			case top || bottom:
				ch = '─'
			case left || right:
				ch = '│'
			}
			*c = cell{ch: ch, cls: clsHelp}
		}
	}
	for i, s := range lines {
		if 1+i >= bh-1 {
			break
		}
		vw.fr.text(x0+3, y0+1+i, x0+bw-2, s, clsHelp)
	}
}

func (vw *Viewer) setStyles() {
	d := tcell.StyleDefault
	st := &vw.styles
	for i := range st {
		st[i] = d
	}
	st[clsLabel] = d.Bold(true)
	st[clsTitle] = d.Bold(true)
	st[clsStatus] = d.Reverse(true)
	st[clsHi] = d.Bold(true)
	st[clsFailure] = d.Bold(true).Reverse(true)
	st[clsDown] = d.Bold(true)
	st[clsHelp] = d.Reverse(true)
	st[clsHeal] = d.Bold(true)
	if vw.opts.NoColor {
		return
	}
	st[clsDim] = d.Foreground(tcell.ColorGray)
	st[clsAxis] = d.Foreground(tcell.ColorTeal)
	st[clsHeal] = d.Foreground(tcell.ColorGreen).Bold(true)
	st[clsMsg] = d.Foreground(tcell.ColorSilver)
	st[clsDrop] = d.Foreground(tcell.ColorRed).Bold(true)
	st[clsDown] = d.Foreground(tcell.ColorRed).Bold(true)
	st[clsClock] = d.Foreground(tcell.ColorFuchsia)
	st[clsOK] = d.Foreground(tcell.ColorGreen)
	st[clsFail] = d.Foreground(tcell.ColorRed)
	st[clsInfo] = d.Foreground(tcell.ColorYellow)
	st[clsPending] = d.Foreground(tcell.ColorGray)
	st[clsFault] = d.Foreground(tcell.ColorOlive)
	st[clsFailure] = d.Foreground(tcell.ColorWhite).Background(tcell.ColorRed).Bold(true)
	st[clsHi] = d.Foreground(tcell.ColorWhite).Background(tcell.ColorMaroon).Bold(true)
	st[clsDetail] = d
	st[clsHelp] = d.Foreground(tcell.ColorWhite).Background(tcell.ColorNavy)
	st[clsStatus] = d.Foreground(tcell.ColorBlack).Background(tcell.ColorSilver)
}

// blit copies the frame to the screen.
func (vw *Viewer) blit() {
	tint := tcell.PaletteColor(236)
	fr := vw.fr
	for y := 0; y < fr.h; y++ {
		for x := 0; x < fr.w; x++ {
			c := &fr.cells[y*fr.w+x]
			st := vw.styles[c.cls]
			if c.tint && !vw.opts.NoColor {
				if _, bg, _ := st.Decompose(); bg == tcell.ColorDefault {
					st = st.Background(tint)
				}
			}
			if c.sel {
				st = st.Reverse(true)
			}
			vw.scr.SetContent(x, y, c.ch, nil, st)
		}
	}
	vw.scr.Show()
}

// --- input ------------------------------------------------------------------

// Handle applies one input event and reports whether the viewer should
// quit.
func (vw *Viewer) Handle(ev tcell.Event) (quit bool) {
	switch ev := ev.(type) {
	case *tcell.EventResize:
		vw.scr.Sync()
		vw.relayout()
	case *tcell.EventMouse:
		vw.mouse(ev)
	case *tcell.EventKey:
		if vw.prompt {
			vw.promptKey(ev)
			return false
		}
		vw.status = ""
		if vw.help {
			if ev.Key() == tcell.KeyEscape || (ev.Key() == tcell.KeyRune && ev.Rune() == '?') {
				vw.help = false
				return false
			}
			if !(ev.Key() == tcell.KeyRune && ev.Rune() == 'q') && ev.Key() != tcell.KeyCtrlC {
				vw.help = false
			}
		}
		return vw.key(ev)
	}
	return false
}

func (vw *Viewer) key(ev *tcell.EventKey) bool {
	pan := max(1, vw.lay.pw/8)
	page := max(1, vw.lay.pw*7/8)
	switch ev.Key() {
	case tcell.KeyCtrlC:
		return true
	case tcell.KeyLeft:
		vw.pan(-pan)
	case tcell.KeyRight:
		vw.pan(pan)
	case tcell.KeyPgUp:
		vw.pan(-page)
	case tcell.KeyPgDn:
		vw.pan(page)
	case tcell.KeyUp:
		vw.moveLane(-1)
	case tcell.KeyDown:
		vw.moveLane(1)
	case tcell.KeyHome:
		vw.jumpTo(0, "")
	case tcell.KeyEnd:
		vw.jumpTo(len(vw.ix.ev)-1, "")
	case tcell.KeyTab:
		vw.laneEvent(1)
	case tcell.KeyBacktab:
		vw.laneEvent(-1)
	case tcell.KeyEnter:
		vw.centre()
	case tcell.KeyRune:
		return vw.runeKey(ev.Rune(), pan, page)
	}
	return false
}

func (vw *Viewer) runeKey(r rune, pan, page int) bool {
	switch r {
	case 'q':
		return true
	case '?':
		vw.help = !vw.help
	case 'h':
		vw.pan(-pan)
	case 'l':
		vw.pan(pan)
	case 'H':
		vw.pan(-page)
	case 'L':
		vw.pan(page)
	case 'k':
		vw.moveLane(-1)
	case 'j':
		vw.moveLane(1)
	case '+', '=':
		vw.zoom(-1, -1)
	case '-', '_':
		vw.zoom(1, -1)
	case '0':
		vw.fit()
	case 'g':
		vw.jumpTo(0, "")
	case 'G':
		vw.jumpTo(len(vw.ix.ev)-1, "")
	case '.':
		vw.laneEvent(1)
	case ',':
		vw.laneEvent(-1)
	case '>':
		vw.jumpTo(vw.sel+1, "no later event")
	case '<':
		vw.jumpTo(vw.sel-1, "no earlier event")
	case 'f':
		vw.jumpList(vw.ix.faultEvents, 1, "no later fault")
	case 'F':
		vw.jumpList(vw.ix.faultEvents, -1, "no earlier fault")
	case 'x':
		vw.jumpList(vw.ix.failures, 1, "no later failure")
	case 'X':
		vw.jumpList(vw.ix.failures, -1, "no earlier failure")
	case 'o':
		vw.jumpList(vw.opEvents(), 1, "no later operation")
	case 'O':
		vw.jumpList(vw.opEvents(), -1, "no earlier operation")
	case 'v':
		vw.violation()
	case 'c':
		vw.hb, vw.hbCut = !vw.hb, nil
		if vw.hb {
			vw.status = "happens-before view: the selection's causal past is marked on every lane (c again: off)"
		} else {
			vw.status = "happens-before view off"
		}
	case '/':
		vw.prompt = true
		vw.query = vw.query[:0]
	case 'n':
		vw.search(vw.lastQuery, 1)
	case 'N':
		vw.search(vw.lastQuery, -1)
	}
	return false
}

func (vw *Viewer) promptKey(ev *tcell.EventKey) {
	switch ev.Key() {
	case tcell.KeyEscape, tcell.KeyCtrlC:
		vw.prompt = false
	case tcell.KeyEnter:
		vw.prompt = false
		vw.lastQuery = string(vw.query)
		vw.search(vw.lastQuery, 1)
	case tcell.KeyBackspace, tcell.KeyBackspace2:
		if len(vw.query) > 0 {
			vw.query = vw.query[:len(vw.query)-1]
		} else {
			vw.prompt = false
		}
	case tcell.KeyRune:
		vw.query = append(vw.query, ev.Rune())
	}
}

func (vw *Viewer) mouse(ev *tcell.EventMouse) {
	x, y := ev.Position()
	l := vw.lay
	col := x - l.x0
	switch {
	case ev.Buttons()&tcell.WheelUp != 0:
		vw.zoom(-1, col)
	case ev.Buttons()&tcell.WheelDown != 0:
		vw.zoom(1, col)
	case ev.Buttons()&tcell.Button1 != 0:
		li := vw.top + y - l.laneRow
		if y < l.laneRow || y >= l.laneRow+l.laneRows || li >= len(vw.ix.lanes) {
			return
		}
		vw.lane = li
		if col >= 0 {
			vw.selectNear(li, col)
		}
	}
}

// --- movement -----------------------------------------------------------------

func (vw *Viewer) pan(cols int) {
	vw.v.t0 += int64(cols) * vw.v.nsPerCol
	// Keep some of the trace on screen.
	lo := vw.ix.start - int64(vw.lay.pw*3/4)*vw.v.nsPerCol
	hi := vw.ix.end - int64(vw.lay.pw/4)*vw.v.nsPerCol
	vw.v.t0 = min(max(vw.v.t0, lo), max(hi, lo))
}

// zoom changes the scale one step (dir < 0 finer), keeping the time at
// column anchor in place (the selected event when anchor < 0 and it is on
// screen, else the middle).
func (vw *Viewer) zoom(dir, anchor int) {
	pw := vw.lay.pw
	if anchor < 0 || anchor >= pw {
		anchor = pw / 2
		if vw.sel >= 0 {
			if c := vw.v.col(int64(vw.ix.ev[vw.sel].At)); c >= 0 && c < pw {
				anchor = c
			}
		}
	}
	t := vw.v.timeAt(anchor) + vw.v.nsPerCol/2
	ns := zoomStep(vw.v.nsPerCol, dir)
	limit := niceAtLeast(max(1, (vw.ix.end-vw.ix.start)/int64(max(1, pw/4))))
	if dir > 0 && ns > limit {
		ns = max(limit, vw.v.nsPerCol)
	}
	vw.v.nsPerCol = ns
	vw.v.t0 = t - int64(anchor)*ns - ns/2
}

func (vw *Viewer) moveLane(d int) {
	vw.lane = min(max(vw.lane+d, 0), len(vw.ix.lanes)-1)
}

// laneOfEvent returns the lane of event i, or def for events of no process.
func (vw *Viewer) laneOfEvent(i, def int) int {
	if id := vw.ix.ev[i].Node; id != 0 {
		return vw.ix.laneOf[id]
	}
	return def
}

// jumpTo selects event i (if it exists) and scrolls it into view.
func (vw *Viewer) jumpTo(i int, none string) {
	if i < 0 || i >= len(vw.ix.ev) {
		vw.status = none
		return
	}
	vw.sel = i
	vw.lane = vw.laneOfEvent(i, vw.lane)
	c := vw.v.col(int64(vw.ix.ev[i].At))
	if c < 0 || c >= vw.lay.pw {
		vw.centre()
	}
}

func (vw *Viewer) centre() {
	if vw.sel < 0 {
		return
	}
	vw.v.t0 = int64(vw.ix.ev[vw.sel].At) - int64(vw.lay.pw/2)*vw.v.nsPerCol
}

// jumpList selects the next (dir > 0) or previous entry of a sorted list
// of event indices relative to the selection.
func (vw *Viewer) jumpList(list []int32, dir int, none string) {
	cur := int32(vw.sel)
	if dir > 0 {
		k := sort.Search(len(list), func(k int) bool { return list[k] > cur })
		if k < len(list) {
			vw.jumpTo(int(list[k]), none)
			return
		}
	} else {
		k := sort.Search(len(list), func(k int) bool { return list[k] >= cur })
		if k > 0 {
			vw.jumpTo(int(list[k-1]), none)
			return
		}
	}
	vw.status = none
}

// laneEvent moves to the next or previous event of the selected lane.
func (vw *Viewer) laneEvent(dir int) {
	if len(vw.ix.lanes) == 0 {
		return
	}
	vw.jumpList(vw.ix.lanes[vw.lane].events, dir, "no more events on "+vw.ix.lanes[vw.lane].id.String())
}

// opEvents lists the invocations of the selected client (of every client
// when a server is selected).
func (vw *Viewer) opEvents() []int32 {
	var list []int32
	if len(vw.ix.lanes) > 0 && vw.ix.lanes[vw.lane].id.IsClient() {
		for _, k := range vw.ix.lanes[vw.lane].ops {
			list = append(list, vw.ix.ops[k].inv)
		}
		return list
	}
	for k := range vw.ix.ops {
		list = append(list, vw.ix.ops[k].inv)
	}
	return list
}

// minViolationSpan is the narrowest view violation frames an online
// violation with (virtual nanoseconds).
const minViolationSpan = int64(100 * time.Millisecond)

// violation goes to the failure and zooms to show it: the lead
// highlighted operation (the one no order can place) with the others
// around it when there is one, else the first online violation or panic
// with every failure around it.
func (vw *Viewer) violation() {
	ix := vw.ix
	if len(ix.failures) == 0 {
		vw.status = "no failure in this trace"
		return
	}
	var lo, hi int64
	var target int
	if ix.lead >= 0 {
		// The highlighted operations only: a checker's violation event
		// sits at the end of the run, far from them.
		o := &ix.ops[ix.lead]
		lo, hi, target = o.start, o.end, int(o.inv)
		for k := range ix.ops {
			if ix.ops[k].hi {
				lo, hi = min(lo, ix.ops[k].start), max(hi, ix.ops[k].end)
			}
		}
	} else {
		target = int(ix.failures[0])
		for _, i := range ix.failures {
			if k := ix.ev[i].Kind; k == trace.Violation || k == trace.Panic {
				target = int(i)
				break
			}
		}
		lo, hi = int64(ix.ev[target].At), int64(ix.ev[target].At)
		for _, i := range ix.failures {
			lo = min(lo, int64(ix.ev[i].At))
			hi = max(hi, int64(ix.ev[i].At))
		}
		for k := range ix.ops {
			if ix.ops[k].hi {
				lo, hi = min(lo, ix.ops[k].start), max(hi, ix.ops[k].end)
			}
		}
		// An online violation is one instant: frame it with the fault
		// that most recently began before it (the likely cause), and
		// never narrower than minViolationSpan, so the lanes show what
		// led up to it.
		at := int64(ix.ev[target].At)
		latest := int64(-1)
		for k := range ix.faults {
			if st := ix.faults[k].start; st <= at && st > latest {
				latest = st
			}
		}
		if latest >= 0 {
			lo = min(lo, latest)
		}
		if hi-lo < minViolationSpan {
			lo = min(lo, hi-minViolationSpan)
		}
		lo = max(lo, ix.start)
	}
	span := max(hi-lo, 1000)
	vw.v = fitView(lo-span/3, hi+span/3, vw.lay.pw)
	vw.jumpTo(target, "")
	if ix.lead >= 0 {
		o := &ix.ops[ix.lead]
		e := &ix.ev[o.inv]
		if o.ret >= 0 {
			e = &ix.ev[o.ret]
		}
		vw.status = fmt.Sprintf("no order can place [%d] %s %s at %s · x X: the others", o.handle, e.Node,
			trace.FormatOp(e.Op, o.outcome == nodes.OK), trace.FormatTime(timeOf(o.start)))
	} else {
		vw.status = "failure: " + strings.TrimSpace(ix.ev[target].String())
	}
}

// selectNear selects the event of lane li closest to column col.
func (vw *Viewer) selectNear(li, col int) {
	ln := &vw.ix.lanes[li]
	t := vw.v.timeAt(col) + vw.v.nsPerCol/2
	k := vw.ix.laneFirstAt(ln.events, t)
	best := -1
	bestD := int64(vw.v.nsPerCol * 2)
	for _, j := range []int{k - 1, k} {
		if j >= 0 && j < len(ln.events) {
			if d := abs64(int64(vw.ix.ev[ln.events[j]].At) - t); d <= bestD {
				best, bestD = int(ln.events[j]), d
			}
		}
	}
	if best >= 0 {
		vw.sel = best
	}
}
