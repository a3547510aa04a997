package lint_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/sim/lint"
)

// mapsendWant is every violation in testdata/src/mapsend, in order.
var mapsendWant = []struct {
	line, col int
	rule      lint.Rule
}{
	{29, 33, lint.RuleWallclock},  // time.Now()
	{29, 52, lint.RuleGlobalRand}, // rand.IntN
	{30, 2, lint.RuleMapRange},    // for id := range n.peers { env.Send(id, m) }
	{33, 2, lint.RuleGoroutine},   // go env.Logf(...)
}

func TestCheckMapsend(t *testing.T) {
	r, err := lint.Check(".", "./testdata/src/mapsend")
	if err != nil {
		t.Fatal(err)
	}
	file, err := filepath.Abs(filepath.Join("testdata", "src", "mapsend", "mapsend.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != len(mapsendWant) {
		t.Errorf("got %d violations, want %d: %v", len(r.Violations), len(mapsendWant), r.Violations)
	}
	for i, v := range r.Violations[:min(len(r.Violations), len(mapsendWant))] {
		w := mapsendWant[i]
		if v.Pos.Filename != file || v.Pos.Line != w.line || v.Pos.Column != w.col || v.Rule != w.rule {
			t.Errorf("violation %d = %s:%d:%d %s, want %s:%d:%d %s", i, v.Pos.Filename, v.Pos.Line, v.Pos.Column, v.Rule, file, w.line, w.col, w.rule)
		}
		if !strings.Contains(v.Message, " instead") {
			t.Errorf("%s: message does not say what to use instead", v)
		}
	}
	if want := []string{"github.com/faultline/faultline/sim/lint/testdata/src/mapsend"}; !slices.Equal(r.Packages, want) {
		t.Errorf("Packages = %v, want %v", r.Packages, want)
	}
	if len(r.Broken) > 0 || r.Clean() {
		t.Errorf("Broken = %v, Clean = %v; want no broken packages, not clean", r.Broken, r.Clean())
	}
}

// vet runs Main and returns its exit code, stdout and stderr.
func vet(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := lint.Main(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestMainMapsend(t *testing.T) {
	// With and without -C, file names are relative to the working
	// directory, not to -C.
	for _, args := range [][]string{
		{"./testdata/src/mapsend"},
		{"-C", "testdata/src/mapsend"},
		{"-C", "testdata", "./src/mapsend/..."},
	} {
		code, stdout, stderr := vet(args...)
		if code != 1 || stderr != "" {
			t.Errorf("vet %q: exit %d, stderr %q; want exit 1, no stderr", args, code, stderr)
		}
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if len(lines) != len(mapsendWant)+1 {
			t.Errorf("vet %q printed %d lines, want %d violations and a summary:\n%s", args, len(lines), len(mapsendWant), stdout)
			continue
		}
		for i, w := range mapsendWant {
			prefix := fmt.Sprintf("testdata/src/mapsend/mapsend.go:%d:%d: %s: ", w.line, w.col, w.rule)
			if !strings.HasPrefix(lines[i], prefix) {
				t.Errorf("vet %q line %d = %q, want prefix %q", args, i+1, lines[i], prefix)
			}
		}
		if sum := lines[len(lines)-1]; !strings.HasPrefix(sum, "FAIL: 4 determinism violations in 1 package") {
			t.Errorf("vet %q summary = %q", args, sum)
		}
	}
}

// TestNodesClean lints this module's protocols: the lint's own users.
func TestNodesClean(t *testing.T) {
	root := filepath.Join("..", "..")
	r, err := lint.Check(root, "./nodes/...")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Clean() || len(r.Packages) == 0 {
		t.Errorf("./nodes/...: %d packages, violations %v, broken %v; want clean", len(r.Packages), r.Violations, r.Broken)
	}
	code, stdout, stderr := vet("-C", root, "./nodes/...")
	if want := fmt.Sprintf("ok: %d packages, no determinism violations\n", len(r.Packages)); code != 0 || stdout != want || stderr != "" {
		t.Errorf("vet -C ../.. ./nodes/...: exit %d, stdout %q, stderr %q; want exit 0, %q", code, stdout, stderr, want)
	}
}

func TestInputErrors(t *testing.T) {
	noModule := t.TempDir()
	tests := []struct {
		name, dir string
		patterns  []string
		want      string // in the error
	}{
		{"no go.mod", noModule, nil, "no go.mod in"},
		{"no such dir", filepath.Join(noModule, "nope"), nil, "does not exist"},
		{"no such package dir", ".", []string{"./testdata/src/nope"}, "directory not found"},
		{"no such tree", ".", []string{"./testdata/nope/..."}, "no such file or directory"},
		{"matches nothing", ".", []string{"./testdata/..."}, `pattern "./testdata/..." matches no packages`},
		{"no Go files", ".", []string{"./testdata"}, `pattern "./testdata" matches no packages with Go files`},
		{"not a directory pattern", ".", []string{"nodes/..."}, "starts with ./"},
		{"flag after the patterns", ".", []string{"./testdata/src/good", "-toolexec=echo"}, `"-toolexec=echo" is not a package pattern`},
		{"empty pattern", ".", []string{""}, `"" is not a package pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lint.Check(tt.dir, tt.patterns...)
			if err == nil || !strings.HasPrefix(err.Error(), "lint: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check(%q, %q) error = %v; want one starting lint: and containing %q", tt.dir, tt.patterns, err, tt.want)
			}
			code, stdout, stderr := vet(append([]string{"-C", tt.dir}, tt.patterns...)...)
			if code != 2 || stdout != "" || !strings.HasPrefix(stderr, "lint: ") {
				t.Errorf("vet: exit %d, stdout %q, stderr %q; want exit 2 and a lint: error", code, stdout, stderr)
			}
		})
	}
	if code, _, stderr := vet("-bogus"); code != 2 || !strings.Contains(stderr, "usage: vet [-C dir] [patterns...]") {
		t.Errorf("vet -bogus: exit %d, stderr %q; want 2 and the usage", code, stderr)
	}
	if code, _, stderr := vet("-h"); code != 0 || !strings.Contains(stderr, "usage:") {
		t.Errorf("vet -h: exit %d, stderr %q; want 0 and the usage", code, stderr)
	}
}

// recorder is a testing.TB that keeps what lint.Test reports instead of
// failing the real test.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatal(args ...any) {
	r.errors = append(r.errors, fmt.Sprint(args...))
	r.fatal = true
	runtime.Goexit()
}

// runTest runs lint.Test on a recorder, in its own goroutine so that a
// Fatal (runtime.Goexit) ends only that goroutine.
func runTest(t *testing.T, patterns ...string) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		lint.Test(r, patterns...)
	}()
	<-done
	return r
}

func TestTestReportsAllInOneFailure(t *testing.T) {
	r := runTest(t, "./testdata/src/mapsend")
	if r.fatal || len(r.errors) != 1 {
		t.Fatalf("lint.Test reported %d failures (fatal %v), want one: %q", len(r.errors), r.fatal, r.errors)
	}
	for _, w := range mapsendWant {
		pos := fmt.Sprintf("\n\ttestdata/src/mapsend/mapsend.go:%d:%d: %s: ", w.line, w.col, w.rule)
		if !strings.Contains(r.errors[0], pos) {
			t.Errorf("failure does not list %q:\n%s", pos, r.errors[0])
		}
	}
	if !strings.HasPrefix(r.errors[0], "4 determinism violations") {
		t.Errorf("failure does not start with the count:\n%s", r.errors[0])
	}

	if r := runTest(t, "./testdata/src/good"); len(r.errors) != 0 {
		t.Errorf("lint.Test on the good fixture reported %q", r.errors)
	}
	if r := runTest(t, "./testdata/src/nope"); !r.fatal || !strings.HasPrefix(r.errors[0], "lint: ") {
		t.Errorf("lint.Test on a missing package: fatal %v, %q; want a fatal lint: error", r.fatal, r.errors)
	}
}

// TestOtherModule lints a module that is not Faultline: it requires
// Faultline through a replace directive pointing at this checkout, and
// imports only the nodes package, so it resolves with no network.
func TestOtherModule(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH; lint.Check needs it to resolve packages")
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(mod, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/x\n\ngo 1.26.0\n\n"+
		"require github.com/faultline/faultline v0.0.0\n\n"+
		"replace github.com/faultline/faultline => "+repo+"\n")
	write("proto/proto.go", `package proto

import "github.com/faultline/faultline/nodes"

type Vote struct{ Term uint64 }

func Broadcast(env nodes.Env, peers map[nodes.ID]bool) {
	for id := range peers {
		env.Send(id, &Vote{Term: 1})
	}
}
`)
	write("clean/clean.go", `package clean

import "github.com/faultline/faultline/nodes"

func Broadcast(env nodes.Env) {
	for _, id := range env.Peers() {
		env.Send(id, 1)
	}
}
`)
	write("broken/broken.go", "package broken\n\nfunc F() int { return undefined }\n")
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")

	r, err := lint.Check(mod, "./proto/...", "./clean")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(mod, "proto", "proto.go")
	if len(r.Violations) != 1 || len(r.Broken) != 0 {
		t.Fatalf("Check: violations %v, broken %v; want one violation", r.Violations, r.Broken)
	}
	if v := r.Violations[0]; v.Pos.Filename != file || v.Pos.Line != 8 || v.Pos.Column != 2 || v.Rule != lint.RuleMapRange {
		t.Errorf("violation = %s; want %s:8:2 maprange", v, file)
	}
	if want := []string{"example.com/x/clean", "example.com/x/proto"}; !slices.Equal(r.Packages, want) {
		t.Errorf("Packages = %v, want %v", r.Packages, want)
	}

	// Main from elsewhere: absolute names are shorter than relative ones.
	code, stdout, stderr := vet("-C", mod, "./...")
	if code != 1 || !strings.Contains(stdout, file+":8:2: maprange: ") || !strings.Contains(stderr, "example.com/x/broken") {
		t.Errorf("vet -C %s ./...: exit %d\nstdout:\n%s\nstderr:\n%s", mod, code, stdout, stderr)
	}
	// A broken package and no violations: unknown, exit 2.
	code, stdout, stderr = vet("-C", mod, "./broken", "./clean")
	if code != 2 || !strings.HasPrefix(stdout, "UNKNOWN: ") || !strings.Contains(stderr, "broken.go:3:23: undefined: undefined") {
		t.Errorf("vet ./broken ./clean: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// lint.Test, as a user's test in that module's root would call it.
	t.Chdir(mod)
	rec := runTest(t, "./...")
	if len(rec.errors) != 2 || !strings.Contains(rec.errors[0], "example.com/x/broken") || !strings.Contains(rec.errors[1], "\n\tproto/proto.go:8:2: maprange: ") {
		t.Errorf("lint.Test in the other module reported %q", rec.errors)
	}
	if rec := runTest(t, "./clean"); len(rec.errors) != 0 {
		t.Errorf("lint.Test ./clean reported %q", rec.errors)
	}
}
