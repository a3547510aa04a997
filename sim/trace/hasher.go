package trace

// A Hasher folds events into a Hash exactly as [Hash.Add] does, faster
// when the same type names recur (a run's message types: most of its
// events). The byte-at-a-time FNV step that Add uses for strings is a
// long chain of dependent multiplications; for a string s of n bytes it
// equals
//
//	h·pⁿ + C_s[h mod 256]   (mod 2⁶⁴)
//
// because xoring a byte into h changes only its low 8 bits, and the low 8
// bits of every later step depend only on the low 8 bits before it. A
// Hasher keeps the 256-entry table C_s of the type names it has met often,
// and so replaces n steps by one multiplication, one load and one add.
// The hash is the same with or without it (TestHasherMatchesAdd), so the
// trace hash, a contract, does not depend on it.
//
// The zero Hasher is ready to use; it is not safe for concurrent use (one
// per world).
type Hasher struct {
	sets [hasherSets][2]nameSlot
}

const (
	hasherSets = 64
	// hasherMinLen is the shortest string given a table: for shorter
	// ones the plain steps are about as fast.
	hasherMinLen = 4
	// hasherBuildAfter is how many times a string must be met in its slot
	// before its table (256 × n steps to build) is made.
	hasherBuildAfter = 64
)

// nameSlot is one cached string: a candidate being counted, or, once t
// is set, a string with its table.
type nameSlot struct {
	s    string
	seen int
	t    *nameTable
}

// nameTable is what hashing one string s needs: pⁿ, the table C_s, and
// the mixed length that str folds in after the bytes.
type nameTable struct {
	pn  Hash
	c   [256]Hash
	len Hash // mix(len(s)), folded in after the bytes as str does
}

// Add folds e into h and returns the new value, the same as h.Add(e).
func (c *Hasher) Add(h Hash, e *Event) Hash { return h.add(e, c) }

func (c *Hasher) str(h Hash, s string) Hash {
	n := len(s)
	if n < hasherMinLen {
		return h.str(s)
	}
	set := &c.sets[(uint(n)+7*uint(s[n-1]))%hasherSets]
	if w := &set[0]; w.t != nil && w.s == s {
		return w.t.apply(h)
	}
	if w := &set[1]; w.s == s {
		if w.t != nil {
			set[0], set[1] = set[1], set[0] // the most recent in front
			return set[0].t.apply(h)
		}
		w.seen++
		if w.seen >= hasherBuildAfter {
			w.t = newNameTable(s)
			if set[0].t == nil {
				set[0], set[1] = set[1], set[0]
			}
		}
		return h.str(s)
	}
	if set[0].t == nil && set[0].s == s {
		set[0].seen++
		if set[0].seen >= hasherBuildAfter {
			set[0].t = newNameTable(s)
		}
		return h.str(s)
	}
	// A new candidate takes the way that holds no table, or the older one.
	w := &set[1]
	if set[0].t == nil {
		w = &set[0]
	}
	*w = nameSlot{s: s, seen: 1}
	return h.str(s)
}

// newNameTable builds s's table: C_s[l] is what the byte steps add to
// l·pⁿ starting from l.
func newNameTable(s string) *nameTable {
	t := &nameTable{pn: 1}
	for range len(s) {
		t.pn *= fnvPrime
	}
	for l := range t.c {
		h := Hash(l)
		for i := 0; i < len(s); i++ {
			h = (h ^ Hash(s[i])) * fnvPrime
		}
		t.c[l] = h - Hash(l)*t.pn
	}
	t.len = mix(uint64(len(s)))
	return t
}

// apply is h.str(s) for the string t was built for.
func (t *nameTable) apply(h Hash) Hash {
	h = h*t.pn + t.c[h&0xff]
	return (h ^ t.len) * fnvPrime
}
