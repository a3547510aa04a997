// Command vizdemo opens the timeline viewer on a trace file, or on a
// generated demo run when no file is given. It is how the viewer is tried
// by hand (and in tmux) before cmd/faultline wires it in:
//
//	go run ./viz/internal/vizdemo [-seed 1] [-text] [-write demo.jsonl] [TRACE]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/faultline/faultline/sim/trace"
	"github.com/faultline/faultline/viz"
	"github.com/faultline/faultline/viz/internal/demotrace"
)

func main() {
	seed := flag.Uint64("seed", 1, "seed of the generated demo run")
	text := flag.Bool("text", false, "print the text rendering instead of opening the viewer")
	width := flag.Int("width", 0, "text width")
	synth := flag.Int("synthetic", 0, "open a synthetic trace of this many events")
	write := flag.String("write", "", "write the generated trace to this file and exit")
	flag.BoolVar(&raft, "raft", false, "generate a Raft KV run with leader partitions instead of the register demo")
	flag.StringVar(&plot, "plot", "", "write latency and availability plots to PREFIX-latency.png etc. and exit")
	flag.StringVar(&highlight, "highlight", "", "operations to highlight: 17, c3@6.912491708s, #1234")
	flag.Parse()
	if err := run(*seed, *text, *width, *synth, *write, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var (
	highlight, plot string
	raft            bool
)

func run(seed uint64, text bool, width, synth int, write string, args []string) error {
	var f *trace.File
	var hi []int64
	switch {
	case len(args) > 0:
		r, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer r.Close()
		if f, err = trace.Read(r, args[0]); err != nil {
			return err
		}
	case synth > 0:
		start := time.Now()
		f = demotrace.Synthetic(synth, 5, 10)
		fmt.Fprintf(os.Stderr, "generated %d events in %v\n", len(f.Events), time.Since(start))
	case raft:
		run, err := demotrace.GenerateRaft(seed, 10*time.Second)
		if err != nil {
			return err
		}
		f = run.File
	default:
		run, err := demotrace.Generate(seed, 300*time.Millisecond)
		if err != nil {
			return err
		}
		f, hi = run.File, run.Highlight
	}
	if write != "" {
		out, err := os.Create(write)
		if err != nil {
			return err
		}
		tw, err := trace.NewWriter(out, f.Header)
		if err != nil {
			return err
		}
		for i := range f.Events {
			if err := tw.Write(&f.Events[i]); err != nil {
				return err
			}
		}
		if err := tw.Close(*f.Footer); err != nil {
			return err
		}
		return out.Close()
	}
	if plot != "" {
		for _, p := range []struct {
			name string
			fn   func(io.Writer, *trace.File, viz.PlotOptions) error
		}{{"latency", viz.PlotLatency}, {"availability", viz.PlotAvailability}} {
			for _, format := range []string{"png", "svg"} {
				out, err := os.Create(plot + "-" + p.name + "." + format)
				if err != nil {
					return err
				}
				if err := p.fn(out, f, viz.PlotOptions{Format: format}); err != nil {
					return err
				}
				if err := out.Close(); err != nil {
					return err
				}
			}
		}
		return nil
	}
	opts := viz.Options{Highlight: hi, Width: width}
	if err := viz.ParseHighlight(highlight, &opts); err != nil {
		return err
	}
	if text {
		return viz.RenderText(os.Stdout, f, opts)
	}
	scr, err := tcell.NewScreen()
	if err != nil {
		return err
	}
	return viz.RunViewer(scr, f, opts)
}
