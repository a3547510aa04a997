package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Ratio is an exact probability Num/Den. The zero Ratio never fires.
// Probabilities are integer ratios so that a configuration prints, parses
// and compares exactly, and a draw costs one integer random number.
type Ratio struct {
	Num, Den uint32
}

// Never and Always are the two certain ratios.
var (
	Never  = Ratio{0, 1}
	Always = Ratio{1, 1}
)

// Valid reports whether r is a probability (0 ≤ Num ≤ Den, Den > 0), or zero.
func (r Ratio) Valid() bool { return r == Ratio{} || (r.Den > 0 && r.Num <= r.Den) }

// IsZero reports whether r never fires.
func (r Ratio) IsZero() bool { return r.Num == 0 }

// Fires draws from rng and reports whether the event happens. A ratio that
// never fires consumes no randomness, so turning a fault off does not shift
// the stream for the draws after it.
func (r Ratio) Fires(rng *rand.Rand) bool {
	if r.Num == 0 {
		return false
	}
	if r.Num >= r.Den {
		return true
	}
	return rng.Uint32N(r.Den) < r.Num
}

func (r Ratio) String() string {
	if r.Den == 0 {
		return "0"
	}
	return strconv.FormatUint(uint64(r.Num), 10) + "/" + strconv.FormatUint(uint64(r.Den), 10)
}

// ParseRatio reads "n/d", "0" or "1". The error says what is expected.
func ParseRatio(s string) (Ratio, error) {
	t := strings.TrimSpace(s)
	switch t {
	case "0":
		return Never, nil
	case "1":
		return Always, nil
	}
	n, d, ok := strings.Cut(t, "/")
	if !ok {
		return Ratio{}, fmt.Errorf("sim: ratio %q: want n/d such as 1/100 (or 0, 1)", s)
	}
	num, err1 := strconv.ParseUint(strings.TrimSpace(n), 10, 32)
	den, err2 := strconv.ParseUint(strings.TrimSpace(d), 10, 32)
	if err1 != nil || err2 != nil {
		return Ratio{}, fmt.Errorf("sim: ratio %q: want n/d with whole numbers, such as 1/100", s)
	}
	if den == 0 {
		return Ratio{}, fmt.Errorf("sim: ratio %q: denominator is zero", s)
	}
	if num > den {
		return Ratio{}, fmt.Errorf("sim: ratio %q is above 1", s)
	}
	return Ratio{uint32(num), uint32(den)}, nil
}
