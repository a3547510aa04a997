package scenarios_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files under testdata/")

// golden compares got with testdata/name, or rewrites it under -rewrite.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -rewrite to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test -rewrite to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

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
	golden(t, "errors.golden", out.String())
}

func TestOversizedFileRejected(t *testing.T) {
	big := make([]byte, scenarios.MaxFileBytes+10)
	for i := range big {
		big[i] = '#'
	}
	_, err := scenarios.Parse("big.yaml", big)
	if err == nil || !strings.Contains(err.Error(), "limited to") {
		t.Fatalf("got %v", err)
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
