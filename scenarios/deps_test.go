package scenarios_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The runner knows no protocol: nothing under nodes/ but the node API
// itself is among its dependencies (protocols depend on the runner, never
// the other way round).
func TestRunnerKnowsNoProtocol(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if rest, ok := strings.CutPrefix(p, "github.com/faultline/faultline/nodes/"); ok {
			t.Errorf("scenarios depends on nodes/%s", rest)
		}
	}
}
