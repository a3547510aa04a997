package cli

import (
	"io"
	"slices"
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
	RatePlotFile         = "rate.svg"
)

var registerPlots sync.Once

// plotKinds are the events the plots draw: operations, fault windows, the
// heal mark, and the failure (violations, panics).
var plotKinds = []trace.Kind{trace.Invoke, trace.Return, trace.FaultStart, trace.FaultStop, trace.Mark, trace.Violation, trace.Panic}

// seedPageKinds are what a seed's page shows: the plots' events and each
// process's life (its timeline leaves messages to the viewer, so a long
// trace costs the page what it draws).
var seedPageKinds = append(slices.Clone(plotKinds), trace.Start, trace.Crash, trace.Restart, trace.Pause, trace.Resume, trace.Clock, trace.DiskFault)

func registerArtifacts() {
	registerPlots.Do(func() {
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: LatencyPlotFile, Write: func(w io.Writer, f *trace.File) error {
			return viz.PlotLatency(w, f, viz.PlotOptions{Format: "svg"})
		}, Kinds: plotKinds})
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: AvailabilityPlotFile, Write: func(w io.Writer, f *trace.File) error {
			return viz.PlotAvailability(w, f, viz.PlotOptions{Format: "svg"})
		}, Kinds: plotKinds})
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: RatePlotFile, Write: func(w io.Writer, f *trace.File) error {
			return viz.PlotRate(w, f, viz.PlotOptions{Format: "svg"})
		}, Kinds: plotKinds})
		// Last: the page embeds and links the others.
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: SeedPageFile, WriteIn: writeSeedPage, Kinds: seedPageKinds})
	})
}
