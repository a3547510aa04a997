package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/sim"
)

// ParamType is the type of a protocol or workload parameter. The runner
// parses every parameter by its type, so a protocol never sees raw text.
type ParamType uint8

const (
	// ParamString is any text.
	ParamString ParamType = iota + 1
	// ParamInt is a decimal integer (Positive: at least 1).
	ParamInt
	// ParamBool is true or false.
	ParamBool
	// ParamDuration is a duration such as 50ms (Positive: above zero).
	ParamDuration
	// ParamRange is a duration range such as 150ms..300ms (Positive: its
	// minimum above zero).
	ParamRange
	// ParamRatio is a probability such as 1/100.
	ParamRatio
	// ParamPPM is a clock drift bound such as 100000ppm.
	ParamPPM
	// ParamEnum is one of Enum.
	ParamEnum
	// ParamList is a comma-separated list of distinct members of Enum
	// (possibly empty).
	ParamList
)

var paramTypeNames = [...]string{"", "string", "int", "bool", "duration", "range", "ratio", "ppm", "enum", "list"}

func (t ParamType) String() string {
	if int(t) < len(paramTypeNames) && t != 0 {
		return paramTypeNames[t]
	}
	return fmt.Sprintf("ParamType(%d)", uint8(t))
}

// ParamSpec declares one parameter.
type ParamSpec struct {
	Key  string
	Type ParamType
	// Default is the value, in the parameter's text form, used when a
	// scenario leaves the parameter out ("" for the type's zero value).
	Default string
	Help    string
	// Enum lists the allowed values of ParamEnum and ParamList.
	Enum []string
	// Positive requires ParamInt, ParamDuration and ParamRange to be above
	// zero.
	Positive bool
	// Swarm lists values, in the parameter's text form, that a swarm seed
	// draws from (swarm.params) when the scenario does not set the
	// parameter: the timings worth varying ("100ms..110ms",
	// "150ms..600ms"). Each must be valid alone, with the other
	// parameters at their defaults.
	Swarm []string
	_     struct{}
}

// Want describes the values the parameter takes ("a positive duration
// such as 50ms", "one of readindex, log, lease"), as errors and
// `faultline list` print it.
func (s ParamSpec) Want() string { return s.want() }

func (s ParamSpec) want() string {
	pos := ""
	if s.Positive {
		pos = "positive "
	}
	switch s.Type {
	case ParamInt:
		if s.Positive {
			return "a positive integer"
		}
		return "a non-negative integer"
	case ParamBool:
		return "true or false"
	case ParamDuration:
		return "a " + pos + "duration such as 50ms"
	case ParamRange:
		return "a " + pos + "duration range such as 150ms..300ms"
	case ParamRatio:
		return "a ratio such as 1/100"
	case ParamPPM:
		return "a drift bound such as 100000ppm"
	case ParamEnum:
		return "one of " + strings.Join(s.Enum, ", ")
	case ParamList:
		return "a comma-separated list of " + strings.Join(s.Enum, ", ")
	}
	return "a string"
}

// parse reads text by the spec's type.
func (s ParamSpec) parse(text string) (any, error) {
	bad := func() (any, error) { return nil, fmt.Errorf("want %s, got %q", s.want(), text) }
	switch s.Type {
	case ParamString:
		return text, nil
	case ParamInt:
		v, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || v < 0 || (s.Positive && v == 0) {
			return bad()
		}
		return v, nil
	case ParamBool:
		switch text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return bad()
	case ParamDuration:
		v, err := sim.ParseDuration(text)
		if err != nil || v < 0 || (s.Positive && v == 0) {
			return bad()
		}
		return v, nil
	case ParamRange:
		r, err := ParseRange(text)
		if err != nil || r.Min < 0 || (s.Positive && r.Min == 0) {
			return bad()
		}
		return r, nil
	case ParamRatio:
		r, err := sim.ParseRatio(text)
		if err != nil {
			return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "sim: "))
		}
		return r, nil
	case ParamPPM:
		v, err := ParsePPM(text)
		if err != nil {
			return nil, err
		}
		return v, nil
	case ParamEnum:
		if !slices.Contains(s.Enum, text) {
			return nil, fmt.Errorf("want one of %s, got %q%s", strings.Join(s.Enum, ", "), text, didYouMean(text, s.Enum))
		}
		return text, nil
	case ParamList:
		var out []string
		for _, part := range strings.Split(text, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if !slices.Contains(s.Enum, part) {
				return nil, fmt.Errorf("unknown value %q%s (want: %s)", part, didYouMean(part, s.Enum), strings.Join(s.Enum, ", "))
			}
			if slices.Contains(out, part) {
				return nil, fmt.Errorf("%q given twice", part)
			}
			out = append(out, part)
		}
		return out, nil
	}
	panic(fmt.Sprintf("scenarios: parameter %q has no type", s.Key))
}

// mustSpecs panics on malformed specs (programmer errors, at registration).
func mustSpecs(who string, specs []ParamSpec) {
	seen := map[string]bool{}
	for _, s := range specs {
		if s.Key == "" || seen[s.Key] {
			panic(fmt.Sprintf("scenarios: %s: parameter %q is empty or declared twice", who, s.Key))
		}
		seen[s.Key] = true
		if (s.Type == ParamEnum || s.Type == ParamList) && len(s.Enum) == 0 {
			panic(fmt.Sprintf("scenarios: %s: parameter %q: an %v needs Enum", who, s.Key, s.Type))
		}
		if s.Default != "" {
			if _, err := s.parse(s.Default); err != nil {
				panic(fmt.Sprintf("scenarios: %s: parameter %q: default: %v", who, s.Key, err))
			}
		}
	}
}

