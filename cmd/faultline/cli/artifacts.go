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
	RatePlotFile         = "rate.svg"
)

var registerPlots sync.Once

func registerArtifacts() {
	registerPlots.Do(func() {
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: LatencyPlotFile, Write: func(w io.Writer, f *trace.File) error {
			return viz.PlotLatency(w, f, viz.PlotOptions{Format: "svg"})
		}})
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: AvailabilityPlotFile, Write: func(w io.Writer, f *trace.File) error {
			return viz.PlotAvailability(w, f, viz.PlotOptions{Format: "svg"})
		}})
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: RatePlotFile, Write: func(w io.Writer, f *trace.File) error {
			return viz.PlotRate(w, f, viz.PlotOptions{Format: "svg"})
		}})
		// Last: the page embeds and links the others.
		scenarios.RegisterArtifact(scenarios.ArtifactKind{File: SeedPageFile, WriteIn: writeSeedPage})
	})
}
