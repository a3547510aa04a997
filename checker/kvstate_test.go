package checker

import (
	"strings"
	"testing"
)

// A state built by any mix of puts and appends equals, hashes as and
// reads as the plain string it holds, across the flattening.
func TestKVStateIsItsValue(t *testing.T) {
	build := func(parts ...string) *kvState {
		st := flatKV(parts[0])
		for _, p := range parts[1:] {
			st = appendKV(st, p)
		}
		return st
	}
	long := make([]string, 3*flattenDepth)
	for i := range long {
		long[i] = string(rune('a' + i%26))
	}
	for _, c := range [][]string{{""}, {"ab"}, {"a", "b"}, {"", "a", "", "b"}, long, append([]string{"x"}, long...)} {
		want := strings.Join(c, "")
		st := build(c...)
		if st.String() != want || st.n != len(want) || st.hash != fnv64(fnvOffset, want) || !st.is(want, fnv64(fnvOffset, want)) {
			t.Errorf("%q: state holds %q (n %d)", c, st.String(), st.n)
		}
		if flat := flatKV(want); !st.equal(flat) || !flat.equal(st) || !st.equal(build(c...)) {
			t.Errorf("%q: not equal to the same value built otherwise", c)
		}
		if other := appendKV(st, "z"); st.equal(other) || other.is(want, fnv64(fnvOffset, want)) {
			t.Errorf("%q: equal to a longer value", c)
		}
		if st.depth >= flattenDepth {
			t.Errorf("%q: depth %d, want < %d", c, st.depth, flattenDepth)
		}
	}
	if a, b := build("ab", "c"), build("a", "bd"); a.equal(b) || a.is("abd", fnv64(fnvOffset, "abd")) {
		t.Errorf("abc equals abd")
	}
}
