package viz

import (
	"strings"
	"testing"
)

// The help is a framed box: every row of it starts and ends with a border,
// so the timeline beneath never reads as part of it, and closing it
// restores the screen.
func TestHelpIsFramed(t *testing.T) {
	d, _ := demoRuns(t)
	vw, scr := newSimViewer(t, 100, 40, d.File, Options{})
	press(vw, "?")
	rows, inBox := 0, false
	for _, line := range strings.Split(screenText(scr), "\n") {
		r := []rune(line)
		switch {
		case strings.Contains(line, "┌"):
			inBox = true
		case strings.Contains(line, "└"):
			inBox = false
		case inBox:
			rows++
			first, last := strings.IndexRune(line, '│'), strings.LastIndex(line, "│")
			if first < 0 || first == last || len(r) == 0 {
				t.Errorf("help row without both borders: %q", line)
			}
		}
	}
	if rows < len(helpText) {
		t.Fatalf("help box has %d rows, want at least %d:\n%s", rows, len(helpText), screenText(scr))
	}
	press(vw, "?")
	if strings.Contains(screenText(scr), "┌") {
		t.Error("closing help leaves its box")
	}
}
