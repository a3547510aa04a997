package trace

// Hash is a running 64-bit hash of a run's events. It covers every field
// that describes what happened (time, kind, processes, message identity and
// type, numbers, notes, client operations, fault and mark text) but not
// message contents or log lines, which are rendered only when recording
// (the simulator folds a log line's format string in instead): two runs
// with the same hash took the same path.
// Adding an event costs a few nanoseconds and never allocates.
type Hash uint64

const (
	fnvOffset Hash = 14695981039346656037
	fnvPrime  Hash = 1099511628211
)

// NewHash returns the hash of an empty run.
func NewHash() Hash { return fnvOffset }

func (h Hash) u64(x uint64) Hash {
	// Mix a whole word at a time (splitmix finaliser), then fold FNV-style.
	return (h ^ mix(x)) * fnvPrime
}

// mix is the splitmix64 finaliser.
func mix(x uint64) Hash {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return Hash(x)
}

func (h Hash) str(s string) Hash {
	for i := 0; i < len(s); i++ {
		h = (h ^ Hash(s[i])) * fnvPrime
	}
	if len(s) < len(mixedLens) {
		return (h ^ mixedLens[len(s)]) * fnvPrime // h.u64(uint64(len(s)))
	}
	return h.u64(uint64(len(s)))
}

// mixedLens[n] is mix(n), for the lengths most strings have (mix(0) is 0).
var mixedLens = func() (t [64]Hash) {
	for n := range t {
		t[n] = mix(uint64(n))
	}
	return t
}()

// Add folds e into the hash and returns the new value.
func (h Hash) Add(e *Event) Hash { return h.add(e, nil) }

// add is Add, hashing e.Type through typ, its Name, when typ is not nil
// (the result is the same either way).
func (h Hash) add(e *Event, typ *Name) Hash {
	h = h.u64(uint64(e.At))
	h = h.u64(uint64(e.Kind) | uint64(uint32(e.Node))<<8 | uint64(uint32(e.Peer))<<40)
	h = h.u64(e.ID)
	h = h.u64(uint64(e.Num))
	if typ != nil {
		h = typ.str(h)
	} else {
		h = h.str(e.Type)
	}
	h = h.str(e.Note)
	if e.Kind == Invoke || e.Kind == Return {
		h = h.u64(uint64(e.Outcome))
		h = h.str(string(e.Op.Kind)).str(e.Op.Key).str(e.Op.Value).str(e.Op.Expect).str(e.Op.Output)
		if e.Op.Exists {
			h = h.u64(1)
		}
	}
	if e.Kind == FaultStart || e.Kind == FaultStop || e.Kind == Mark || e.Kind == Violation {
		h = h.str(e.Text)
	}
	return h
}

// String renders the hash as 16 hex digits.
func (h Hash) String() string {
	const hex = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = hex[h&15]
		h >>= 4
	}
	return string(b[:])
}

// AddString folds a string that is not part of any event field (a log
// line's format) into the hash.
func (h Hash) AddString(s string) Hash { return h.str(s) }
