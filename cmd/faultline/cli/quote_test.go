package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

var quoteCases = []struct{ in, want string }{
	{"", "''"},
	{"scenarios/bugs/no-sessions.yaml", "scenarios/bugs/no-sessions.yaml"},
	{"/tmp/out/seed-7/trace.jsonl", "/tmp/out/seed-7/trace.jsonl"},
	{"c3@2.433555918s,c1@0.5s", "c3@2.433555918s,c1@0.5s"},
	{"a=b+c%d:e", "a=b+c%d:e"},
	{"my runs/x.yaml", "'my runs/x.yaml'"},
	{"it's.yaml", `'it'\''s.yaml'`},
	{"''", `''\'''\'''`},
	{`"$HOME".yaml`, `'"$HOME".yaml'`},
	{"a\\b", `'a\b'`},
	{"~/x.yaml", "'~/x.yaml'"},
	{"-", "-"},
	{"*.yaml", "'*.yaml'"},
	{"a;rm -rf x", "'a;rm -rf x'"},
	{"tab\there", "'tab\there'"},
	{"line\nbreak", "'line\nbreak'"},
	{"café.yaml", "'café.yaml'"},
	{"$(x)`y`!z", "'$(x)`y`!z'"},
}

func TestShellQuote(t *testing.T) {
	for _, c := range quoteCases {
		if got := shellQuote(c.in); got != c.want {
			t.Errorf("shellQuote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// shellWords splits a printed command line as sh would.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	out, err := exec.Command(sh, "-c", `for a in `+line+`; do printf '%s\0' "$a"; done`).Output()
	if err != nil {
		t.Fatalf("sh on %s: %v", line, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

// What shellQuote prints, a shell reads back as the original word.
func TestShellQuoteRoundTrip(t *testing.T) {
	for _, c := range quoteCases {
		if got := shellWords(t, shellQuote(c.in)); len(got) != 1 || got[0] != c.in {
			t.Errorf("sh reads %s as %q, want %q", shellQuote(c.in), got, c.in)
		}
	}
}

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
	args := shellWords(t, strings.TrimPrefix(repro, "mytool "))
	if len(args) != 4 || args[1] != file {
		t.Fatalf("sh reads %s as %q", repro, args)
	}
	code, out, errs := runWith(my, append(args, "--out", filepath.Join(dir, "replay out"))...)
	if code != scenarios.ExitInvalid {
		t.Fatalf("pasted replay exit %d:\n%s%s", code, out, errs)
	}
	view := lineAfter(out, "view it: ")
	args = shellWords(t, strings.TrimPrefix(view, "mytool "))
	if args[0] != "viz" || args[1] != filepath.Join(dir, "replay out", scenarios.TraceFile) {
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
