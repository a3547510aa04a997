package scenarios

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// DefaultTraceMaxBytes bounds an artifact trace file when
// RunOptions.TraceMaxBytes is zero: 256 MiB, about 1.5 M events of a
// recorded run. A seed that livelocks for 200 M events writes that much
// and a truncation mark, not 30 GB.
const DefaultTraceMaxBytes = 256 << 20

// traceMax is the bound on an artifact trace file.
func (o RunOptions) traceMax() int64 {
	if o.TraceMaxBytes > 0 {
		return o.TraceMaxBytes
	}
	return DefaultTraceMaxBytes
}

// A traceStream is an observer writing each event of a run to a trace file
// as it happens, so a replay holds no event in memory. Past its bound it
// writes one MarkTruncated event and counts the rest. It never fails the
// run: a write error is kept, and the run goes on as it would have.
type traceStream struct {
	f    *os.File
	tw   *trace.Writer
	max  int64
	next uint64 // the sequence number after the last event's (0: none yet)
	cut  uint64 // events left out after the bound
	err  error
}

// newTraceStream creates path and writes the header of seed's trace.
func newTraceStream(path string, sc *Scenario, seed uint64, repro string, max int64) (*traceStream, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	drawn := ApplySwarm(sc, seed)
	tw, err := trace.NewWriter(f, trace.Header{Seed: seed, Scenario: sc.Name, Nodes: drawn.Cluster.Size, Clients: drawn.Workload.Clients, Repro: repro})
	if err != nil {
		f.Close()
		return nil, err
	}
	return &traceStream{f: f, tw: tw, max: max}, nil
}

// observe is the sim observer: it writes e, or past the bound counts it.
func (s *traceStream) observe(e *trace.Event) error {
	s.next = e.Seq + 1
	switch {
	case s.cut > 0 || s.err != nil:
		s.cut++
	case s.tw.Written() >= s.max:
		s.cut = 1
		s.err = s.tw.Write(&trace.Event{Seq: e.Seq, At: e.At, Kind: trace.Mark, Type: string(trace.MarkTruncated),
			Text: fmt.Sprintf("trace cut: the file reached its bound of %d bytes (--trace-max); later events are not written, the footer counts them", s.max)})
	default:
		s.err = s.tw.Write(e)
	}
	return nil
}

// finish appends the checker's violation (if any) and the footer, and
// closes the file.
func (s *traceStream) finish(o *Outcome) error {
	if v := checkerViolation(o, s.next); s.err == nil && v != nil {
		s.err = s.tw.Write(v)
	}
	if s.err == nil {
		s.err = s.tw.Close(trace.Footer{Events: o.Events, At: o.Virtual, Hash: o.Hash, Outcome: o.SimEnd, Status: string(o.Status), Truncated: s.cut})
	}
	if err := s.f.Close(); s.err == nil {
		s.err = err
	}
	return s.err
}

// ReplayTo replays seed with full recording into dir, streaming the trace
// to dir/trace.jsonl as the run goes (bounded by opts.TraceMaxBytes; see
// DefaultTraceMaxBytes), then writes the other files of WriteOutcome. The
// outcome keeps no trace (Outcome.Trace is nil), so memory does not grow
// with the run's length; its hash is the run's, as Replay's is. dir must
// exist. repro is the command written into the trace and the verdict (""
// : ReplayLine's).
func ReplayTo(sc *Scenario, seed uint64, dir string, opts RunOptions, repro string) (Outcome, error) {
	if repro == "" {
		repro = ReplayLine(sc, seed)
	}
	ts, err := newTraceStream(filepath.Join(dir, TraceFile), sc, seed, repro, opts.traceMax())
	if err != nil {
		return Outcome{Seed: seed, Scenario: sc.Name}, err
	}
	opts.Record, opts.KeepTrace = true, false
	hook := opts.Hook
	opts.Hook = func(w *sim.Sim) {
		if hook != nil {
			hook(w)
		}
		w.Observe(ts.observe)
	}
	o := RunSeed(sc, seed, opts)
	if err := ts.finish(&o); err != nil {
		return o, err
	}
	return o, writeOutcomeFiles(dir, sc, &o, repro)
}
