package lint

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// simulatedRoots lists the directories of this module (relative to its
// root) whose packages run inside the simulator. Every package at or below
// each of them is linted, except testdata/ trees and _test.go files (the
// go command's ./... rules). To put new simulated code under the rules (a
// workload, a protocol), put it below one of these or add its directory
// here. cmd/, viz/, checker/ and scenarios/ are not simulated: they run
// outside the event loop and may use the host's clock, goroutines and maps
// freely.
//
// This package sits below sim/ and so lints itself, although it never runs
// in the simulator. It complies (it needs no clock, goroutines, select or
// randomness, and sorts what it collects from maps), so no exception is
// carved out; that keeps the list of simulated code a list of directories.
var simulatedRoots = []string{"sim", "nodes", "nemesis"}

func moduleRootOf(t *testing.T) string {
	t.Helper()
	wd, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestDeterminismRules lints the module's simulated packages (see
// simulatedRoots) and reports every violation in one failure.
func TestDeterminismRules(t *testing.T) {
	root := moduleRootOf(t)
	var patterns []string
	for _, r := range simulatedRoots {
		patterns = append(patterns, "./"+r+"/...")
	}
	r, err := Check(root, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Packages {
		t.Logf("linted %s", p)
	}
	for _, p := range r.Broken {
		var b strings.Builder
		for _, e := range p.Errors {
			fmt.Fprintf(&b, "\n\t%v", e)
		}
		t.Errorf("package %s does not type-check, so the determinism lint may miss violations in it (fix the package first):%s", p.Path, b.String())
	}
	if vs := r.Violations; len(vs) > 0 {
		var b strings.Builder
		for _, v := range vs {
			rel, err := filepath.Rel(root, v.Pos.Filename)
			if err == nil {
				v.Pos.Filename = rel
			}
			fmt.Fprintf(&b, "\n\t%s", v)
		}
		t.Errorf("%d determinism violation(s) in simulated code (rules: docs/DETERMINISM.md):%s", len(vs), b.String())
	}
}

// hit is one expected violation in a fixture: file:line and rule.
type hit struct {
	file string
	line int
	rule Rule
}

func (h hit) String() string { return fmt.Sprintf("%s:%d: %s", h.file, h.line, h.rule) }

// TestFixtures proves every rule fires on planted violations
// (testdata/src/bad) and stays quiet on allowed patterns (testdata/src/good).
func TestFixtures(t *testing.T) {
	tests := []struct {
		dir  string
		want []hit
	}{
		{"good", nil},
		{"bad", []hit{
			{"directive.go", 4, RuleDirective}, // orderless without a reason
			{"directive.go", 5, RuleMapRange},  // ... so the loop is unmarked
			{"directive.go", 8, RuleDirective}, // "// faultline:" with a space
			{"directive.go", 9, RuleMapRange},
			{"directive.go", 12, RuleDirective}, // unknown directive name
			{"directive.go", 14, RuleDirective}, // hatch attached to nothing
			{"dotimport.go", 5, RuleWallclock},
			{"entropy.go", 3, RuleDirective},     // seeded-entropy without a reason
			{"entropy.go", 4, RuleGlobalRand},    // ... so the import is banned
			{"entropy.go", 10, RuleDirective},    // seeded-entropy attached to nothing
			{"entropy2.go", 9, RuleGlobalRand},   // crypto/rand.Read under seeded-entropy
			{"entropy2.go", 10, RuleGlobalRand},  // crypto/rand.Int under seeded-entropy
			{"globalrand.go", 4, RuleGlobalRand}, // import crypto/rand
			{"globalrand.go", 5, RuleGlobalRand}, // import math/rand
			{"globalrand.go", 10, RuleGlobalRand},
			{"globalrand.go", 11, RuleGlobalRand},
			{"globalrand.go", 12, RuleGlobalRand},
			{"globalrand.go", 13, RuleGlobalRand}, // generic rand.N
			{"globalrand.go", 14, RuleGlobalRand},
			{"goroutine.go", 4, RuleGoroutine},
			{"maprange.go", 12, RuleMapRange},
			{"maprange.go", 15, RuleMapRange}, // named map type
			{"maprange.go", 18, RuleMapRange}, // range over maps.Keys
			{"maprange.go", 21, RuleMapRange}, // slices.Collect(maps.Keys)
			{"maprange.go", 25, RuleMapRange}, // type parameter ~map
			{"maprange.go", 40, RuleMapRange}, // embedded constraint admits a map
			{"maprange.go", 47, RuleMapRange}, // reflect.Value.MapRange
			{"maprange.go", 51, RuleMapRange}, // reflect.Value.MapKeys
			{"select.go", 4, RuleSelect},
			{"wallclock.go", 11, RuleWallclock},
			{"wallclock.go", 12, RuleWallclock},
			{"wallclock.go", 13, RuleWallclock},
			{"wallclock.go", 14, RuleWallclock},
			{"wallclock.go", 15, RuleWallclock},
			{"wallclock.go", 16, RuleWallclock},
			{"wallclock.go", 17, RuleWallclock},
			{"wallclock.go", 18, RuleWallclock}, // renamed import
			{"wallclock.go", 19, RuleWallclock},
			{"wallclock.go", 20, RuleWallclock}, // function value, not a call
		}},
	}

	fired := map[Rule]bool{}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			r, err := Check(".", "./testdata/src/"+tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range r.Broken {
				for _, e := range p.Errors {
					t.Errorf("fixture %s does not type-check: %v", tt.dir, e)
				}
			}
			var got []hit
			for _, v := range r.Violations {
				got = append(got, hit{filepath.Base(v.Pos.Filename), v.Pos.Line, v.Rule})
				fired[v.Rule] = true
				if v.Rule != RuleDirective && !strings.Contains(v.Message, " instead") {
					t.Errorf("%s: message does not say what to use instead: %q", v.Pos, v.Message)
				}
				t.Logf("%s", v)
			}
			if g, w := fmt.Sprint(got), fmt.Sprint(tt.want); g != w {
				t.Errorf("violations differ\n got: %s\nwant: %s", g, w)
			}
		})
	}
	for _, r := range Rules {
		if !fired[r] {
			t.Errorf("rule %s never fired on the fixtures: plant a violation for it", r)
		}
	}
}

