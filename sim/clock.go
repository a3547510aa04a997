package sim

// clock is a node's oscillator and wall clock. The oscillator (what
// Monotonic reads) runs at rate 1 + ppm/1e6 relative to true virtual time
// and never goes back; the wall clock is the oscillator plus an offset
// that faults can set or jump, in either direction.
//
// mono(t) = baseMono + (t - baseTrue)·(1e6 + ppm)/1e6; a drift change
// rebases at the current instant so the oscillator stays continuous.
type clock struct {
	baseTrue int64
	baseMono int64
	ppm      int64
	offset   int64
}

const million = 1_000_000

func (c *clock) mono(t int64) int64 {
	dt := t - c.baseTrue
	if c.ppm == 0 {
		return c.baseMono + dt // mulDiv(dt, 0, million) is 0: skip its divisions
	}
	return c.baseMono + dt + mulDiv(dt, c.ppm, million)
}

// trueAt returns the first true time at which the oscillator reads at
// least m.
func (c *clock) trueAt(m int64) int64 {
	dm := m - c.baseMono
	if dm <= 0 {
		return c.baseTrue
	}
	if c.ppm == 0 {
		return c.baseTrue + dm // what the division below gives at rate 1
	}
	rate := million + c.ppm
	// ceil(dm·1e6/rate)
	t := c.baseTrue + mulDivCeil(dm, million, rate)
	for c.mono(t) < m { // guard against rounding
		t++
	}
	return t
}

func (c *clock) wall(t int64) int64 { return c.mono(t) + c.offset }

func (c *clock) setDrift(t, ppm int64) {
	c.baseMono = c.mono(t)
	c.baseTrue = t
	c.ppm = ppm
}

// mulDiv computes a·b/c without overflowing for the magnitudes used here
// (a up to ~10^15 ns, b up to 10^6).
func mulDiv(a, b, c int64) int64 {
	q := a / c
	r := a % c
	return q*b + r*b/c
}

func mulDivCeil(a, b, c int64) int64 {
	q := a / c
	r := a % c
	x := r * b
	res := q*b + x/c
	if x%c != 0 {
		res++
	}
	return res
}
