package dynamo

import (
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/faultline/faultline/nodes"
)

// Ring is a consistent-hashing ring: every server sits at VNodes
// positions, the hash of "n3#vnode7", and a key at the hash of its name.
// The hash is FNV-1a followed by a 64-bit finalizer (MurmurHash3's fmix64):
// FNV-1a alone barely moves the high bits for names that differ only in
// their last characters ("k1", "k2"), which would put every key and every
// virtual node of a server in one arc of the ring.
type Ring struct {
	points []point
	n      int // servers
}

type point struct {
	hash uint64
	id   nodes.ID
}

func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// NewRing builds the ring of the given servers.
func NewRing(servers []nodes.ID, vnodes int) *Ring {
	r := &Ring{n: len(servers)}
	for _, id := range servers {
		for v := range vnodes {
			r.points = append(r.points, point{fnv64(fmt.Sprintf("%v#vnode%d", id, v)), id})
		}
	}
	slices.SortFunc(r.points, func(a, b point) int {
		if a.hash != b.hash {
			if a.hash < b.hash {
				return -1
			}
			return 1
		}
		return int(a.id) - int(b.id)
	})
	return r
}

// Walk returns every server in the order met walking clockwise from the
// key's position: the first N are its preference list, the rest the
// stand-ins a sloppy quorum falls back to, nearest first.
func (r *Ring) Walk(key string) []nodes.ID {
	h := fnv64(key)
	start, _ := slices.BinarySearchFunc(r.points, h, func(p point, h uint64) int {
		if p.hash < h {
			return -1
		}
		if p.hash > h {
			return 1
		}
		return 0
	})
	out := make([]nodes.ID, 0, r.n)
	for i := 0; i < len(r.points) && len(out) < r.n; i++ {
		id := r.points[(start+i)%len(r.points)].id
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Preference returns the key's preference list: the first n distinct
// servers clockwise from its position (all of them if fewer).
func (r *Ring) Preference(key string, n int) []nodes.ID {
	w := r.Walk(key)
	return w[:min(n, len(w))]
}
