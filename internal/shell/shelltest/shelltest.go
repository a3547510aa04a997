// Package shelltest reads printed command lines back the way a user's
// shell would, for tests that check a printed command pastes back.
package shelltest

import (
	"os/exec"
	"strings"
	"testing"
)

// Words splits line as sh does (quotes removed, nothing expanded that a
// quoted word protects); the test is skipped where there is no sh.
func Words(t testing.TB, line string) []string {
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
