package dynamo

import (
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/faultline/faultline/nodes"
)

// Ring is a consistent-hashing ring: every server sits at VNodes
// positions, FNV-1a of "n3#vnode7", and a key at FNV-1a of its name.
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
	return h.Sum64()
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
