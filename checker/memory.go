package checker

import (
	"errors"
	"fmt"
)

// DefaultMemoryBytes bounds the search states one partition's search may
// hold when Options.MemoryBytes is zero: 1 GiB of the search's cache, as
// the checker counts it from the capacities of the cache's own arrays and
// the bytes of the model states it keeps (wglCache.bytes) — the search's
// live heap within a few percent. With partitions searched one at a time
// (Options.Workers one, as sweeps do) a process checking stays within
// about 1.5× of it at GOGC=100 (the collector's garbage; docs/BENCHMARKS.md,
// "Calibrating the checker's memory bound").
const DefaultMemoryBytes = 1 << 30

// ErrMemory is the error of a check stopped by its memory bound: a
// partition's search held more search states than Options.MemoryBytes
// allows. The bound is counted in states, not measured, so the same
// history stops the same way on any machine.
var ErrMemory = errors.New("checker: memory bound reached")

// stateBytes is what the checker counts for one search state Porcupine
// keeps in its cache while searching a partition of n operations (the
// verbose search that draws the visualization; the checker's own search
// counts its cache exactly): the set
// of linearized operations (a bitset, n bits), its slice header, the
// model state's interface value and the cache's share of the map holding
// it — an estimate in deterministic units (the model's own state data is
// not counted: a model with large states should be given a lower bound).
// Porcupine adds at most one state per model step that succeeds, so the
// checker counts those.
func stateBytes(n int) int64 { return 8*int64((n+63)/64) + 64 }

// memoryStates is how many search states a search of a partition of n
// operations may hold within limit bytes.
func memoryStates(limit int64, n int) int64 { return max(limit/stateBytes(n), 1) }

// A memoryBound is what one partition's search may hold: bytes, as the
// search's cache counts them (wglCache.bytes; 0: no bound), with the
// model's count of a kept state's own bytes (Model.stateData).
type memoryBound struct {
	bytes     int64
	stateData func(state any) int64
}

func (o Options) memory() int64 {
	if o.MemoryBytes <= 0 {
		return DefaultMemoryBytes
	}
	return o.MemoryBytes
}

// memoryExplanation is the Unknown's reason when partitions ran out of
// memory (and none was found illegal).
func memoryExplanation(limit int64, ops, parts, over int, states int64) string {
	return fmt.Sprintf("no verdict within the memory bound of %s: the search of %d of %d partitions held %d search states (%d operations in all; states are counted, not measured, so this happens the same way on any machine); raise the memory bound (--check-memory) or shorten the history",
		formatBytes(limit), over, parts, states, ops)
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
