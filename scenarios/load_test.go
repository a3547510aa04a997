package scenarios_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/golden"
	"github.com/faultline/faultline/scenarios"
)

// TestDecodeErrors: every malformed scenario under testdata/bad gives an
// error naming file, line, column and field; the messages are golden.
func TestDecodeErrors(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	var out strings.Builder
	for _, f := range files {
		_, err := scenarios.LoadFile(f)
		if err == nil {
			t.Errorf("%s: accepted", f)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "scenarios: "+f) {
			t.Errorf("%s: error does not name the file: %s", f, msg)
		}
		out.WriteString(msg + "\n")
	}
	golden.CheckString(t, "errors.golden", out.String())
}

func TestOversizedFileRejected(t *testing.T) {
	big := make([]byte, scenarios.MaxFileBytes+10)
	for i := range big {
		big[i] = '#'
	}
	_, err := scenarios.Parse("big.yaml", big)
	if err == nil || !strings.Contains(err.Error(), "the file is 1048586 bytes; scenarios are limited to 1048576 bytes") {
		t.Fatalf("got %v", err)
	}
	// From disk the message gives the file's size, not what was read of it.
	path := filepath.Join(t.TempDir(), "big.yaml")
	os.WriteFile(path, append(big, big...), 0o644)
	_, err = scenarios.LoadFile(path)
	if err == nil || !strings.Contains(err.Error(), "the file is 2097172 bytes") {
		t.Fatalf("got %v", err)
	}
}

// TestYAMLErrorPositions: a syntax error points at the place to fix — an
// unclosed bracket at the bracket, not at the top of the file.
func TestYAMLErrorPositions(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"name: x\ncluster: {node: raftkv, size: 3\nrun: {duration: 1s}\n", `s.yaml:2:10: not valid YAML: this "{" is never closed`},
		{"name: x\ncheck: [linearizable\n", `s.yaml:2:8: not valid YAML: this "[" is never closed`},
		{"name: x\ncluster: {node: raftkv, params: {a: 1}, size: 3\n", `s.yaml:2:10: not valid YAML: this "{" is never closed`},
		{"name: x\n  run: y\n", "s.yaml:2:1: not valid YAML: mapping values are not allowed"},
	} {
		_, err := scenarios.Parse("s.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.src, err, c.want)
		}
	}
}

// TestLibraryRoundTrips: every shipped scenario loads, and its canonical
// form parses back to the same canonical form.
func TestLibraryRoundTrips(t *testing.T) {
	files, _ := filepath.Glob("*.yaml")
	if len(files) == 0 {
		t.Fatal("the scenario library is empty")
	}
	for _, f := range files {
		sc, err := scenarios.LoadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := scenarios.Format(sc)
		back, err := scenarios.Parse(f+" (formatted)", text)
		if err != nil {
			t.Fatalf("%s: canonical form does not parse: %v\n%s", f, err, text)
		}
		if again := scenarios.Format(back); string(again) != string(text) {
			t.Fatalf("%s: format is not stable:\n%s\n---\n%s", f, text, again)
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	more, _ := filepath.Glob("*.yaml")
	good, _ := filepath.Glob("testdata/*.yaml")
	more = append(more, good...)
	for _, name := range append(files, more...) {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := scenarios.Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "scenarios: ") {
				t.Fatalf("error without package prefix: %v", err)
			}
			return
		}
		if _, err := scenarios.Parse("again.yaml", scenarios.Format(sc)); err != nil {
			t.Fatalf("accepted scenario does not round-trip: %v\n%s", err, scenarios.Format(sc))
		}
	})
}
