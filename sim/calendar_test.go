package sim

// calendar is a calendar queue (R. Brown, CACM 1988), a candidate measured
// against the 4-ary heap by BenchmarkQueue; the engine does not use it.
// Buckets of width ns cover one "day" each of a year of len(buckets)
// days; bucket (at/width) mod len holds its items sorted by (at, seq), so
// equal times stay FIFO. Pop walks the days from the last one popped; a
// year with nothing due falls back to a direct search. The bucket count
// doubles or halves with the number of items, and the width is re-estimated
// from the spread of the pending times.
type calendar struct {
	buckets [][]item
	heads   []int // buckets[b][heads[b]:] are pending
	width   int64
	n       int
	cur     int   // the bucket of the current day
	dayEnd  int64 // the end of the current day
}

func newCalendar() *calendar {
	c := &calendar{}
	c.reset(2, 1, 0)
	return c
}

func (c *calendar) reset(nb int, width, now int64) {
	c.buckets = make([][]item, nb)
	c.heads = make([]int, nb)
	c.width = width
	c.cur = int((now / width) % int64(nb))
	c.dayEnd = (now/width + 1) * width
}

func (c *calendar) len() int { return c.n }

func (c *calendar) bucket(at int64) int { return int((at / c.width) % int64(len(c.buckets))) }

func (c *calendar) insert(it item) {
	b := c.bucket(it.at)
	bk := append(c.buckets[b], it)
	j := len(bk) - 1
	for j > c.heads[b] && it.less(&bk[j-1]) {
		bk[j] = bk[j-1]
		j--
	}
	bk[j] = it
	c.buckets[b] = bk
}

func (c *calendar) push(it item) {
	c.insert(it)
	c.n++
	if c.n > 2*len(c.buckets) {
		c.resize(2 * len(c.buckets))
	}
}

func (c *calendar) pop() item {
	nb := len(c.buckets)
	for range nb {
		b := c.cur
		if h := c.heads[b]; h < len(c.buckets[b]) && c.buckets[b][h].at < c.dayEnd {
			return c.take(b)
		}
		c.cur = (c.cur + 1) % nb
		c.dayEnd += c.width
	}
	// Nothing due this year: find the earliest head directly.
	best := -1
	for b := range c.buckets {
		if h := c.heads[b]; h < len(c.buckets[b]) && (best < 0 || c.buckets[b][h].less(&c.buckets[best][c.heads[best]])) {
			best = b
		}
	}
	at := c.buckets[best][c.heads[best]].at
	c.cur, c.dayEnd = best, (at/c.width+1)*c.width
	return c.take(best)
}

func (c *calendar) take(b int) item {
	bk := c.buckets[b]
	h := c.heads[b]
	it := bk[h]
	h++
	if h == len(bk) {
		c.buckets[b], h = bk[:0], 0
	} else if h > len(bk)/2 {
		c.buckets[b] = bk[:copy(bk, bk[h:])]
		h = 0
	}
	c.heads[b] = h
	c.n--
	if nb := len(c.buckets); nb > 2 && c.n < nb/2 {
		c.resize(nb / 2)
	}
	return it
}

// resize rebuilds with nb buckets and a width of about three times the
// mean gap between pending times (Brown's rule, from the whole set).
func (c *calendar) resize(nb int) {
	var all []item
	lo, hi := int64(-1), int64(0)
	for b, bk := range c.buckets {
		for _, it := range bk[c.heads[b]:] {
			all = append(all, it)
			if lo < 0 || it.at < lo {
				lo = it.at
			}
			hi = max(hi, it.at)
		}
	}
	width := int64(1)
	if len(all) > 1 {
		width = max(1, 3*(hi-lo)/int64(len(all)))
	}
	now := c.dayEnd - c.width // the start of the current day: nothing pending is earlier
	c.reset(nb, width, now)
	for _, it := range all {
		c.insert(it)
	}
}
