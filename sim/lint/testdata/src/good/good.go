// Package good holds patterns the determinism lint must accept.
package good

import (
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"time"
)

// Env stands in for nodes.Env.
type Env interface {
	Now() time.Time
	Monotonic() time.Duration
	Rand() *rand.Rand
}

func seeded(env Env) int {
	r := rand.New(rand.NewPCG(1, 2))
	c := rand.New(rand.NewChaCha8([32]byte{}))
	z := rand.NewZipf(r, 1.5, 2, 10)
	return r.IntN(10) + c.IntN(3) + int(z.Uint64()) + env.Rand().IntN(5)
}

func clocks(env Env, deadline time.Time) time.Duration {
	if env.Now().After(deadline) {
		return 0
	}
	d := 3 * time.Second
	t := time.Unix(0, 0).Add(d)
	return deadline.Sub(t) + env.Monotonic()
}

func orderless(m map[string]int) (sum int, keys []string) {
	//faultline:orderless summing: addition commutes
	for _, v := range m {
		sum += v
	}
	for _, v := range m { //faultline:orderless summing again
		sum += v
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		keys = append(keys, k)
	}
	copied := maps.Collect(maps.All(m))
	maps.Insert(copied, maps.All(m))
	return sum, keys
}

func notMaps(xs []int, ch chan int, n int) (sum int) {
	for _, x := range xs {
		sum += x
	}
	for i := range n {
		sum += i
	}
	for v := range ch {
		sum += v
	}
	for _, r := range "abc" {
		sum += int(r)
	}
	return sum
}

// Now is a local function with a banned name; only time.Now is banned.
func Now() int { return 0 }

type fake struct{}

func (fake) Sleep(time.Duration) {}

func shadows() int {
	var f fake
	f.Sleep(time.Second)
	return Now()
}

func reflectCopy(v reflect.Value) reflect.Value {
	n := reflect.MakeMapWithSize(v.Type(), v.Len())
	it := v.MapRange() //faultline:orderless the result is a map
	for it.Next() {
		n.SetMapIndex(it.Key(), it.Value())
	}
	return n
}