func TestParseDirective(t *testing.T) {
	tests := []struct {
		text       string
		ok, hasErr bool
		reason     string
	}{
		{"// an ordinary comment", false, false, ""},
		{"/* faultline:orderless x */", false, false, ""},
		{"//go:build linux", false, false, ""},
		{"//faultline:orderless summing", true, false, "summing"},
		{"//faultline:orderless\tbuilding a set ", true, false, "building a set"},
		{"//faultline:orderless", true, true, ""},
		{"//faultline:orderless   ", true, true, ""},
		{"// faultline:orderless why", true, true, ""},
		{"//faultline:sorted why", true, true, ""},
		{"//faultline:seeded-entropy the library reads crypto/rand.Reader", true, false, "the library reads crypto/rand.Reader"},
		{"//faultline:seeded-entropy", true, true, ""},
	}
	for _, tt := range tests {
		d, ok, err := parseDirective(tt.text)
		if ok != tt.ok || (err != nil) != tt.hasErr || (err == nil && d.reason != tt.reason) {
			t.Errorf("parseDirective(%q) = %+v, %v, %v; want ok=%v err=%v reason=%q", tt.text, d, ok, err, tt.ok, tt.hasErr, tt.reason)
		}
	}
}

func FuzzParseDirective(f *testing.F) {
	for _, s := range []string{"//faultline:orderless why", "// faultline:x", "//faultline:", "//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, ok, err := parseDirective(text)
		if !ok && err != nil {
			t.Fatalf("error for a non-directive: %v", err)
		}
		if ok && err == nil && (d.name != DirectiveOrderless && d.name != DirectiveSeededEntropy || d.reason == "") {
			t.Fatalf("accepted %q as %+v", text, d)
		}
	})
}
