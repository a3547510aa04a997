package checker

import (
	"slices"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Availability is what clients experienced, as plain data for plots and
// reports: outcome counts per time bucket and latency percentiles per
// operation kind. All times are virtual.
type Availability struct {
	Bucket  time.Duration
	Buckets []Bucket // consecutive, starting at 0, covering every invocation
	// Latency has one entry per operation kind, sorted by kind, over the
	// operations that completed (OK or Fail).
	Latency []Latency
	// Totals over the whole history.
	OK, Fail, Info, Pending int
}

// A Bucket counts operations by outcome, attributed to the bucket their
// invocation falls in.
type Bucket struct {
	Start                   time.Duration
	OK, Fail, Info, Pending int
}

// Latency summarizes the latencies (Return - Invoke) of one kind of
// operation. Percentiles are nearest-rank.
type Latency struct {
	Kind               nodes.OpKind
	Count              int
	P50, P90, P99, Max time.Duration
}

// MaxBuckets bounds the number of buckets Stats returns.
const MaxBuckets = 100_000

// Stats computes availability statistics with the given bucket width
// (zero means one second). If the history is too long for that width, the
// width is doubled until at most MaxBuckets buckets cover it; the width
// used is in the result. Negative invoke times count in the first bucket.
func Stats(h *History, bucket time.Duration) Availability {
	if bucket <= 0 {
		bucket = time.Second
	}
	var last time.Duration
	for i := range h.Ops {
		last = max(last, h.Ops[i].Invoke)
	}
	for last/bucket >= MaxBuckets {
		bucket *= 2
	}
	a := Availability{Bucket: bucket}
	lat := map[nodes.OpKind][]time.Duration{}
	for i := range h.Ops {
		op := &h.Ops[i]
		b := int(op.Invoke / bucket)
		if op.Invoke < 0 {
			b = 0
		}
		for len(a.Buckets) <= b {
			a.Buckets = append(a.Buckets, Bucket{Start: time.Duration(len(a.Buckets)) * bucket})
		}
		bk := &a.Buckets[b]
		switch op.Outcome {
		case nodes.OK:
			bk.OK++
			a.OK++
		case nodes.Fail:
			bk.Fail++
			a.Fail++
		case nodes.Info:
			bk.Info++
			a.Info++
		default:
			bk.Pending++
			a.Pending++
		}
		if op.Outcome == nodes.OK || op.Outcome == nodes.Fail {
			lat[op.Kind] = append(lat[op.Kind], op.Return-op.Invoke)
		}
	}
	kinds := make([]nodes.OpKind, 0, len(lat))
	for k := range lat {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		ds := lat[k]
		slices.Sort(ds)
		a.Latency = append(a.Latency, Latency{
			Kind: k, Count: len(ds),
			P50: percentile(ds, 50), P90: percentile(ds, 90), P99: percentile(ds, 99), Max: ds[len(ds)-1],
		})
	}
	return a
}

// percentile is the nearest-rank p-th percentile of sorted ds.
func percentile(ds []time.Duration, p int) time.Duration {
	rank := (p*len(ds) + 99) / 100 // ceil(p/100 * n)
	return ds[max(rank, 1)-1]
}
