package scenarios

import (
	"encoding/json"
	"testing"
)

// The promise levels, weakest first: causal sits between the session
// guarantees and sequential consistency, so a causal promise requires the
// session checks and the causal check, and only measures sequential and
// linearizable ones.
func TestPromiseLevels(t *testing.T) {
	want := []string{"eventual", "session", "causal", "sequential", "linearizable"}
	ps := Promises()
	if len(ps) != len(want) {
		t.Fatalf("Promises() = %v", ps)
	}
	for i, p := range ps {
		if p.String() != want[i] {
			t.Errorf("level %d is %q, want %q", i, p, want[i])
		}
		back, err := ParsePromise(want[i])
		if err != nil || back != p {
			t.Errorf("ParsePromise(%q) = %v, %v", want[i], back, err)
		}
		if i > 0 && ps[i-1] >= p {
			t.Errorf("%v is not weaker than %v", ps[i-1], p)
		}
	}
	for _, c := range []struct {
		promise, level Promise
		required       bool
	}{
		{PromiseCausal, PromiseSession, true},
		{PromiseCausal, PromiseCausal, true},
		{PromiseCausal, PromiseSequential, false},
		{PromiseCausal, PromiseLinearizable, false},
		{PromiseSession, PromiseCausal, false},
		{PromiseSequential, PromiseCausal, true},
		{PromiseAll, PromiseCausal, true},
	} {
		if got := c.promise.requires(c.level); got != c.required {
			t.Errorf("promise %v requires a %v check: %v, want %v", c.promise, c.level, got, c.required)
		}
	}
	if _, err := ParsePromise("strong"); err == nil {
		t.Error("ParsePromise accepted an unknown level")
	}
}

// JSON names the levels (compare --json), and reads them back.
func TestPromiseJSON(t *testing.T) {
	type row struct{ Promise Promise }
	for _, p := range append(Promises(), PromiseAll) {
		b, err := json.Marshal(row{p})
		if err != nil {
			t.Fatal(err)
		}
		var back row
		if err := json.Unmarshal(b, &back); err != nil || back.Promise != p {
			t.Errorf("%v: %s read back as %v, %v", p, b, back.Promise, err)
		}
	}
	if b, _ := json.Marshal(row{PromiseCausal}); string(b) != `{"Promise":"causal"}` {
		t.Errorf("causal marshals as %s", b)
	}
	var r row
	if err := json.Unmarshal([]byte(`{"Promise":"strong"}`), &r); err == nil {
		t.Error("an unknown level read from JSON")
	}
}
