package trace

// A Name is an event type name prepared for hashing, so that the events
// of a type a run sends over and over (most of its events) fold it in at
// a fraction of the cost, with the same result: [Hash.AddNamed] with a
// Name equals [Hash.Add].
//
// Add hashes a string one byte at a time, a chain of dependent FNV steps;
// for a string s of n bytes that chain equals
//
//	h·pⁿ + C_s[h mod 256]   (mod 2⁶⁴)
//
// because xoring a byte into h changes only its low 8 bits, and the low 8
// bits of every later step depend only on the low 8 bits before it. A Name
// holds pⁿ and the 256-entry table C_s, built once (256·n steps): one
// multiplication, one load and one add instead of n steps.
type Name struct {
	s   string
	pn  Hash
	c   [256]Hash
	len Hash // mix(len(s)), which str folds in after the bytes
}

// NameMinLen is the shortest string NewName prepares: for shorter ones the
// byte steps cost about what the table does.
const NameMinLen = 8

// NewName prepares s for AddNamed, or returns nil if s is shorter than
// NameMinLen (AddNamed then hashes it as Add does).
func NewName(s string) *Name {
	if len(s) < NameMinLen {
		return nil
	}
	n := &Name{s: s, pn: 1, len: mix(uint64(len(s)))}
	for range len(s) {
		n.pn *= fnvPrime
	}
	for l := range n.c {
		h := Hash(l)
		for i := 0; i < len(s); i++ {
			h = (h ^ Hash(s[i])) * fnvPrime
		}
		n.c[l] = h - Hash(l)*n.pn
	}
	return n
}

// String returns the name.
func (n *Name) String() string { return n.s }

// AddNamed folds e into the hash as Add does, hashing e.Type through n
// when n is its Name (nil, or a Name of another string, is Add).
func (h Hash) AddNamed(e *Event, n *Name) Hash {
	if n != nil && n.s != e.Type {
		n = nil
	}
	return h.add(e, n)
}

// str is h.str(n.s).
func (n *Name) str(h Hash) Hash {
	h = h*n.pn + n.c[h&0xff]
	return (h ^ n.len) * fnvPrime
}
