package viz

import (
	"strconv"
	"time"
)

// view is the window of virtual time on screen: column c of the plot area
// covers [t0 + c·nsPerCol, t0 + (c+1)·nsPerCol).
type view struct {
	t0       int64
	nsPerCol int64
}

func (v view) col(t int64) int {
	d := t - v.t0
	if d < 0 {
		return int((d - v.nsPerCol + 1) / v.nsPerCol)
	}
	return int(d / v.nsPerCol)
}

func (v view) timeAt(c int) int64 { return v.t0 + int64(c)*v.nsPerCol }

// niceSteps are the zoom levels and tick spacings: 1, 2, 5 × 10^k ns.
var niceSteps = func() []int64 {
	var s []int64
	for p := int64(1); p <= 1e15; p *= 10 {
		s = append(s, p, 2*p, 5*p)
	}
	return s
}()

// niceAtLeast returns the smallest nice step ≥ d (at least 1ns).
func niceAtLeast(d int64) int64 {
	for _, s := range niceSteps {
		if s >= d {
			return s
		}
	}
	return niceSteps[len(niceSteps)-1]
}

// zoomStep returns the next nice scale finer (dir < 0) or coarser
// (dir > 0) than ns.
func zoomStep(ns int64, dir int) int64 {
	if dir < 0 {
		for i := len(niceSteps) - 1; i >= 0; i-- {
			if niceSteps[i] < ns {
				return niceSteps[i]
			}
		}
		return 1
	}
	for _, s := range niceSteps {
		if s > ns {
			return s
		}
	}
	return ns
}

// fitView returns a view showing [from, to] across width columns at a
// nice scale, starting at a multiple of the scale.
func fitView(from, to int64, width int) view {
	if width < 1 {
		width = 1
	}
	span := to - from
	if span < 1 {
		span = 1
	}
	ns := roundUp2((span + int64(width) - 1) / int64(width))
	// Starting at a multiple of a round time can push the end off screen;
	// take a coarser scale then.
	for {
		t0 := floorTo(from, niceAtLeast(ns))
		if t0+ns*int64(width) > to || ns >= niceSteps[len(niceSteps)-1] {
			return view{t0: t0, nsPerCol: ns}
		}
		ns = roundUp2(ns + ns/20 + 1)
	}
}

// roundUp2 rounds d up to two significant digits (1234 → 1300), so a fit
// wastes little width while the scale still reads well (1.3ms/col).
func roundUp2(d int64) int64 {
	if d < 1 {
		return 1
	}
	m := int64(1)
	for d/m >= 100 {
		m *= 10
	}
	return (d + m - 1) / m * m
}

func floorTo(t, m int64) int64 {
	if t >= 0 {
		return t - t%m
	}
	return -((-t + m - 1) / m * m)
}

// tickStep returns a tick spacing in ns so labels of labelW columns fit
// between ticks.
func tickStep(nsPerCol int64, labelW int) int64 {
	return niceAtLeast(nsPerCol * int64(labelW+2))
}

// formatAxis renders t with as many decimals as the tick step needs:
// 0.25s, 1.2005s, 12s.
func formatAxis(t, step int64) string {
	dec := 9
	for s := step; s%10 == 0 && dec > 0; s /= 10 {
		dec--
	}
	neg := t < 0
	if neg {
		t = -t
	}
	sec := t / int64(time.Second)
	frac := t % int64(time.Second)
	s := strconv.FormatInt(sec, 10)
	if dec > 0 {
		f := strconv.FormatInt(frac+int64(time.Second), 10)[1:] // 9 digits
		s += "." + f[:dec]
	}
	if neg {
		s = "-" + s
	}
	return s + "s"
}

// formatScale renders a per-column scale: 1ms, 20µs, 5s.
func formatScale(ns int64) string {
	return time.Duration(ns).String()
}

// formatDur renders a duration compactly (1.5ms, 2s).
func formatDur(d int64) string {
	return time.Duration(d).String()
}
