// Package golden is the one golden-file helper of Faultline's tests.
//
// A test renders what it checks as text (a trace, a parse result, a
// screen) and calls [Check] with a file name under the package's
// testdata/ directory. Without flags, Check compares and reports the
// first differing lines together with the command that accepts the new
// output. With -rewrite, Check writes the file instead:
//
//	go test ./nemesis -run TestParseGolden -rewrite
//	go test ./nemesis ./nodes/kv ./scenarios ./viz -rewrite   # all of them
//
// (-rewrite is defined only in test binaries that import this package, so
// name those packages rather than ./...)
//
// Review the diff (git diff testdata/) before committing a rewrite.
//
// Only tests import this package: importing it registers -rewrite.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files under testdata/ instead of comparing with them")

// maxDiffLines bounds how many differing lines a failure shows.
const maxDiffLines = 12

// Rewriting reports whether the test binary runs with -rewrite.
func Rewriting() bool { return *rewrite }

// Check compares got with testdata/name, or writes it there under
// -rewrite (creating testdata/ if needed). A missing file or a difference
// fails the test with the command that accepts the output.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v\n(create it with %s)", err, command(t))
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("golden: %s differs from the output (- golden, + got):\n%s(if the change is intended, run %s and review the diff)",
			path, Diff(string(want), string(got)), command(t))
	}
}

// CheckString is Check for text.
func CheckString(t testing.TB, name, got string) {
	t.Helper()
	Check(t, name, []byte(got))
}

// Diff lists the lines where want and got differ, numbered from 1, at
// most a dozen of them.
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a == c {
			continue
		}
		if shown == maxDiffLines {
			b.WriteString("…\n")
			break
		}
		shown++
		fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, clip(a), clip(c))
	}
	return b.String()
}

func clip(s string) string {
	const max = 300
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// command is the go test invocation that rewrites the failing test's
// golden files, with the package path relative to the module root.
func command(t testing.TB) string {
	pkg := "."
	if dir, err := os.Getwd(); err == nil {
		if root := moduleRoot(dir); root != "" {
			if rel, err := filepath.Rel(root, dir); err == nil && rel != "." {
				pkg = "./" + filepath.ToSlash(rel)
			}
		}
	}
	test, _, _ := strings.Cut(t.Name(), "/")
	return fmt.Sprintf("go test %s -run '^%s$' -rewrite", pkg, test)
}

func moduleRoot(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
