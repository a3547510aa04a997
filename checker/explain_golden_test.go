package checker

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/golden"
)

// Every golden history's verdict, explanation and involved operations,
// pinned: a faster search must reach the same verdict, blame the same
// partition and explain it with the same linearization. Generated KV
// histories with planted violations are included (several keys, so the
// partition blamed is pinned too). Regenerate, after a deliberate change,
// with go test ./checker -run TestGoldenExplanations -rewrite.
func TestGoldenExplanations(t *testing.T) {
	var b strings.Builder
	render := func(name string, res Result) {
		fmt.Fprintf(&b, "== %s: %v\n%s\ninvolved %v\n", name, res.Verdict, res.Explanation, res.Involved)
	}
	for _, c := range goldenCases(t) {
		h, _, err := ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		res := Linearizable(mustModel(t, InferModel(h))).Check(h, Options{Budget: time.Minute})
		render(filepath.Base(c.path), res)
	}
	for seed := uint64(1); seed <= 4; seed++ {
		h, _ := genKV(seed, 2_000, 5, 6)
		plantStaleRead(h)
		render(fmt.Sprintf("genKV(%d, 2000, 5 keys, 6 clients) with a stale read", seed), Linearizable(KVModel()).Check(h, Options{}))
	}
	golden.Check(t, "explanations.golden", []byte(b.String()))
}

func mustModel(t *testing.T, name string) Model {
	t.Helper()
	m, ok := ModelByName(name)
	if !ok {
		t.Fatalf("no model %q", name)
	}
	return m
}
