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
