package nemesis

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/golden"
)

// roundTrip checks that f's text parses back to f and prints the same.
func roundTrip(f Fault) error {
	text := f.String()
	g, err := Parse(text)
	if err != nil {
		return fmt.Errorf("canonical text %q does not parse: %v", text, err)
	}
	if !reflect.DeepEqual(f, g) {
		return fmt.Errorf("%q parses to %#v, want %#v", text, g, f)
	}
	if g.String() != text {
		return fmt.Errorf("%q prints back as %q", text, g.String())
	}
	return nil
}

func TestParseGolden(t *testing.T) {
	in, err := os.ReadFile("testdata/faults.txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	kinds := map[string]bool{}
	for _, line := range strings.Split(string(in), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			b.WriteString(line + "\n")
			continue
		}
		f, err := Parse(line)
		if err != nil {
			fmt.Fprintf(&b, "%s\n  error: %v\n", line, err)
			continue
		}
		kinds[f.Kind()] = true
		if err := roundTrip(f); err != nil {
			t.Errorf("%s: %v", line, err)
		}
		fmt.Fprintf(&b, "%s\n  => %s\n", line, f)
	}
	for _, k := range Kinds() {
		if !kinds[k] {
			t.Errorf("testdata/faults.txt has no valid %s fault", k)
		}
	}
	golden.CheckString(t, "faults.golden", b.String())
}

func TestScheduleGolden(t *testing.T) {
	in, err := os.ReadFile("testdata/schedules.txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	body := string(in)
	// Skip the leading comment block.
	for strings.HasPrefix(body, "#") {
		_, body, _ = strings.Cut(body, "\n")
	}
	for i, c := range strings.Split(body, "---\n") {
		head, text, _ := strings.Cut(c, "\n")
		var n int
		var heal string
		if _, err := fmt.Sscanf(head, "n=%d heal=%s", &n, &heal); err != nil {
			t.Fatalf("case %d: bad header %q: %v", i+1, head, err)
		}
		healAt, err := time.ParseDuration(heal)
		if err != nil {
			t.Fatalf("case %d: %v", i+1, err)
		}
		fmt.Fprintf(&b, "--- case %d (%s)\n", i+1, head)
		s, err := ParseSchedule(text)
		if err == nil {
			err = s.Check(n, healAt)
		}
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			continue
		}
		b.WriteString(s.String())
		back, err := ParseSchedule(s.String())
		if err != nil || !reflect.DeepEqual(back, s) {
			t.Errorf("case %d: schedule does not round-trip: %v\n%s", i+1, err, s)
		}
	}
	golden.CheckString(t, "schedules.golden", b.String())
}
