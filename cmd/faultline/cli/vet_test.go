package cli

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestVet(t *testing.T) {
	my := Config{Name: "mytool"}
	if _, out, _ := runWith(my, "help"); !strings.Contains(out, "\n  mytool vet [PACKAGES]") {
		t.Errorf("usage lacks vet:\n%s", out)
	}
	// The real lint: a fixture with a map-order send, time.Now, a global
	// rand and a go statement fails with each position; nodes/ is clean.
	code, out, errs := runWith(my, "vet", "../../../sim/lint/testdata/src/mapsend")
	if code != 1 || !strings.Contains(out, "mapsend.go:29:33: wallclock") || !strings.Contains(out, "mapsend.go:30:2: maprange") ||
		!strings.Contains(out, "mapsend.go:29:52: globalrand") || !strings.Contains(out, "mapsend.go:33:2: goroutine") {
		t.Errorf("vet on the fixture: exit %d:\n%s%s", code, out, errs)
	}
	if code, out, errs := runWith(my, "vet", "../../../nodes/..."); code != 0 {
		t.Errorf("vet on nodes/...: exit %d:\n%s%s", code, out, errs)
	}

	defer func(old func([]string, io.Writer, io.Writer) int) { vetMain = old }(vetMain)
	var got []string
	vetMain = func(args []string, stdout, stderr io.Writer) int {
		got = args
		fmt.Fprintln(stdout, "lint out")
		fmt.Fprintln(stderr, "lint err")
		if len(args) > 0 && args[0] == "./bad/..." {
			return 1
		}
		return 0
	}
	code, out, errs = runWith(my, "vet", "-v", "./...")
	if code != 0 || out != "lint out\n" || errs != "lint err\n" || fmt.Sprint(got) != "[-v ./...]" {
		t.Errorf("vet: exit %d, args %q, stdout %q, stderr %q", code, got, out, errs)
	}
	if code, _, errs = runWith(my, "vet", "./bad/..."); code != 1 || errs != "lint err\n" {
		t.Errorf("failing vet: exit %d, stderr %q", code, errs)
	}
}
