package bad

import (
	crand "crypto/rand"
	oldrand "math/rand"
	"math/rand/v2"
)

func globalrand(xs []int) {
	_ = rand.IntN(10)
	_ = rand.Float64()
	rand.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	_ = rand.N[int64](10)
	_ = rand.Perm(3)
	_ = oldrand.New(oldrand.NewSource(1))
	_, _ = crand.Read(make([]byte, 8))
}
