package sim

// item is one scheduled event in the queue: pointer-free, 24 bytes, so the
// heap never makes the garbage collector look inside it. What the event does
// lives in the slab slot it names; gen must match the slot's generation or
// the item is stale (cancelled or rescheduled) and is skipped.
type item struct {
	at   int64
	seq  uint64
	slot uint32
	gen  uint32
}

func (a *item) less(b *item) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// queue is a 4-ary min-heap of items ordered by (at, seq). A 4-ary heap
// halves the depth of a binary one and keeps siblings in one cache line.
type queue struct {
	items []item
}

func (q *queue) len() int { return len(q.items) }

func (q *queue) push(it item) {
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
func (q *queue) pop() item {
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
