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
	q.items = append(q.items, it)
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !q.items[i].less(&q.items[p]) {
			break
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

func (q *queue) pop() item {
	top := q.items[0]
	n := len(q.items) - 1
	last := q.items[n]
	q.items = q.items[:n]
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
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if q.items[j].less(&q.items[m]) {
				m = j
			}
		}
		if !q.items[m].less(&last) {
			break
		}
		q.items[i] = q.items[m]
		i = m
	}
	q.items[i] = last
	return top
}
