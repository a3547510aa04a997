package nemesis

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse: the parser never panics, and whatever it accepts prints a
// canonical text that parses back to the same value.
func FuzzParse(f *testing.F) {
	in, _ := os.ReadFile("testdata/faults.txt")
	for _, line := range strings.Split(string(in), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		fault, err := Parse(text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "nemesis: ") {
				t.Errorf("error without the package prefix: %v", err)
			}
			return
		}
		if err := roundTrip(fault); err != nil {
			t.Error(err)
		}
		_ = fault.Check(5)
	})
}

// FuzzParseSchedule: the same for whole schedules.
func FuzzParseSchedule(f *testing.F) {
	in, _ := os.ReadFile("testdata/schedules.txt")
	for _, c := range strings.Split(string(in), "---\n") {
		_, body, _ := strings.Cut(c, "\n")
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseSchedule(text)
		if err != nil {
			return
		}
		_ = s.Check(5, 0)
		back, err := ParseSchedule(s.String())
		if err != nil {
			t.Fatalf("canonical schedule does not parse: %v\n%s", err, s)
		}
		if back.String() != s.String() {
			t.Errorf("schedule prints differently after a round trip:\n%s\nvs\n%s", s, back)
		}
	})
}
