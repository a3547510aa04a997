package nemesis

import (
	"os"
	"strings"
	"testing"
)

// docs/FAULTS.md documents every kind with an example that parses, in its
// canonical form, to a fault of that kind.
func TestFaultsDoc(t *testing.T) {
	b, err := os.ReadFile("../docs/FAULTS.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		last := strings.Trim(cells[len(cells)-1], "` ")
		last = strings.ReplaceAll(last, `\|`, "|")
		if len(cells) < 4 {
			continue // not a fault table
		}
		f, err := Parse(last)
		if err != nil {
			t.Errorf("example %q: %v", last, err)
			continue
		}
		if f.String() != last {
			t.Errorf("example %q is not canonical: %q", last, f.String())
		}
		examples[f.Kind()]++
	}
	for _, k := range Kinds() {
		if examples[k] == 0 {
			t.Errorf("docs/FAULTS.md has no example of %s", k)
		}
	}
}
