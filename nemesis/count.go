package nemesis

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Count is an inclusive range of counts, Min..Max, written N or N..M: how
// many messages crash-on-send spares, and (as scenarios.IntRange) the
// swarm's cluster sizes, clients and keys.
type Count struct{ Min, Max int }

// IsZero reports whether the range is unset.
func (c Count) IsZero() bool { return c == Count{} }

func (c Count) String() string {
	if c.Min == c.Max {
		return strconv.Itoa(c.Min)
	}
	return strconv.Itoa(c.Min) + ".." + strconv.Itoa(c.Max)
}

// Draw returns a count from c, uniformly; 1 for the zero Count, without
// drawing.
func (c Count) Draw(r *rand.Rand) int {
	if c.Max <= 0 {
		return 1
	}
	return c.Min + r.IntN(c.Max-c.Min+1)
}

// ParseCount reads N or N..M, 1 ≤ N ≤ M (spaces around either bound are
// allowed).
func ParseCount(s string) (Count, error) {
	lo, hi, span := strings.Cut(s, "..")
	if !span {
		hi = lo
	}
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil || a < 1 || b < a {
		return Count{}, fmt.Errorf("count %q: want N or N..M with 1 ≤ N ≤ M, such as 3 or 1..6", s)
	}
	return Count{a, b}, nil
}
