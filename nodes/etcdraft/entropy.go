package etcdraft

//faultline:seeded-entropy etcd raft v3.7.0 draws each randomized election timeout from crypto/rand.Reader (raft.go, lockedRand.Intn); only the Reader variable is swapped, under entropyMu, for the duration of one call into RawNode
import crand "crypto/rand"

import (
	"math/rand/v2"
	"sync"

	"github.com/faultline/faultline/nodes"
)

// entropyMu serialises the swap of crypto/rand.Reader: a sweep runs seeds
// on several goroutines, and two runs must not see each other's reader.
// It is held for one call into RawNode, never longer.
var entropyMu sync.Mutex

// seededReader is an io.Reader drawing from a node's random stream.
type seededReader struct{ r *rand.Rand }

func (s seededReader) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 8 {
		v := s.r.Uint64()
		for j := i; j < len(p) && j < i+8; j++ {
			p[j] = byte(v)
			v >>= 8
		}
	}
	return len(p), nil
}

// seedEntropy points crypto/rand.Reader at env.Rand() until the returned
// function restores it. Every call into etcd raft that can step it
// happens between the two (Node.inRaft), so the election timeouts etcd
// raft draws come from the node's own stream of the run's seed.
func seedEntropy(env nodes.Env) (restore func()) {
	entropyMu.Lock()
	saved := crand.Reader
	crand.Reader = seededReader{r: env.Rand()}
	return func() {
		crand.Reader = saved
		entropyMu.Unlock()
	}
}