// Param is one parameter as written in a scenario, with where.
type Param struct {
	Key, Value string
	Pos        Pos
}

// Params are a kind's parameters, parsed and validated by their specs. The
// accessors panic when asked for a key the kind did not declare, or with
// the wrong type: those are bugs in the kind, not in the scenario.
type Params struct {
	field  string // "cluster.params" or "workload"
	specs  []ParamSpec
	values []any // by spec index: the parsed value (default or given)
	given  []int // by spec index: index in raw, or -1
	raw    []Param
	file   string
}

// parseParams checks raw against specs: unknown keys, repeats and values
// that do not parse are errors at the parameter's position.
func parseParams(field, file string, specs []ParamSpec, raw []Param) (Params, error) {
	p := Params{field: field, specs: specs, values: make([]any, len(specs)), given: make([]int, len(specs)), raw: raw, file: file}
	keys := make([]string, len(specs))
	for i, s := range specs {
		keys[i] = s.Key
		p.given[i] = -1
		text := s.Default
		if text == "" {
			p.values[i] = zeroParam(s.Type)
			continue
		}
		v, err := s.parse(text)
		if err != nil {
			panic(err) // checked at registration
		}
		p.values[i] = v
	}
	for j, r := range raw {
		i := slices.Index(keys, r.Key)
		if i < 0 {
			want := oneOf(keys)
			if len(keys) == 0 {
				want = "none: this kind takes no parameters"
			}
			return p, &Error{Pos: r.Pos, Field: field + "." + r.Key, Msg: fmt.Sprintf("unknown parameter%s (want one of: %s)", didYouMean(r.Key, keys), want)}
		}
		if p.given[i] >= 0 {
			return p, &Error{Pos: r.Pos, Field: field + "." + r.Key, Msg: "parameter given twice"}
		}
		v, err := specs[i].parse(r.Value)
		if err != nil {
			return p, &Error{Pos: r.Pos, Field: field + "." + r.Key, Msg: err.Error()}
		}
		p.values[i], p.given[i] = v, j
	}
	return p, nil
}

func zeroParam(t ParamType) any {
	switch t {
	case ParamInt:
		return 0
	case ParamBool:
		return false
	case ParamDuration:
		return time.Duration(0)
	case ParamRange:
		return Range{}
	case ParamRatio:
		return sim.Ratio{}
	case ParamPPM:
		return int64(0)
	case ParamList:
		return []string(nil)
	}
	return ""
}

func (p Params) get(key string, t ...ParamType) any {
	for i, s := range p.specs {
		if s.Key == key {
			if !slices.Contains(t, s.Type) {
				panic(fmt.Sprintf("scenarios: parameter %q is a %v, read as %v", key, s.Type, t))
			}
			return p.values[i]
		}
	}
	panic(fmt.Sprintf("scenarios: parameter %q was not declared", key))
}

// String returns a ParamString or ParamEnum parameter.
func (p Params) String(key string) string { return p.get(key, ParamString, ParamEnum).(string) }

// Int returns a ParamInt parameter.
func (p Params) Int(key string) int { return p.get(key, ParamInt).(int) }

// Bool returns a ParamBool parameter.
func (p Params) Bool(key string) bool { return p.get(key, ParamBool).(bool) }

// Duration returns a ParamDuration parameter.
func (p Params) Duration(key string) time.Duration {
	return p.get(key, ParamDuration).(time.Duration)
}

// Range returns a ParamRange parameter.
func (p Params) Range(key string) Range { return p.get(key, ParamRange).(Range) }

// Ratio returns a ParamRatio parameter.
func (p Params) Ratio(key string) sim.Ratio { return p.get(key, ParamRatio).(sim.Ratio) }

// PPM returns a ParamPPM parameter.
func (p Params) PPM(key string) int64 { return p.get(key, ParamPPM).(int64) }

// List returns a ParamList parameter.
func (p Params) List(key string) []string {
	return slices.Clone(p.get(key, ParamList).([]string))
}

// Has reports whether the list parameter key contains v.
func (p Params) Has(key, v string) bool { return slices.Contains(p.get(key, ParamList).([]string), v) }

// Given reports whether the scenario wrote the parameter (rather than
// taking its default).
func (p Params) Given(key string) bool {
	p.get(key, paramTypesAll...)
	i := slices.IndexFunc(p.specs, func(s ParamSpec) bool { return s.Key == key })
	return p.given[i] >= 0
}

var paramTypesAll = []ParamType{ParamString, ParamInt, ParamBool, ParamDuration, ParamRange, ParamRatio, ParamPPM, ParamEnum, ParamList}

// Errorf is a scenario error pointing at parameter key (or, when the
// scenario did not write it, at the parameter list), for a kind's Validate
// and Build.
func (p Params) Errorf(key, format string, args ...any) error {
	e := &Error{Pos: Pos{File: p.file}, Field: p.field, Msg: fmt.Sprintf(format, args...)}
	if key != "" {
		e.Field = p.field + "." + key
		for i, s := range p.specs {
			if s.Key == key && p.given[i] >= 0 {
				e.Pos = p.raw[p.given[i]].Pos
			}
		}
	}
	if e.Pos.Line == 0 && len(p.raw) > 0 {
		e.Pos = p.raw[0].Pos
	}
	return e
}

// Raw returns the parameters as written, in order (for formatting a
// scenario back to YAML).
func (p Params) Raw() []Param { return slices.Clone(p.raw) }
