package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Dist is a distribution of durations (latencies, sync times). The zero
// Dist is the constant 0.
//
// Text forms (ParseDist reads them back):
//
//	5ms                       constant
//	uniform(1ms, 10ms)        uniform on [min, max]
//	pareto(1ms, 1.5, 500ms)   long-tailed: min·U^(-1/alpha), capped at max
type Dist struct {
	Kind  DistKind
	Min   time.Duration
	Max   time.Duration // uniform: upper bound; pareto: cap
	Alpha float64       // pareto shape (> 0; smaller is heavier)
}

// DistKind selects the shape of a Dist.
type DistKind uint8

const (
	Constant DistKind = iota
	Uniform
	Pareto
)

// Const returns the constant distribution d.
func Const(d time.Duration) Dist { return Dist{Kind: Constant, Min: d, Max: d} }

// UniformDist returns the uniform distribution on [min, max].
func UniformDist(min, max time.Duration) Dist { return Dist{Kind: Uniform, Min: min, Max: max} }

// ParetoDist returns a long-tailed distribution starting at min with shape
// alpha, capped at max.
func ParetoDist(min time.Duration, alpha float64, max time.Duration) Dist {
	return Dist{Kind: Pareto, Min: min, Max: max, Alpha: alpha}
}

// Sample draws one duration. A constant consumes no randomness.
func (d Dist) Sample(r *rand.Rand) time.Duration {
	switch d.Kind {
	case Uniform:
		if d.Max <= d.Min {
			return d.Min
		}
		return d.Min + time.Duration(r.Int64N(int64(d.Max-d.Min)+1))
	case Pareto:
		u := 1 - r.Float64() // (0, 1]
		v := float64(d.Min) * math.Pow(u, -1/d.Alpha)
		if v > float64(d.Max) || math.IsInf(v, 0) || math.IsNaN(v) {
			return d.Max
		}
		return time.Duration(v)
	}
	return d.Min
}

// Validate reports a configuration error naming field.
func (d Dist) Validate(field string) error {
	switch {
	case d.Min < 0:
		return fmt.Errorf("sim: %s: negative duration %v", field, d.Min)
	case d.Kind == Uniform && d.Max < d.Min:
		return fmt.Errorf("sim: %s: uniform max %v is below min %v", field, d.Max, d.Min)
	case d.Kind == Pareto && !(d.Alpha > 0):
		return fmt.Errorf("sim: %s: pareto alpha must be > 0, got %v", field, d.Alpha)
	case d.Kind == Pareto && d.Max < d.Min:
		return fmt.Errorf("sim: %s: pareto cap %v is below min %v", field, d.Max, d.Min)
	case d.Kind > Pareto:
		return fmt.Errorf("sim: %s: unknown distribution kind %d", field, d.Kind)
	}
	return nil
}

// Mean is the distribution's approximate mean, for reports.
func (d Dist) Mean() time.Duration {
	switch d.Kind {
	case Uniform:
		return (d.Min + d.Max) / 2
	case Pareto:
		if d.Alpha > 1 {
			m := float64(d.Min) * d.Alpha / (d.Alpha - 1)
			return time.Duration(math.Min(m, float64(d.Max)))
		}
		return d.Max
	}
	return d.Min
}

func (d Dist) String() string {
	switch d.Kind {
	case Uniform:
		return fmt.Sprintf("uniform(%v, %v)", d.Min, d.Max)
	case Pareto:
		return fmt.Sprintf("pareto(%v, %s, %v)", d.Min, strconv.FormatFloat(d.Alpha, 'g', -1, 64), d.Max)
	}
	return d.Min.String()
}

// ParseDist reads the forms Dist.String writes. Errors say what is expected.
func ParseDist(s string) (Dist, error) {
	t := strings.TrimSpace(s)
	name, args, isCall := strings.Cut(t, "(")
	if !isCall {
		v, err := ParseDuration(t)
		if err != nil {
			return Dist{}, fmt.Errorf("sim: distribution %q: want a duration (5ms), uniform(min, max) or pareto(min, alpha, max)", s)
		}
		d := Const(v)
		return d, d.Validate("distribution")
	}
	if !strings.HasSuffix(args, ")") {
		return Dist{}, fmt.Errorf("sim: distribution %q: missing closing parenthesis", s)
	}
	parts := strings.Split(strings.TrimSuffix(args, ")"), ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	var d Dist
	switch strings.TrimSpace(name) {
	case "uniform":
		if len(parts) != 2 {
			return Dist{}, fmt.Errorf("sim: distribution %q: uniform takes (min, max)", s)
		}
		lo, err1 := ParseDuration(parts[0])
		hi, err2 := ParseDuration(parts[1])
		if err1 != nil || err2 != nil {
			return Dist{}, fmt.Errorf("sim: distribution %q: uniform bounds must be durations such as 1ms", s)
		}
		d = UniformDist(lo, hi)
	case "pareto":
		if len(parts) != 3 {
			return Dist{}, fmt.Errorf("sim: distribution %q: pareto takes (min, alpha, max)", s)
		}
		lo, err1 := ParseDuration(parts[0])
		a, err2 := strconv.ParseFloat(parts[1], 64)
		hi, err3 := ParseDuration(parts[2])
		if err1 != nil || err2 != nil || err3 != nil {
			return Dist{}, fmt.Errorf("sim: distribution %q: pareto wants (duration, number, duration) such as pareto(1ms, 1.5, 500ms)", s)
		}
		d = ParetoDist(lo, a, hi)
	case "const", "constant":
		if len(parts) != 1 {
			return Dist{}, fmt.Errorf("sim: distribution %q: const takes one duration", s)
		}
		v, err := ParseDuration(parts[0])
		if err != nil {
			return Dist{}, fmt.Errorf("sim: distribution %q: const wants a duration such as 1ms", s)
		}
		d = Const(v)
	default:
		return Dist{}, fmt.Errorf("sim: distribution %q: unknown kind %q (want uniform, pareto or a duration)", s, name)
	}
	return d, d.Validate("distribution")
}

// ParseDuration is time.ParseDuration that also accepts a bare "0".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	return time.ParseDuration(s)
}
