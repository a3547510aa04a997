package checker

import "unsafe"

// A kvState is a key's value in the KV model's search. Appends are the
// reason it is not a string: the search keeps every state it reaches in
// its cache, and a string per append would copy the whole value each
// time — memory quadratic in a key's appends (a 25,000-operation key
// reached gigabytes). A kvState is the value before it plus the appended
// suffix, with its length and its FNV-1a hash carried along (FNV extends
// over a suffix), flattened into one string every flattenDepth appends so
// that comparing stays cheap. Two states are equal when their values are,
// however they were built: equal length and hash, then the bytes.
type kvState struct {
	prev   *kvState // nil: suffix is the whole value
	suffix string
	n      int    // length of the value
	hash   uint64 // fnv64 of the value
	depth  int32  // links to a flat state
	// searched marks a state one of the search's steps built (an
	// append's), which the search's cache alone keeps alive, as opposed
	// to one built once for an operation of the history (a put's or cas's
	// next state, kvEmpty), which every entry holding it shares.
	searched bool
}

// flattenDepth bounds the links between a state and a flat one.
const flattenDepth = 32

var kvEmpty = &kvState{hash: fnvOffset}

// flatKV is the state holding v.
func flatKV(v string) *kvState {
	return &kvState{suffix: v, n: len(v), hash: fnv64(fnvOffset, v)}
}

// appendKV is st with v appended.
func appendKV(st *kvState, v string) *kvState {
	if v == "" {
		return st
	}
	next := &kvState{prev: st, suffix: v, n: st.n + len(v), hash: fnv64(st.hash, v), depth: st.depth + 1, searched: true}
	if next.depth >= flattenDepth {
		return &kvState{suffix: next.String(), n: next.n, hash: next.hash, searched: true}
	}
	return next
}

// kvStateSize is the bytes of one kvState (the size class it is allocated
// in: 48).
const kvStateSize = int64(unsafe.Sizeof(kvState{}))

// ownBytes is what the state holds that the search built for it, for the
// memory bound (Model.stateData): nothing for a state of the history's
// operations; the struct for an append's link (its suffix is the append's
// value, which the history holds); the struct and the value for a
// flattened one.
func (st *kvState) ownBytes() int64 {
	switch {
	case !st.searched:
		return 0
	case st.prev != nil:
		return kvStateSize
	}
	return kvStateSize + int64(len(st.suffix))
}

// String is the value.
func (st *kvState) String() string {
	if st.prev == nil {
		return st.suffix
	}
	b := make([]byte, st.n)
	for s, end := st, st.n; s != nil; s = s.prev {
		end -= len(s.suffix)
		copy(b[end:], s.suffix)
	}
	return string(b)
}

// is reports whether the value is v, whose fnv64 is h.
func (st *kvState) is(v string, h uint64) bool {
	if st.n != len(v) || st.hash != h {
		return false
	}
	end := len(v)
	for s := st; s != nil; s = s.prev {
		if v[end-len(s.suffix):end] != s.suffix {
			return false
		}
		end -= len(s.suffix)
	}
	return true
}

// equal reports whether two states hold the same value.
func (st *kvState) equal(o *kvState) bool {
	if st == o {
		return true
	}
	if st.n != o.n || st.hash != o.hash {
		return false
	}
	if o.prev == nil {
		return st.is(o.suffix, o.hash)
	}
	if st.prev == nil {
		return o.is(st.suffix, st.hash)
	}
	return st.String() == o.String()
}
