package sim

import "math/bits"

// radixQueue is the engine's event queue: a radix heap (Ahuja, Mehlhorn,
// Orlin and Tarjan 1990) ordered exactly by (at, seq), as the 4-ary heap it
// replaced (heap4, kept in the tests as the reference).
//
// It relies on what a simulation guarantees: no event is scheduled before
// the last one taken out (time never goes back). Bucket k > 0 holds the
// items whose time first differs from last (the time of the last item
// taken) in bit k-1; bucket 0 holds the items due exactly at last. Buckets
// cover disjoint, increasing ranges of time, so the earliest item is in the
// lowest non-empty bucket. When bucket 0 runs dry, the lowest non-empty
// bucket is spread over the buckets below it around its earliest time;
// every item moves down at most 63 times in its life, and in practice a
// handful.
//
// FIFO at equal times is exact because every bucket is kept in seq order:
// ordinary pushes come with increasing seqs and are appended; a push with a
// lower seq than a bucket's last (the deferred work of a resumed process,
// which gets sequence numbers from a low counter) is inserted in place,
// a rare linear step; and spreading a bucket appends a subsequence of it
// to buckets that were empty. Bucket 0 is then popped from its front.
//
// The low counter can reach a number an ordinary item pending at the same
// instant already has (a scripted event at the end of a pause, such as the
// heal): of two items with the same (at, seq), the one pushed first comes
// out first. The heap's order for such a tie depended on its shape; pushed
// first is what it did in the cases the library's scenarios reach (their
// trace hashes did not change).
type radixQueue struct {
	last    int64
	n       int
	mask    uint64 // bit k: buckets[k] is not empty
	head    int    // buckets[0][head:] are pending
	buckets [64][]item
	// min caches the earliest time for peek until the next push or pop.
	min      int64
	minValid bool
	// ghosts are the stale items settle took out of the high buckets,
	// kept (and pruned once their time has passed) so that a run ends as
	// it would with them still queued (Sim.endOutcome); ghostMax is the
	// latest time of any ghost ever taken.
	ghosts   []item
	ghostMax int64
	ghostCap int
}

// ghostBucket is the lowest bucket settle takes stale items out of: items
// due half a second or more after the last one run (bit 29 of the
// nanoseconds), mostly timers, a client's deadlines above all, which are
// cancelled long before their time and would otherwise move down the
// buckets three or four times each before being skipped.
const ghostBucket = 30

func (q *radixQueue) len() int { return q.n }

func (q *radixQueue) push(it item) {
	if it.at < q.last {
		panic("sim: event scheduled before the last one run") // schedule clamps to now
	}
	k := bits.Len64(uint64(it.at ^ q.last))
	b := q.buckets[k]
	q.n++
	q.mask |= 1 << k
	q.minValid = false
	if n := len(b); n == 0 || b[n-1].seq <= it.seq {
		q.buckets[k] = append(b, it)
		return
	}
	// A low seq (see the type's doc): insert it in seq order, after any
	// item with the same (at, seq).
	from := 0
	if k == 0 {
		from = q.head
	}
	i := from
	for i < len(b) && b[i].seq <= it.seq {
		i++
	}
	b = append(b, item{})
	copy(b[i+1:], b[i:])
	b[i] = it
	q.buckets[k] = b
}

// peek returns the time of the earliest item; the queue must not be empty.
func (q *radixQueue) peek() int64 {
	if q.mask&1 != 0 {
		return q.last
	}
	if !q.minValid {
		b := q.buckets[bits.TrailingZeros64(q.mask)]
		m := b[0].at
		for i := 1; i < len(b); i++ {
			m = min(m, b[i].at)
		}
		q.min, q.minValid = m, true
	}
	return q.min
}

// pop removes the earliest item; the queue must not be empty.
func (q *radixQueue) pop() item {
	if q.mask&1 == 0 {
		q.spread()
	}
	b := q.buckets[0]
	it := b[q.head]
	q.head++
	if q.head == len(b) {
		q.buckets[0] = b[:0]
		q.head = 0
		q.mask &^= 1
	}
	q.n--
	q.minValid = false
	return it
}

// spread empties the lowest non-empty bucket into the buckets below it,
// around its earliest time, which becomes last.
func (q *radixQueue) spread() {
	k := bits.TrailingZeros64(q.mask)
	b := q.buckets[k]
	m := q.min
	if !q.minValid {
		m = b[0].at
		for i := 1; i < len(b); i++ {
			m = min(m, b[i].at)
		}
	}
	q.last = m
	// Every item goes to a bucket below k (its time agrees with m above
	// bit k-1), so j < 64 (the mask tells the compiler) and the mask is
	// kept in a register until the end.
	mask := q.mask &^ (1 << k)
	for _, it := range b {
		j := bits.Len64(uint64(it.at^m)) & 63
		q.buckets[j] = append(q.buckets[j], it)
		mask |= 1 << j
	}
	q.buckets[k] = b[:0]
	q.mask = mask
}

// settle takes the stale items (their slot's generation has moved on) out
// of the lowest non-empty bucket while it is a high one (ghostBucket and
// above) and bucket 0 is empty, so that they are neither spread nor
// popped; each becomes a ghost. Items with a sequence number the low
// counter has reached (lowSeq: a resumed process's work) are left in
// place, so that a ghost's order against any item is its seq
// (ghostPending). Run calls it before looking at the queue when the
// lowest non-empty bucket is a high one and its minimum is not known.
func (q *radixQueue) settle(slots []slot, lowSeq uint64) {
	for q.mask != 0 {
		k := bits.TrailingZeros64(q.mask)
		if k < ghostBucket {
			return
		}
		b := q.buckets[k]
		n := 0
		for _, it := range b {
			if slots[it.slot].gen != it.gen && it.seq > lowSeq {
				q.ghost(it)
				continue
			}
			b[n] = it
			n++
		}
		clear(b[n:])
		q.buckets[k] = b[:n]
		if n > 0 {
			return
		}
		q.mask &^= 1 << k
	}
}

func (q *radixQueue) ghost(it item) {
	q.n--
	if len(q.ghosts) >= q.ghostCap {
		// Prune the ghosts whose time has passed (everything before last
		// has been run or skipped), at most once per doubling.
		n := 0
		for _, g := range q.ghosts {
			if g.at >= q.last {
				q.ghosts[n] = g
				n++
			}
		}
		q.ghosts = q.ghosts[:n]
		q.ghostCap = max(256, 2*n)
	}
	q.ghostMax = max(q.ghostMax, it.at)
	q.ghosts = append(q.ghosts, it)
}

// ghostPending reports whether a ghost due by end would still be queued
// had it not been taken out: after the last item run, which was due at
// now with sequence number seq (the maximum once a run has reached now
// with nothing left before it).
func (q *radixQueue) ghostPending(now int64, seq uint64, end int64) bool {
	for _, g := range q.ghosts {
		if g.at <= end && (g.at > now || g.at == now && g.seq > seq) {
			return true
		}
	}
	return false
}
