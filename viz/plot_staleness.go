package viz

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Staleness is the per-read staleness of a history, as checker.StaleReads
// measures it: for each read, the acknowledged writes it missed (K) and
// how long before it the oldest of them was acknowledged (Behind).
type Staleness struct {
	K      []int
	Behind []time.Duration
}

// PlotStaleness draws the distribution of stale reads: how many reads
// missed k acknowledged writes, and how far behind (Δ) they were.
func PlotStaleness(w io.Writer, s Staleness, opts PlotOptions) error {
	format, err := opts.format()
	if err != nil {
		return err
	}
	reads := len(s.K)
	var ks []float64
	var ds []float64
	for i, k := range s.K {
		if k > 0 {
			ks = append(ks, float64(k))
			ds = append(ds, s.Behind[i].Seconds()*1000)
		}
	}
	title := opts.Title
	if title == "" {
		title = fmt.Sprintf("staleness: %d of %d reads stale", len(ks), reads)
	}
	if len(ks) == 0 {
		p := plot.New()
		p.Title.Text = title + " — every read saw every write acknowledged before it"
		p.HideAxes()
		width, height := opts.size(2 * vg.Inch)
		return writePlots(w, format, width, height, p)
	}
	hist := func(vals []float64, label, xlabel string) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = label
		p.X.Label.Text = xlabel
		p.Y.Label.Text = "stale reads"
		bins := int(math.Min(40, math.Max(1, slices.Max(vals)-slices.Min(vals)+1)))
		h, err := plotter.NewHist(plotter.Values(vals), bins)
		if err != nil {
			return nil, fmt.Errorf("viz: %v", err)
		}
		h.FillColor, h.LineStyle.Width = colorOf(colInfo), 0
		p.Add(h)
		return p, nil
	}
	pk, err := hist(ks, title+" — k, the acknowledged writes a read missed", "k")
	if err != nil {
		return err
	}
	pd, err := hist(ds, "Δ, how long before the read the oldest missed write was acknowledged", "Δ (ms)")
	if err != nil {
		return err
	}
	width, height := opts.size(7 * vg.Inch)
	return writePlots(w, format, width, height, pk, pd)
}
