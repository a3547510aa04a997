package cli

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

func TestVet(t *testing.T) {
	my := Config{Name: "mytool"}
	if _, out, _ := runWith(my, "help"); !strings.Contains(out, "\n  mytool vet [PACKAGES]") {
		t.Errorf("usage lacks vet:\n%s", out)
	}
	code, _, errs := runWith(my, "vet", "./...")
	if code != scenarios.ExitUsage || !strings.HasPrefix(errs, "mytool vet: ") || !strings.Contains(errs, "not built into this binary") {
		t.Errorf("vet without the lint: exit %d:\n%s", code, errs)
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
	code, out, errs := runWith(my, "vet", "-v", "./...")
	if code != 0 || out != "lint out\n" || errs != "lint err\n" || fmt.Sprint(got) != "[-v ./...]" {
		t.Errorf("vet: exit %d, args %q, stdout %q, stderr %q", code, got, out, errs)
	}
	if code, _, errs = runWith(my, "vet", "./bad/..."); code != 1 || errs != "lint err\n" {
		t.Errorf("failing vet: exit %d, stderr %q", code, errs)
	}
}
