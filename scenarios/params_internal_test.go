package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/sim"
)

var specsOfEveryType = []ParamSpec{
	{Key: "s", Type: ParamString},
	{Key: "i", Type: ParamInt, Default: "7"},
	{Key: "pi", Type: ParamInt, Positive: true, Default: "1"},
	{Key: "b", Type: ParamBool},
	{Key: "d", Type: ParamDuration, Default: "50ms"},
	{Key: "pd", Type: ParamDuration, Positive: true, Default: "1ms"},
	{Key: "r", Type: ParamRange, Default: "1s..2s"},
	{Key: "ratio", Type: ParamRatio},
	{Key: "ppm", Type: ParamPPM},
	{Key: "e", Type: ParamEnum, Enum: []string{"red", "green"}, Default: "red"},
	{Key: "l", Type: ParamList, Enum: []string{"x", "y", "z"}},
}

// Every parameter type parses its text form, takes its default when not
// given, and rejects what it cannot read with the field and position.
func TestParamTypes(t *testing.T) {
	at := Pos{File: "f.yaml", Line: 3, Col: 9}
	parse := func(key, value string) (Params, error) {
		return parseParams("cluster.params", "f.yaml", specsOfEveryType, []Param{{Key: key, Value: value, Pos: at}})
	}
	p, err := parseParams("cluster.params", "f.yaml", specsOfEveryType, nil)
	if err != nil {
		t.Fatal(err)
	}
	defaults := fmt.Sprint(p.String("s"), p.Int("i"), p.Bool("b"), p.Duration("d"), p.Range("r"), p.Ratio("ratio"), p.PPM("ppm"), p.String("e"), p.List("l"), p.Given("i"))
	if want := fmt.Sprint("", 7, false, 50*time.Millisecond, Range{Min: time.Second, Max: 2 * time.Second}, sim.Ratio{}, int64(0), "red", []string(nil), false); defaults != want {
		t.Errorf("defaults: got %s, want %s", defaults, want)
	}
	for _, tc := range []struct {
		key, value string
		get        func(Params) any
		want       any
	}{
		{"s", "any text", func(p Params) any { return p.String("s") }, "any text"},
		{"i", "0", func(p Params) any { return p.Int("i") }, 0},
		{"i", "42", func(p Params) any { return p.Int("i") }, 42},
		{"b", "true", func(p Params) any { return p.Bool("b") }, true},
		{"d", "0s", func(p Params) any { return p.Duration("d") }, time.Duration(0)},
		{"d", "1.5s", func(p Params) any { return p.Duration("d") }, 1500 * time.Millisecond},
		{"r", "150ms..300ms", func(p Params) any { return p.Range("r") }, Range{Min: 150 * time.Millisecond, Max: 300 * time.Millisecond}},
		{"ratio", "1/100", func(p Params) any { return p.Ratio("ratio") }, sim.Ratio{Num: 1, Den: 100}},
		{"ppm", "100000ppm", func(p Params) any { return p.PPM("ppm") }, int64(100000)},
		{"e", "green", func(p Params) any { return p.String("e") }, "green"},
		{"l", "z, x", func(p Params) any { return fmt.Sprint(p.List("l"), p.Has("l", "x"), p.Has("l", "y")) }, "[z x] true false"},
		{"l", "", func(p Params) any { return len(p.List("l")) }, 0},
	} {
		p, err := parse(tc.key, tc.value)
		if err != nil {
			t.Errorf("%s: %q: %v", tc.key, tc.value, err)
			continue
		}
		if got := tc.get(p); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %q: got %v, want %v", tc.key, tc.value, got, tc.want)
		}
		if !p.Given(tc.key) {
			t.Errorf("%s: Given is false", tc.key)
		}
	}
	for _, tc := range []struct{ key, value, want string }{
		{"i", "-1", `want a non-negative integer, got "-1"`},
		{"pi", "0", `want a positive integer, got "0"`},
		{"b", "yes", `want true or false, got "yes"`},
		{"d", "fast", `want a duration such as 50ms, got "fast"`},
		{"pd", "0s", `want a positive duration such as 50ms, got "0s"`},
		{"r", "2s..1s", `want a duration range such as 150ms..300ms, got "2s..1s"`},
		{"ratio", "3/2", `ratio "3/2" is above 1`},
		{"ppm", "100", `want a drift bound`},
		{"e", "gren", `want one of red, green, got "gren" (did you mean "green"?)`},
		{"l", "x, w", `unknown value "w" (want: x, y, z)`},
		{"l", "x, x", `"x" given twice`},
		{"nope", "1", `cluster.params.nope: unknown parameter (want one of: s, i, pi, b, d, pd, r, ratio, ppm, e, l)`},
	} {
		_, err := parse(tc.key, tc.value)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "scenarios: f.yaml:3:9: cluster.params."+tc.key+": ") {
			t.Errorf("%s: %q: got %v, want an error at f.yaml:3:9 containing %q", tc.key, tc.value, err, tc.want)
		}
	}
}

// A kind's mistakes in its own declarations are programmer errors, caught
// at registration.
func TestBadSpecsPanic(t *testing.T) {
	for _, specs := range [][]ParamSpec{
		{{Key: "x", Type: ParamInt, Default: "many"}},
		{{Key: "x", Type: ParamEnum}},
		{{Key: "x", Type: ParamInt}, {Key: "x", Type: ParamInt}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%+v: no panic", specs)
				}
			}()
			mustSpecs("test", specs)
		}()
	}
	p, _ := parseParams("cluster.params", "", specsOfEveryType, nil)
	for _, read := range []func(){func() { p.Int("s") }, func() { p.Duration("undeclared") }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("reading a parameter with the wrong type or an undeclared key did not panic")
				}
			}()
			read()
		}()
	}
}
