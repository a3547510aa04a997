package golden

import (
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name      string
		want, got string
		diff      string
	}{
		{"equal texts have no diff", "a\nb\n", "a\nb\n", ""},
		{"a changed line is shown with its number", "a\nb\n", "a\nc\n", "line 2:\n- b\n+ c\n"},
		{"a missing line shows as empty", "a\nb\n", "a\n", "line 2:\n- b\n+ \n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Diff(tc.want, tc.got); got != tc.diff {
				t.Errorf("Diff(%q, %q) =\n%s\nwant\n%s", tc.want, tc.got, got, tc.diff)
			}
		})
	}
}

func TestDiffIsBounded(t *testing.T) {
	want := strings.Repeat("x\n", 100)
	got := strings.Repeat("y\n", 100)
	d := Diff(want, got)
	if n := strings.Count(d, "line "); n != maxDiffLines {
		t.Errorf("Diff shows %d lines, want at most %d", n, maxDiffLines)
	}
	if !strings.HasSuffix(d, "…\n") {
		t.Errorf("a truncated diff should end with an ellipsis:\n%s", d)
	}
}

func TestCommandNamesPackageAndTest(t *testing.T) {
	if got, want := command(t), "go test ./internal/golden -run '^TestCommandNamesPackageAndTest$' -rewrite"; got != want {
		t.Errorf("command = %q, want %q", got, want)
	}
}
