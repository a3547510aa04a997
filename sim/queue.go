package sim

// item is one scheduled event in the queue: pointer-free, 24 bytes, so the
// queue never makes the garbage collector look inside it. What the event
// does lives in the slab slot it names; gen must match the slot's
// generation or the item is stale (cancelled or rescheduled) and is
// skipped.
type item struct {
	at   int64
	seq  uint64
	slot uint32
	gen  uint32
}

// queue is the engine's event queue (radix.go): items come out in exact
// (at, seq) order.
type queue = radixQueue
