package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// eventQueue is what the engine needs of its queue. The engine uses the
// radix queue; the 4-ary heap it replaced is the reference, and the order
// tests and the benchmarks are written against this interface so that a
// candidate (a calendar or ladder queue) can be measured against both on
// the same loads before it is adopted.
type eventQueue interface {
	push(item)
	pop() item
	len() int
}

var queues = []struct {
	name string
	make func() eventQueue
}{
	{"heap4", func() eventQueue { return &heap4{} }},
	{"radix", func() eventQueue { return &radixQueue{} }},
	{"calendar", func() eventQueue { return newCalendar() }},
}

// queueLoads are the shapes of pending sets the benchmarks and the order
// test use: times spread uniformly, or most items sharing a few instants
// (a broadcast, timers set together), where FIFO by seq must stay exact.
var queueLoads = []struct {
	name string
	next func(r *rand.Rand, now int64) int64 // the time of the next push
}{
	{"uniform", func(r *rand.Rand, now int64) int64 { return now + r.Int64N(1_000_000) }},
	{"equal-times", func(r *rand.Rand, now int64) int64 { return now + 1000*r.Int64N(4) }},
}

func TestQueueOrderIsTimeThenSeq(t *testing.T) {
	for _, qc := range queues {
		for _, load := range queueLoads {
			t.Run(qc.name+"/"+load.name, func(t *testing.T) {
				q := qc.make()
				r := rand.New(rand.NewPCG(1, 2))
				var seq uint64
				var want []item
				now := int64(0)
				var got []item
				for step := range 20_000 {
					// Grow to ~1,000 pending, then hold, then drain.
					if step < 15_000 && (q.len() < 1000 || r.IntN(2) == 0) {
						seq++
						it := item{at: load.next(r, now), seq: seq, slot: uint32(seq)}
						q.push(it)
						want = append(want, it)
						continue
					}
					if q.len() == 0 {
						continue
					}
					it := q.pop()
					now = it.at
					got = append(got, it)
				}
				for q.len() > 0 {
					got = append(got, q.pop())
				}
				// Every later push has a higher seq, so popping the minimum
				// each time means: times never decrease, and equal times
				// come out in seq order.
				if len(got) != len(want) {
					t.Fatalf("popped %d items, pushed %d", len(got), len(want))
				}
				for i := 1; i < len(got); i++ {
					if got[i].at < got[i-1].at {
						t.Fatalf("popped time %d after time %d", got[i].at, got[i-1].at)
					}
					if got[i].at == got[i-1].at && got[i].seq < got[i-1].seq {
						t.Fatalf("at time %d seq %d popped after seq %d: FIFO at equal times broken", got[i].at, got[i].seq, got[i-1].seq)
					}
				}
				gs := slices.Clone(got)
				slices.SortFunc(gs, func(a, b item) int { return int(a.seq) - int(b.seq) })
				ws := slices.Clone(want)
				slices.SortFunc(ws, func(a, b item) int { return int(a.seq) - int(b.seq) })
				if !slices.Equal(gs, ws) {
					t.Fatal("the popped items are not the pushed ones")
				}
			})
		}
	}
}

// BenchmarkQueue is the hold model: with N items pending, each step pops
// the earliest and pushes one later item. One b.N step is a pop and a push.
func BenchmarkQueue(b *testing.B) {
	for _, qc := range queues {
		for _, load := range queueLoads {
			for _, n := range []int{100, 1_000, 10_000, 100_000} {
				b.Run(fmt.Sprintf("%s/%s/pending=%d", qc.name, load.name, n), func(b *testing.B) {
					q := qc.make()
					r := rand.New(rand.NewPCG(1, 2))
					var seq uint64
					now := int64(0)
					for range n {
						seq++
						q.push(item{at: load.next(r, now), seq: seq})
					}
					b.ReportAllocs()
					b.ResetTimer()
					cpu0 := cpuTime()
					for range b.N {
						now = q.pop().at
						seq++
						q.push(item{at: load.next(r, now), seq: seq})
					}
					b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}

// TestRadixQueuePopsAsTheHeap drives the radix queue and the 4-ary heap
// with the same operations as the engine makes them — pushes at or after
// the last time popped, most with the next sequence number, some (a
// resumed process's deferred work) at the current time with numbers from
// a low counter, peeks between pops — and requires the same item from
// every pop and the same time from every peek.
func TestRadixQueuePopsAsTheHeap(t *testing.T) {
	for _, load := range queueLoads {
		t.Run(load.name, func(t *testing.T) {
			var ref heap4
			var q radixQueue
			r := rand.New(rand.NewPCG(3, 4))
			var seq, lowSeq uint64
			now := int64(0)
			for step := range 200_000 {
				switch {
				case r.IntN(50) == 0: // a Resume: deferred work at now, low numbers
					for range r.IntN(4) {
						lowSeq += 2 // even: no two items share (at, seq), whose order neither queue defines
						it := item{at: now, seq: lowSeq, slot: uint32(step)}
						ref.push(it)
						q.push(it)
					}
				case ref.len() < 1000 && r.IntN(2) == 0 || ref.len() == 0:
					seq += 2 * (1 + uint64(r.IntN(3))) // odd, in the range the low counter reaches
					at := load.next(r, now)
					if r.IntN(10) == 0 {
						at = now // scheduled for this instant
					}
					it := item{at: at, seq: seq + 1_001, slot: uint32(step)}
					ref.push(it)
					q.push(it)
				default:
					if got, want := q.peek(), ref.peek(); got != want {
						t.Fatalf("step %d: peek %d, the heap says %d", step, got, want)
					}
					got, want := q.pop(), ref.pop()
					if got != want {
						t.Fatalf("step %d: popped %+v, the heap pops %+v", step, got, want)
					}
					now = got.at
				}
				if q.len() != ref.len() {
					t.Fatalf("step %d: len %d, the heap has %d", step, q.len(), ref.len())
				}
			}
			for ref.len() > 0 {
				if got, want := q.pop(), ref.pop(); got != want {
					t.Fatalf("draining: popped %+v, the heap pops %+v", got, want)
				}
			}
		})
	}
}

// Two items with the same (at, seq) — the low counter of a resumed
// process's deferred work reaching the number of a scripted event at the
// same instant — come out in the order they were pushed, whichever bucket
// they meet in.
func TestRadixQueueTiesComeOutInPushOrder(t *testing.T) {
	for _, gap := range []int64{0, 1, 1000, 1 << 40} {
		var q radixQueue
		q.push(item{at: 0, seq: 1, slot: 1})
		q.push(item{at: gap, seq: 9, slot: 2}) // scheduled long ago
		q.push(item{at: gap, seq: 20, slot: 3})
		q.pop()
		q.push(item{at: gap, seq: 9, slot: 4}) // the low counter reaches 9
		q.push(item{at: gap, seq: 8, slot: 5})
		var got []uint32
		for q.len() > 0 {
			got = append(got, q.pop().slot)
		}
		if want := []uint32{5, 2, 4, 3}; !slices.Equal(got, want) {
			t.Errorf("gap %d: popped slots %v, want %v", gap, got, want)
		}
	}
}
