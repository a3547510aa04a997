package checker

import (
	"fmt"
	"strings"
)

// Across says how one metric measured in many runs (the seeds of a
// `faultline compare` row) is summarised. Counts add up, maxima take the
// largest, shares average; a per-run percentile cannot be combined
// exactly, so the summary is the median run's.
type Across uint8

const (
	// AcrossInferred (the zero value) infers the summary from the metric's
	// name, for checks that do not say: "… share", "…/s" and "… per …"
	// average, "max" takes the largest, "p50"/"p99" the median, anything
	// else adds up.
	AcrossInferred Across = iota
	AcrossSum
	AcrossMax
	AcrossMean
	AcrossMedian
)

var acrossNames = [...]string{"", "sum", "max", "mean", "median"}

func (a Across) String() string {
	if int(a) < len(acrossNames) {
		return acrossNames[a]
	}
	return fmt.Sprintf("Across(%d)", uint8(a))
}

// MarshalText writes the summary's name ("" for inferred).
func (a Across) MarshalText() ([]byte, error) {
	if int(a) >= len(acrossNames) {
		return nil, fmt.Errorf("checker: unknown Across %d", uint8(a))
	}
	return []byte(a.String()), nil
}

// UnmarshalText reads a name MarshalText wrote.
func (a *Across) UnmarshalText(b []byte) error {
	for i, n := range acrossNames {
		if n == string(b) {
			*a = Across(i)
			return nil
		}
	}
	return fmt.Errorf("checker: unknown metric summary %q (want one of: %s)", b, strings.Join(acrossNames[1:], ", "))
}

// Resolve returns how metric name is summarised: a as given, or inferred
// from the name.
func (a Across) Resolve(name string) Across {
	if a != AcrossInferred {
		return a
	}
	switch {
	case strings.HasSuffix(name, "share"), strings.HasSuffix(name, "/s"), strings.Contains(name, " per "):
		return AcrossMean
	case strings.Contains(name, "max"):
		return AcrossMax
	case strings.Contains(name, "p50"), strings.Contains(name, "p99"):
		return AcrossMedian
	}
	return AcrossSum
}
