package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	fstock "github.com/faultline/faultline/internal/stock"
	"github.com/faultline/faultline/scenarios"
)

const bugFile = "../../../scenarios/bugs/no-sessions.yaml"

// A binary named mytool prints mytool in every command it hands back.
func TestConfigName(t *testing.T) {
	my := Config{Name: "mytool"}
	code, out, _ := runWith(my, "help")
	if code != 0 || !strings.Contains(out, "mytool — ") || !strings.Contains(out, "\n  mytool replay FILE --seed N") {
		t.Errorf("usage (exit %d):\n%s", code, out)
	}
	if strings.Contains(out, "faultline ") {
		t.Errorf("usage names faultline:\n%s", out)
	}
	if strings.Contains(out, "mytool demo") {
		t.Errorf("usage lists a demo without Config.Demo:\n%s", out)
	}
	code, out, errs := runWith(my, "run", bugFile, "--seed", "1")
	if code != scenarios.ExitInvalid || !strings.Contains(out, "reproduce: mytool replay "+bugFile+" --seed 1") || !strings.HasPrefix(out, "mytool: ") {
		t.Errorf("run exit %d:\n%s%s", code, out, errs)
	}
	code, out, _ = runWith(my, "run", bugFile, "--seed", "1", "--json")
	if code != scenarios.ExitInvalid || !strings.Contains(out, `"replay": "mytool replay `+bugFile+` --seed 1"`) {
		t.Errorf("run --json exit %d:\n%s", code, out)
	}
	sweepDir := t.TempDir()
	if code, out, errs = runWith(my, "run", bugFile, "--seed", "1", "--out", sweepDir); code != scenarios.ExitInvalid {
		t.Errorf("run --out exit %d:\n%s%s", code, out, errs)
	}
	for _, f := range []string{"verdict.txt", "trace.jsonl"} {
		if b, err := os.ReadFile(filepath.Join(seedDir(t, sweepDir, 1), f)); err != nil || !strings.Contains(string(b), "mytool replay "+bugFile+" --seed 1") {
			t.Errorf("seed-1/%s of a sweep does not name mytool (%v):\n%.300s", f, err, b)
		}
	}
	code, out, _ = runWith(my, "replay", bugFile, "--seed", "1", "--out", t.TempDir())
	if code != scenarios.ExitInvalid || !strings.Contains(out, "view it: mytool viz ") {
		t.Errorf("replay exit %d:\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `mytool: unknown command "frobnicate"`},
		{[]string{"demo"}, `mytool: unknown command "demo"`},
		{[]string{"run"}, "mytool run: run takes one scenario file\n(mytool run -h lists its flags; mytool help lists the commands)"},
		{[]string{"run", "--seed", "x", bugFile}, "mytool run: --seed"},
		{[]string{"viz"}, "written by mytool replay"},
	} {
		code, _, errs := runWith(my, c.args...)
		if code != scenarios.ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d, want %d and %q:\n%s", c.args, code, scenarios.ExitUsage, c.want, errs)
		}
	}
	if _, _, errs := runWith(my, "run", "-h"); !strings.HasPrefix(errs, "flags of mytool run:") {
		t.Errorf("run -h:\n%s", errs)
	}
}

// The demo command runs the binary's own scenario, and its reproduce
// lines name that scenario so they paste back from any directory.
func TestConfigDemo(t *testing.T) {
	data, err := os.ReadFile(bugFile)
	if err != nil {
		t.Fatal(err)
	}
	my := Config{
		Name:      "mytool",
		Nodes:     fstock.Nodes(),
		Workloads: fstock.Workloads(),
		Demo:      &DemoConfig{Name: "mydemo.yaml", Scenario: data, Seeds: "1..1"},
	}
	code, out, errs := runWith(my, "help")
	if code != 0 || !strings.Contains(out, "mytool demo ") || !strings.Contains(out, "run mydemo.yaml over seeds 1..1") {
		t.Errorf("usage (exit %d):\n%s", code, out)
	}
	code, out, errs = runWith(my, "demo")
	if code != scenarios.ExitInvalid || !strings.Contains(out, "reproduce: mytool replay mydemo.yaml --seed 1") {
		t.Fatalf("demo exit %d:\n%s%s", code, out, errs)
	}
	code, out, errs = runWith(my, "replay", "mydemo.yaml", "--seed", "1", "--out", t.TempDir())
	if code != scenarios.ExitInvalid || !strings.Contains(out, "INVALID") {
		t.Fatalf("replay of the demo exit %d:\n%s%s", code, out, errs)
	}
	// A file by that name wins over the demo.
	dir := t.TempDir()
	quick := filepath.Join(dir, "mydemo.yaml")
	data, _ = os.ReadFile("../../../scenarios/testdata/quick.yaml")
	os.WriteFile(quick, data, 0o644)
	if code, out, errs = runWith(my, "run", quick, "--seed", "1"); code != 0 {
		t.Fatalf("run of a file named like the demo exit %d:\n%s%s", code, out, errs)
	}
	// A broken demo is an error at its name, not a panic.
	broken := my
	broken.Demo = &DemoConfig{Name: "broken.yaml", Scenario: []byte("name: x\ncluster: {size: many}\n")}
	if code, _, errs = runWith(broken, "demo"); code != scenarios.ExitUsage || !strings.Contains(errs, "broken.yaml:2") {
		t.Errorf("broken demo exit %d:\n%s", code, errs)
	}
}
