package raftkv

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQuorumValueIsTheQuorumthLargest against sorting and indexing, for
// every cluster size up to 31 and every quorum.
func TestQuorumValueIsTheQuorumthLargest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for n := 1; n <= 31; n++ {
		for q := 1; q <= n; q++ {
			for range 20 {
				vals := make([]uint64, n)
				for i := range vals {
					vals[i] = uint64(r.IntN(8)) // ties are common
				}
				sorted := slices.Sorted(slices.Values(vals))
				if got, want := quorumValue(slices.Clone(vals), q), sorted[n-q]; got != want {
					t.Fatalf("quorumValue(%v, %d) = %d, want %d", vals, q, got, want)
				}
			}
		}
	}
}
