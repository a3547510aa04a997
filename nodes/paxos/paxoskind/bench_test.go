package paxoskind_test

import (
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// BenchmarkFull runs one seed of paxos-full per iteration.
func BenchmarkFull(b *testing.B) {
	sc, err := scenarios.LoadFile(lib + "paxos-full.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if o := scenarios.RunSeed(sc, uint64(i%8+1), scenarios.RunOptions{}); o.Failed() {
			b.Fatalf("seed %d: %s: %s", i%8+1, o.Status, o.Reason)
		}
	}
}
