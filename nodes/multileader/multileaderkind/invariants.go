package multileaderkind

import (
	"fmt"
	"maps"
	"slices"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/multileader"
)

// invariants returns the online check run after every server handler. It
// judges with multileader's exported, correct comparisons (Stamp.Less,
// Vector.Descends), never with the replica's own merge:
//
//   - one value per version: no two replicas ever hold the same stamp
//     (lww) or the same vector (vectors) with different values;
//   - lww: a replica holds at most one version per key, and within an
//     incarnation its stamp for a key never goes down (the merge keeps the
//     larger stamp, whatever the order versions arrive in);
//   - vectors: a replica's siblings are an antichain (none descends from
//     another); a version it held disappears only when a version it now
//     holds descends from it; and the join of its siblings equals its
//     causal context for the key, the join of every vector it merged (a
//     merge that skips a version it has not included breaks this);
//   - acknowledged writes are durable: after a restart, every version the
//     replica acknowledged before the crash is held, or one that wins over
//     it (a larger stamp, a descending vector).
func invariants(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
	type replica struct {
		node    *multileader.Node // the incarnation last seen
		changes uint64
		held    map[string][]multileader.Version
		acks    int                              // acks of this incarnation read so far
		acked   map[string][]multileader.Version // acknowledged, must survive a restart
	}
	replicas := map[nodes.ID]*replica{}
	values := map[string]string{} // key, version order → value
	return func(id nodes.ID) error {
		s, ok := node(id).(*multileader.Node)
		if !ok {
			return nil
		}
		r := replicas[id]
		if r == nil {
			r = &replica{acked: map[string][]multileader.Version{}}
			replicas[id] = r
		}
		restarted := r.node != s
		if restarted {
			if r.node != nil {
				if err := survived(s, r.acked); err != nil {
					return err
				}
			}
			r.node, r.changes, r.held, r.acks = s, s.Changes(), nil, 0
		}
		for _, a := range s.Acked(r.acks) {
			r.acks++
			r.acked[a.Key] = addAck(s.Policy(), r.acked[a.Key], a.Version)
		}
		if !restarted && s.Changes() == r.changes {
			return nil
		}
		r.changes = s.Changes()
		held := map[string][]multileader.Version{}
		for _, k := range s.Keys() {
			vs := s.Versions(k)
			held[k] = vs
			if same(vs, r.held[k]) {
				continue
			}
			if err := checkKey(s, k, vs, r.held[k], values); err != nil {
				return err
			}
		}
		r.held = held
		return nil
	}
}

func order(x multileader.Version) string {
	if x.Vector != nil {
		return x.Vector.String()
	}
	return x.Stamp.String()
}

func checkKey(s *multileader.Node, k string, vs, before []multileader.Version, values map[string]string) error {
	id := s.ID()
	for _, x := range vs {
		o := k + " " + order(x)
		if v, ok := values[o]; ok && v != x.Value {
			return fmt.Errorf("multileader: two writes with one version: %v holds %s %s=%q, another replica held %q", id, k, order(x), x.Value, v)
		}
		values[o] = x.Value
	}
	if s.Policy() == multileader.LWW {
		if len(vs) != 1 {
			return fmt.Errorf("multileader: %v holds %d lww versions of %s", id, len(vs), k)
		}
		if len(before) == 1 && vs[0].Stamp.Less(before[0].Stamp) {
			return fmt.Errorf("multileader: lww merge went back: %v held %s=%v, now %v", id, k, before[0], vs[0])
		}
		return nil
	}
	join := multileader.Vector{}
	for i, x := range vs {
		join = join.Join(x.Vector)
		for j, y := range vs {
			if i != j && x.Vector.Descends(y.Vector) {
				return fmt.Errorf("multileader: %v keeps sibling %v of %s beside %v, which descends from it", id, y, k, x)
			}
		}
	}
	for _, old := range before {
		if !slices.ContainsFunc(vs, func(x multileader.Version) bool { return x.Vector.Descends(old.Vector) }) {
			return fmt.Errorf("multileader: write dropped: %v held %s=%v, now holds %s, none of which descends from it", id, k, old, multileader.Render(vs))
		}
	}
	if ctx := s.Context(k); !join.Equal(ctx) {
		return fmt.Errorf("multileader: write dropped: %v merged %s up to %v, but its siblings %s only join to %v", id, k, ctx, multileader.Render(vs), join)
	}
	return nil
}

// addAck records an acknowledged version, keeping only those no later
// acknowledged one wins over.
func addAck(p multileader.Policy, acked []multileader.Version, x multileader.Version) []multileader.Version {
	if p == multileader.LWW {
		if len(acked) == 1 && x.Stamp.Less(acked[0].Stamp) {
			return acked
		}
		return []multileader.Version{x}
	}
	acked = slices.DeleteFunc(acked, func(y multileader.Version) bool { return x.Vector.Descends(y.Vector) })
	return append(acked, x)
}

// survived checks a restarted replica against what it acknowledged.
func survived(s *multileader.Node, acked map[string][]multileader.Version) error {
	for _, k := range sortedKeys(acked) {
		vs := s.Versions(k)
		for _, a := range acked[k] {
			ok := slices.ContainsFunc(vs, func(x multileader.Version) bool {
				if s.Policy() == multileader.LWW {
					return !x.Stamp.Less(a.Stamp)
				}
				return x.Vector.Descends(a.Vector)
			})
			if !ok {
				return fmt.Errorf("multileader: acknowledged write lost in a crash: %v acknowledged %s=%v, and restarted holding %q", s.ID(), k, a, multileader.Render(vs))
			}
		}
	}
	return nil
}

func sortedKeys(m map[string][]multileader.Version) []string { return slices.Sorted(maps.Keys(m)) }

func same(a, b []multileader.Version) bool {
	return slices.EqualFunc(a, b, func(x, y multileader.Version) bool {
		return x.Value == y.Value && x.Stamp == y.Stamp && x.Vector.Equal(y.Vector) && (x.Vector == nil) == (y.Vector == nil)
	})
}
