package viz

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
	"github.com/faultline/faultline/viz/internal/demotrace"
)

var (
	bigOnce sync.Once
	big     *trace.File
)

// bigTrace is a synthetic 1M-event trace (5 servers, 10 clients).
func bigTrace() *trace.File {
	bigOnce.Do(func() { big = demotrace.Synthetic(1_000_000, 5, 10) })
	return big
}

// go test ./viz -run '^$' -bench . -benchmem
func BenchmarkIndex1M(b *testing.B) {
	f := bigTrace()
	b.ResetTimer()
	for b.Loop() {
		buildIndex(f, &Options{Highlight: []int64{5, 500}})
	}
}

// A frame of the 1M-event trace at 200×50: the whole trace on screen (the
// worst case: every column holds thousands of events), a 10ms window, and
// scrolling (each frame panned by one step).
func BenchmarkFrame1M(b *testing.B) {
	f := bigTrace()
	ix := buildIndex(f, &Options{})
	w, h := 200, 50
	fr := newFrame(w, h)
	x0 := ix.labelWidth(w)
	draw := func(v view) {
		fr.clear()
		s := &scene{ix: ix, v: v, x0: x0, pw: w - x0, sel: len(ix.ev) / 2, selLane: 0, cursorT: v.t0, cursor: true}
		s.drawHeader(fr, 0, "bench")
		s.drawFaults(fr, 1, 2)
		s.drawAxis(fr, 3)
		for li := range ix.lanes {
			s.drawLane(fr, 4+li, li)
		}
	}
	whole := fitView(ix.start, ix.end, w-x0)
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			draw(whole)
		}
	})
	b.Run("10ms", func(b *testing.B) {
		v := view{t0: ix.end / 2, nsPerCol: int64(10*time.Millisecond) / int64(w-x0)}
		for b.Loop() {
			draw(v)
		}
	})
	b.Run("scroll", func(b *testing.B) {
		v := view{t0: 0, nsPerCol: int64(time.Millisecond)}
		for b.Loop() {
			v.t0 = (v.t0 + 20*v.nsPerCol) % ix.end
			draw(v)
		}
	})
}

// The whole viewer on a simulation screen: a key press and a redraw.
func BenchmarkViewerKey1M(b *testing.B) {
	f := bigTrace()
	scr := tcell.NewSimulationScreen("UTF-8")
	if err := scr.Init(); err != nil {
		b.Fatal(err)
	}
	defer scr.Fini()
	scr.SetSize(200, 50)
	vw := NewViewer(scr, f, Options{})
	keys := []rune{'l', '+', '.', 'l', '-', '>', 'h'}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		vw.Handle(tcell.NewEventKey(tcell.KeyRune, keys[i%len(keys)], tcell.ModNone))
		vw.Draw()
	}
}

// 100k operations plotted, in each format.
func BenchmarkPlotLatency100k(b *testing.B) {
	ops := make([]Op, 100_000)
	for i := range ops {
		lat := time.Duration(1+(i*7919)%50) * time.Millisecond / 10
		ops[i] = Op{Client: nodes.ClientID(1 + i%10), Kind: []nodes.OpKind{nodes.OpGet, nodes.OpPut, nodes.OpCAS}[i%3], Start: time.Duration(i) * time.Millisecond,
			Outcome: []nodes.Outcome{nodes.OK, nodes.OK, nodes.OK, nodes.Fail, nodes.Info}[i%5]}
		ops[i].End = ops[i].Start + lat
	}
	faults := []FaultWindow{{Start: 10 * time.Second, Stop: 20 * time.Second, Text: "partition"}}
	for _, format := range []string{"svg", "png"} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				p := latencyPlot(ops, faults, 0, &PlotOptions{})
				if err := writePlots(io.Discard, format, 720, 324, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("availability-svg", func(b *testing.B) {
		for b.Loop() {
			p := availabilityPlot(ops, faults, 100*time.Second, &PlotOptions{})
			if err := writePlots(io.Discard, "svg", 720, 324, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRenderText1M(b *testing.B) {
	f := bigTrace()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		RenderText(&buf, f, Options{})
	}
}
