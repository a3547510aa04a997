package checker

import (
	"errors"
	"strings"
	"testing"
)

func TestWorst(t *testing.T) {
	tests := []struct {
		in   []Verdict
		want Verdict
	}{
		{nil, Valid},
		{[]Verdict{Valid}, Valid},
		{[]Verdict{Valid, Unknown}, Unknown},
		{[]Verdict{Unknown, Valid}, Unknown},
		{[]Verdict{Valid, Invalid, Unknown}, Invalid},
		{[]Verdict{Unknown, Invalid}, Invalid},
		{[]Verdict{Invalid, Valid}, Invalid},
		{[]Verdict{Verdict(42), Valid}, Unknown}, // garbage never passes
	}
	for _, tt := range tests {
		if got := Worst(tt.in...); got != tt.want {
			t.Errorf("Worst(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestZeroResultIsUnknown(t *testing.T) {
	if (Result{}).Verdict != Unknown {
		t.Fatal("the zero Result must not pass")
	}
}

func fixed(name string, v Verdict) Checker {
	return Func(name, func(*History, Options) Result { return Result{Verdict: v, Explanation: name + " says " + v.String()} })
}

func TestAllComposes(t *testing.T) {
	h := &History{}
	tests := []struct {
		cs   []Checker
		want Verdict
	}{
		{[]Checker{fixed("a", Valid), fixed("b", Valid)}, Valid},
		{[]Checker{fixed("a", Valid), fixed("b", Unknown)}, Unknown},
		{[]Checker{fixed("a", Invalid), fixed("b", Unknown)}, Invalid},
		{[]Checker{fixed("a", Unknown), fixed("b", Invalid), fixed("c", Valid)}, Invalid},
	}
	for _, tt := range tests {
		res := Run(All("all", tt.cs...), h, Options{})
		if res.Verdict != tt.want || len(res.Children) != len(tt.cs) || res.Name != "all" {
			t.Errorf("got %v with %d children, want %v\n%s", res.Verdict, len(res.Children), tt.want, res)
		}
	}
}

func TestPanicIsUnknown(t *testing.T) {
	boom := Func("boom", func(*History, Options) Result { panic("kaboom") })
	res := Run(boom, &History{}, Options{})
	if res.Verdict != Unknown || res.Err == nil || !strings.Contains(res.Err.Error(), "kaboom") || res.Name != "boom" {
		t.Fatalf("got %+v, want Unknown carrying the panic", res)
	}
	errBoom := errors.New("typed")
	res = Run(Func("err", func(*History, Options) Result { panic(errBoom) }), &History{}, Options{})
	if !errors.Is(res.Err, errBoom) {
		t.Fatalf("panic error not wrapped: %v", res.Err)
	}
	// A panic inside a composition does not hide an Invalid sibling, nor
	// turn a Valid one into a pass.
	res = Run(All("all", fixed("ok", Valid), boom), &History{}, Options{})
	if res.Verdict != Unknown {
		t.Fatalf("Valid + panic = %v, want Unknown", res.Verdict)
	}
	res = Run(All("all", boom, fixed("bad", Invalid)), &History{}, Options{})
	if res.Verdict != Invalid {
		t.Fatalf("panic + Invalid = %v, want Invalid", res.Verdict)
	}
	if s := res.String(); !strings.Contains(s, "boom: unknown") || !strings.Contains(s, "bad: invalid") {
		t.Errorf("report lacks children:\n%s", s)
	}
}

// A metric's summary round-trips through its JSON name, inferred is left
// out, and a name nobody wrote is an error naming the choices.
func TestAcrossText(t *testing.T) {
	for a := AcrossInferred; a <= AcrossMedian; a++ {
		b, err := a.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Across
		if err := back.UnmarshalText(b); err != nil || back != a {
			t.Errorf("%v: round trip gave %v, %v", a, back, err)
		}
	}
	var a Across
	if err := a.UnmarshalText([]byte("average")); err == nil || !strings.Contains(err.Error(), "sum, max, mean, median") {
		t.Errorf("unknown summary: %v", err)
	}
	for _, c := range []struct {
		name string
		want Across
	}{{"lost writes", AcrossSum}, {"stale share", AcrossMean}, {"ops/s", AcrossMean},
		{"in-doubt max ms", AcrossMax}, {"p99 ms", AcrossMedian}} {
		if got := AcrossInferred.Resolve(c.name); got != c.want {
			t.Errorf("%q inferred %v, want %v", c.name, got, c.want)
		}
	}
	if got := AcrossMax.Resolve("p99 ms"); got != AcrossMax {
		t.Errorf("a declared summary was overridden by the name: %v", got)
	}
}
