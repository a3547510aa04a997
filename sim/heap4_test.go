package sim

func (a *item) less(b *item) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// heap4 is a 4-ary min-heap of items ordered by (at, seq), the engine's
// queue until issue 18: the reference the radix queue is tested and
// measured against. A 4-ary heap halves the depth of a binary one and
// keeps siblings in one cache line.
type heap4 struct {
	items []item
}

func (q *heap4) len() int { return len(q.items) }

func (q *heap4) peek() int64 { return q.items[0].at }

func (q *heap4) push(it item) {
	items := append(q.items, it)
	i := len(items) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !it.less(&items[p]) {
			break
		}
		items[i] = items[p]
		i = p
	}
	items[i] = it
	q.items = items
}

// pop removes the earliest item. It sifts the hole left by the root down
// to a leaf along the smallest children without comparing against the
// moved element, then sifts that element up from there (Floyd's
// bottom-up variant): the element taken from the end of the array almost
// always belongs near the bottom, so this saves most comparisons with it.
func (q *heap4) pop() item {
	items := q.items
	top := items[0]
	n := len(items) - 1
	last := items[n]
	items = items[:n]
	q.items = items
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if items[j].less(&items[m]) {
				m = j
			}
		}
		items[i] = items[m]
		i = m
	}
	for i > 0 {
		p := (i - 1) / 4
		if !last.less(&items[p]) {
			break
		}
		items[i] = items[p]
		i = p
	}
	items[i] = last
	return top
}
