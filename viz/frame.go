package viz

import (
	"strings"
	"unicode"
)

// cls is a cell's style class. The renderer works in classes; the tcell
// viewer maps them to colours and attributes, the text renderer drops
// them. Every class that matters also has its own glyph, so a frame reads
// the same without colour.
type cls uint8

const (
	clsNone cls = iota
	clsDim
	clsLabel
	clsTitle
	clsAxis
	clsMsg
	clsDrop
	clsLog
	clsDown
	clsClock
	clsOK
	clsFail
	clsInfo
	clsPending
	clsFault
	clsFailure
	clsHi
	clsStatus
	clsHelp
	clsDetail
	clsPrompt
	clsHeal
)

// cell is one character of a frame. prio decides which of the events
// falling into one cell is shown; sel and tint are drawn as attributes.
type cell struct {
	ch   rune
	cls  cls
	prio uint8
	sel  bool // the selected event (reverse video)
	tint bool // inside a fault window (background shade)
}

// frame is a grid of cells, the common output of the renderer: the viewer
// copies it to a tcell screen, RenderText prints it.
type frame struct {
	w, h  int
	cells []cell
}

func newFrame(w, h int) *frame {
	fr := &frame{w: w, h: h, cells: make([]cell, w*h)}
	fr.clear()
	return fr
}

func (fr *frame) clear() {
	for i := range fr.cells {
		fr.cells[i] = cell{ch: ' '}
	}
}

func (fr *frame) at(x, y int) *cell {
	if x < 0 || y < 0 || x >= fr.w || y >= fr.h {
		return nil
	}
	return &fr.cells[y*fr.w+x]
}

// set puts ch at (x, y) if prio is at least the cell's current priority.
func (fr *frame) set(x, y int, ch rune, c cls, prio uint8) {
	if p := fr.at(x, y); p != nil && prio >= p.prio {
		p.ch, p.cls, p.prio = ch, c, prio
	}
}

// text writes s from (x, y), clipped at maxX (exclusive), and returns the
// column after the last rune written. Control characters become spaces.
func (fr *frame) text(x, y, maxX int, s string, c cls) int {
	if maxX > fr.w {
		maxX = fr.w
	}
	for _, r := range s {
		if x >= maxX {
			break
		}
		if unicode.IsControl(r) {
			r = ' '
		}
		if p := fr.at(x, y); p != nil {
			p.ch, p.cls = r, c
		}
		x++
	}
	return x
}

// row returns row y as a string with trailing spaces removed.
func (fr *frame) row(y int) string {
	var b strings.Builder
	for x := 0; x < fr.w; x++ {
		b.WriteRune(fr.cells[y*fr.w+x].ch)
	}
	return strings.TrimRight(b.String(), " ")
}

// String renders the whole frame, one line per row.
func (fr *frame) String() string {
	var b strings.Builder
	for y := 0; y < fr.h; y++ {
		b.WriteString(fr.row(y))
		b.WriteByte('\n')
	}
	return b.String()
}

// clip shortens s to at most n runes, marking the cut with "…".
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
