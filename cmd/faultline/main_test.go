package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain runs main itself when the test binary is re-executed with
// FAULTLINE_RUN_MAIN set, so the tests below drive the real binary.
func TestMain(m *testing.M) {
	if os.Getenv("FAULTLINE_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

func faultline(t *testing.T, args ...string) (code int, out string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FAULTLINE_RUN_MAIN=1")
	b, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(b)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(b)
}

// The stock binary is called faultline whatever its file is called, and
// keeps the demo.
func TestStockMain(t *testing.T) {
	code, out := faultline(t, "help")
	if code != 0 || !strings.Contains(out, "\n  faultline demo ") || !strings.Contains(out, "\n  faultline replay FILE") {
		t.Errorf("help exit %d:\n%s", code, out)
	}
	code, out = faultline(t, "run", "../../scenarios/bugs/no-sessions.yaml", "--seed", "1")
	if code != 1 || !strings.Contains(out, "reproduce: faultline replay ../../scenarios/bugs/no-sessions.yaml --seed 1") {
		t.Errorf("run exit %d:\n%s", code, out)
	}
}
