package sim

import (
	"math/rand/v2"
)

// Stream names. Every subsystem draws from its own stream, derived from the
// run's seed and the stream's name, so extra draws in one subsystem never
// change what another sees.
// Clients draw from their own process streams ("c1", "c2", ...) like
// servers; there is no separate workload stream.
const (
	StreamNetwork = "network"
	StreamDisk    = "disk"
	StreamClocks  = "clocks"
	// StreamNemesis prefixes the nemesis's streams: one per fault kind
	// ("nemesis/partition", see nemesis.Install).
	StreamNemesis = "nemesis"
)

// NewStream returns the random source named name for seed. The same
// (seed, name) always yields the same sequence; different names yield
// independent sequences. Node streams are named by the node's ID ("n1").
func NewStream(seed uint64, name string) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed), mix(seed^strHash(name))))
}

func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is the splitmix64 finaliser: nearby seeds give unrelated states.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
