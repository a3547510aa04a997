package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/shell/shelltest"
	"github.com/faultline/faultline/scenarios"
)

// A scenario at a path with spaces and quotes: the printed reproduce and
// view lines paste back.
func TestPrintedCommandsPasteBack(t *testing.T) {
	data, err := os.ReadFile(bugFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), `it's "my" runs`)
	os.MkdirAll(dir, 0o755)
	file := filepath.Join(dir, "no sessions.yaml")
	os.WriteFile(file, data, 0o644)
	my := Config{Name: "mytool"}

	_, out, errs := runWith(my, "run", file, "--seed", "1")
	repro := lineAfter(out, "reproduce: ")
	if !strings.HasPrefix(repro, "mytool replay '") {
		t.Fatalf("reproduce line %q:\n%s%s", repro, out, errs)
	}
	args := shelltest.Words(t, strings.TrimPrefix(repro, "mytool "))
	if len(args) != 4 || args[1] != file {
		t.Fatalf("sh reads %s as %q", repro, args)
	}
	code, out, errs := runWith(my, append(args, "--out", filepath.Join(dir, "replay out"))...)
	if code != scenarios.ExitInvalid {
		t.Fatalf("pasted replay exit %d:\n%s%s", code, out, errs)
	}
	view := lineAfter(out, "view it: ")
	args = shelltest.Words(t, strings.TrimPrefix(view, "mytool "))
	if args[0] != "viz" || args[1] != filepath.Join(seedDir(t, filepath.Join(dir, "replay out"), 1), scenarios.TraceFile) {
		t.Fatalf("sh reads %s as %q", view, args)
	}
	if code, out, errs = runWith(my, append(args, "--text")...); code != 0 {
		t.Fatalf("pasted viz exit %d:\n%s%s", code, out, errs)
	}
}

// lineAfter returns the rest of the first line holding prefix.
func lineAfter(out, prefix string) string {
	_, rest, _ := strings.Cut(out, prefix)
	line, _, _ := strings.Cut(rest, "\n")
	return line
}

// Printed commands use the invocation the user typed, so they paste back.
func TestInvocation(t *testing.T) {
	for _, c := range []struct{ arg0, want string }{
		{"faultline", "faultline"},
		{"bin/faultline", "bin/faultline"},
		{"/opt/my tools/faultline", "'/opt/my tools/faultline'"},
		{"/tmp/go-build123/b001/exe/faultline", "go run ./cmd/faultline"}, // run from the module root (cwd is ../../..)
		{"/tmp/x/cli.test", "faultline"},
	} {
		wd, _ := os.Getwd()
		os.Chdir("../../..")
		got := invocation("faultline", c.arg0)
		os.Chdir(wd)
		if got != c.want {
			t.Errorf("arg0 %q: %q, want %q", c.arg0, got, c.want)
		}
	}
}
