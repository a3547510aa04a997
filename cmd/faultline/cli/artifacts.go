package cli

import (
	"io"
	"sync"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim/trace"
	"github.com/faultline/faultline/viz"
)

// Every seed directory the command writes (replay, a sweep's failing
// seeds, a worker's) gets its latency and availability plots beside the
// trace, so a failing seed can be looked at without another command.
const (
	LatencyPlotFile      = "latency.svg"
	AvailabilityPlotFile = "availability.svg"
)

var registerPlots sync.Once

// plotKinds are the events the plots draw: operations, fault windows and
// the heal mark.
var plotKinds = []trace.Kind{trace.Invoke, trace.Return, trace.FaultStart, trace.FaultStop, trace.Mark}

func registerArtifacts() {
	registerPlots.Do(func() {
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: LatencyPlotFile, Write: func(w io.Writer, f *trace.File) error {
			return viz.PlotLatency(w, f, viz.PlotOptions{Format: "svg"})
		}, Kinds: plotKinds})
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: AvailabilityPlotFile, Write: func(w io.Writer, f *trace.File) error {
			return viz.PlotAvailability(w, f, viz.PlotOptions{Format: "svg"})
		}, Kinds: plotKinds})
	})
}
