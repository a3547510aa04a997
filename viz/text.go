package viz

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/faultline/faultline/sim/trace"
)

// DefaultTextWidth is RenderText's width when Options.Width is zero.
const DefaultTextWidth = 120

// MinTextWidth and MaxTextWidth bound the widths RenderText draws: below
// the minimum the lane labels leave no room for a timeline, above the
// maximum a frame is mostly padding (and memory).
const (
	MinTextWidth = 40
	MaxTextWidth = 1000
)

// legend explains the glyphs; the viewer's help shows the same text.
var legend = []string{
	"lanes:  > sent  < delivered  * both  x dropped  d duplicated  h held",
	"        C clock change  D disk fault  ! violation or panic",
	"        ─ up  ~ clock skewed  (blank) down  · paused",
	"        X crash  R restart  P pause  U resume",
	"ops:    [op===] ok  [op---] fail  [op???] info  [op...] pending",
	"        {op} or # highlighted (the reported failure)",
	"faults: ░ a fault window, named by its text",
}

// RenderText writes the timeline of f as plain text: the same picture as
// the viewer, without colour or cursor, followed by a legend, the fault
// windows and the failures. It is meant for CI logs and golden tests, and
// for `faultline viz --text` (or when stdout is not a terminal).
//
// The window is opts.From…opts.To, or the whole trace when both are zero;
// the width is opts.Width or DefaultTextWidth.
func RenderText(w io.Writer, f *trace.File, opts Options) error {
	ix := buildIndex(f, &opts)
	if p := ix.highlightProblem(); p != "" && ix.hiFrom < 0 {
		return errors.New("viz: " + p)
	}
	return ix.renderText(w, &opts)
}

func (ix *index) renderText(w io.Writer, opts *Options) error {
	width := opts.Width
	if width <= 0 {
		width = DefaultTextWidth
	}
	width = min(max(width, MinTextWidth), MaxTextWidth)
	from, to := int64(opts.From), int64(opts.To)
	if from == 0 && to == 0 {
		from, to = ix.start, ix.end
	}
	if to <= from {
		to = from + 1
	}
	x0 := ix.labelWidth(width)
	s := &scene{ix: ix, x0: x0, pw: width - x0, sel: -1, selLane: -1, cursorT: to}
	s.v = fitView(from, to, s.pw)

	faultRows := ix.faultTracks
	if faultRows == 0 {
		faultRows = 1
	}
	h := 1 + faultRows + 1 + len(ix.lanes)
	fr := newFrame(width, h)
	title := opts.Title
	if title == "" {
		title = defaultTitle(ix.f)
	}
	s.drawHeader(fr, 0, title)
	s.drawFaults(fr, 1, faultRows)
	s.drawAxis(fr, 1+faultRows)
	for li := range ix.lanes {
		s.drawLane(fr, 2+faultRows+li, li)
	}

	bw := bufio.NewWriter(w)
	if p := ix.highlightProblem(); p != "" {
		bw.WriteString("warning: " + p + "\n")
	}
	bw.WriteString(fr.String())
	bw.WriteString("\n")
	for _, l := range legend {
		bw.WriteString(l + "\n")
	}
	if len(ix.faults) > 0 {
		bw.WriteString("\nfaults:\n")
		for _, fl := range ix.faults {
			stop := trace.FormatTime(timeOf(fl.stop))
			if fl.stopEv < 0 {
				stop = "(never undone)"
			}
			fmt.Fprintf(bw, "  %s … %s  %s\n", trace.FormatTime(timeOf(fl.start)), stop, fl.text)
		}
	}
	if len(ix.failures) > 0 {
		bw.WriteString("\nfailures:\n")
		shown := map[int]bool{} // operations already described
		for _, i := range ix.failures {
			e := &ix.ev[i]
			fmt.Fprintf(bw, "  %s\n", strings.TrimSpace(e.String()))
			if k := ix.opOf(int(i)); k >= 0 {
				if shown[k] {
					continue
				}
				shown[k] = true
			}
			if c := ix.context(int(i)); c != "" {
				fmt.Fprintf(bw, "      %s\n", c)
			}
			if l := ix.hiLabel(int(i)); l != "" {
				fmt.Fprintf(bw, "      %s\n", l)
			}
		}
	}
	return bw.Flush()
}

func timeOf(ns int64) time.Duration { return time.Duration(ns) }
