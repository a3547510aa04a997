package nemesis

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/sim"
)

// Range is a span of durations written min..max, or a single duration when
// min == max. Generated schedules and some faults draw from it.
type Range struct {
	Min, Max time.Duration
}

// Fixed returns the range holding only d.
func Fixed(d time.Duration) Range { return Range{d, d} }

// Span returns the range min..max.
func Span(min, max time.Duration) Range { return Range{min, max} }

func (r Range) String() string {
	if r.Min == r.Max {
		return fmtDur(r.Min)
	}
	return fmtDur(r.Min) + ".." + fmtDur(r.Max)
}

// IsZero reports whether r is 0..0.
func (r Range) IsZero() bool { return r == Range{} }

// Sample draws a duration uniformly from the range. It always consumes
// exactly one draw, even for a fixed range, so that changing a knob from a
// fixed value to a span does not shift later draws of the same stream.
func (r Range) Sample(rng *rand.Rand) time.Duration {
	span := int64(r.Max - r.Min)
	if span <= 0 {
		rng.Int64N(1)
		return r.Min
	}
	return r.Min + time.Duration(rng.Int64N(span+1))
}

// sampleRounded draws a multiple of unit from the range (one draw), so
// that generated schedules read 3.448s rather than 3.448512547s. A range
// holding no multiple of unit falls back to Sample.
func (r Range) sampleRounded(rng *rand.Rand, unit time.Duration) time.Duration {
	lo := (r.Min + unit - 1) / unit
	hi := r.Max / unit
	if hi < lo {
		return r.Sample(rng)
	}
	return (lo + time.Duration(rng.Int64N(int64(hi-lo)+1))) * unit
}

// ParseRange reads "5s" or "2s..5s". Durations must not be negative.
func ParseRange(s string) (Range, error) {
	lo, hi, isSpan := strings.Cut(strings.TrimSpace(s), "..")
	min, err := parseDur(lo)
	if err != nil {
		return Range{}, fmt.Errorf("range %q: %v", s, err)
	}
	max := min
	if isSpan {
		if max, err = parseDur(hi); err != nil {
			return Range{}, fmt.Errorf("range %q: %v", s, err)
		}
	}
	r := Range{min, max}
	switch {
	case min < 0 || max < 0:
		return Range{}, fmt.Errorf("range %q: durations must not be negative", s)
	case max < min:
		return Range{}, fmt.Errorf("range %q: max %v is below min %v", s, fmtDur(max), fmtDur(min))
	}
	return r, nil
}

// fmtDur prints a duration in Go's form (300ms, 1.5s, 1m0s); "0s" for zero.
func fmtDur(d time.Duration) string { return d.String() }

// fmtSigned prints a duration with an explicit sign: +300ms, -1s, 0s.
func fmtSigned(d time.Duration) string {
	if d > 0 {
		return "+" + d.String()
	}
	return d.String()
}

func parseDur(s string) (time.Duration, error) {
	d, err := sim.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q (want a number with a unit, such as 300ms or 2s)", s)
	}
	return d, nil
}

// parsePositive reads a duration that must be above zero.
func parsePositive(what, s string) (time.Duration, error) {
	d, err := parseDur(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s %q must be positive", what, s)
	}
	return d, nil
}

func parseRatio(what, s string) (sim.Ratio, error) {
	r, err := sim.ParseRatio(s)
	if err != nil {
		return sim.Ratio{}, fmt.Errorf("%s: %s", what, strings.TrimPrefix(err.Error(), "sim: "))
	}
	if r.IsZero() {
		return sim.Ratio{}, fmt.Errorf("%s %q is zero: the fault would do nothing", what, s)
	}
	return r, nil
}

func fmtPPM(ppm int64) string {
	if ppm > 0 {
		return "+" + strconv.FormatInt(ppm, 10) + "ppm"
	}
	return strconv.FormatInt(ppm, 10) + "ppm"
}

func parsePPM(s string) (int64, error) {
	num, ok := strings.CutSuffix(s, "ppm")
	if !ok {
		return 0, fmt.Errorf("bad drift %q (want parts per million such as +200ppm or -50ppm)", s)
	}
	ppm, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad drift %q (want parts per million such as +200ppm or -50ppm)", s)
	}
	if ppm < -sim.MaxDriftPPM || ppm > sim.MaxDriftPPM {
		return 0, fmt.Errorf("drift %q is outside ±%dppm", s, sim.MaxDriftPPM)
	}
	return ppm, nil
}

// join builds a canonical text form from non-empty parts.
func join(parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
