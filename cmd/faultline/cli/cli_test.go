package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	fstock "github.com/faultline/faultline/internal/stock"
	"github.com/faultline/faultline/scenarios"
)

// stock is the configuration of the faultline binary (cmd/faultline).
func stock() Config {
	return Config{Name: "faultline", Nodes: fstock.Nodes(), Workloads: fstock.Workloads(), Demo: FaultlineDemo()}
}

// Tests that build their own Config get the stock kinds too.
func init() { fstock.Register() }

// runCLI runs the stock command.
func runCLI(args ...string) (code int, stdout, stderr string) {
	return runWith(stock(), args...)
}

// runWith runs cfg with its output captured.
func runWith(cfg Config, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	cfg.Stdout, cfg.Stderr = &o, &e
	code = Run(cfg, args)
	return code, o.String(), e.String()
}

// The exit codes are part of the interface: 0 all valid, 1 safety
// violation, 2 bad input or usage.
func TestExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: x\ncluster: {size: many}\n"), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, scenarios.ExitUsage, "Usage"},
		{"unknown command", []string{"frobnicate"}, scenarios.ExitUsage, "unknown command"},
		{"missing file", []string{"run"}, scenarios.ExitUsage, "run takes one scenario file"},
		{"bad scenario", []string{"run", bad, "--seed", "1"}, scenarios.ExitUsage, "bad.yaml:2:17: cluster.size"},
		{"bad seeds", []string{"run", "../../../scenarios/testdata/quick.yaml", "--seeds", "9..3"}, scenarios.ExitUsage, "want A..B"},
		{"valid run", []string{"run", "../../../scenarios/testdata/quick.yaml", "--seeds", "1..2", "--workers", "2"}, scenarios.ExitValid, "valid     2"},
		{"safety violation", []string{"run", "../../../scenarios/bugs/no-sessions.yaml", "--seed", "1"}, scenarios.ExitInvalid, "reproduce: faultline replay ../../../scenarios/bugs/no-sessions.yaml --seed 1"},
		{"library scenario by name", []string{"run", "raft-kv-basic.yaml", "--seed", "1"}, scenarios.ExitValid, "valid     1"},
		{"help", []string{"help"}, 0, "faultline replay"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(c.args...)
			if code != c.code || !strings.Contains(out+errOut, c.want) {
				t.Fatalf("exit %d (want %d); output lacks %q:\n%s\n%s", code, c.code, c.want, out, errOut)
			}
		})
	}
}

func TestReplayWritesArtifactsAndExplains(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI("replay", "../../../scenarios/bugs/no-sessions.yaml", "--seed", "1", "--out", dir)
	if code != scenarios.ExitInvalid {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	dir = seedDir(t, dir, 1)
	for _, f := range []string{scenarios.TraceFile, scenarios.HistoryFile, scenarios.VisualFile, scenarios.ScenarioFile, scenarios.ExplanationFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out, "INVALID") || !strings.Contains(out, "not linearizable") {
		t.Fatalf("explanation:\n%s", out)
	}
	// The trace it wrote opens in the text timeline.
	code, out, errOut = runCLI("viz", filepath.Join(dir, scenarios.TraceFile), "--text", "--width", "100")
	if code != 0 || !strings.Contains(out, "n1") {
		t.Fatalf("viz exit %d\n%s%s", code, out, errOut)
	}
	// And plots.
	png := filepath.Join(dir, "latency.png")
	if code, out, errOut = runCLI("plot", filepath.Join(dir, scenarios.TraceFile), "--out", png); code != 0 {
		t.Fatalf("plot exit %d\n%s%s", code, out, errOut)
	}
}

func TestCheckExternalHistory(t *testing.T) {
	dir := t.TempDir()
	runCLI("replay", "../../../scenarios/bugs/no-sessions.yaml", "--seed", "1", "--out", dir)
	code, out, _ := runCLI("check", filepath.Join(seedDir(t, dir, 1), scenarios.HistoryFile))
	if code != scenarios.ExitInvalid || !strings.Contains(out, "invalid") {
		t.Fatalf("check exit %d:\n%s", code, out)
	}
}

func TestList(t *testing.T) {
	code, out, _ := runCLI("list")
	for _, want := range []string{"raftkv", "partition", "linearizable", "raft-kv-partitions.yaml", "bugs/no-sessions.yaml"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// TestListJSON: list --json is the same catalogue as a JSON object tools
// can read.
func TestListJSON(t *testing.T) {
	code, out, errs := runCLI("list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var cat catalogue
	if err := json.Unmarshal([]byte(out), &cat); err != nil {
		t.Fatalf("list --json is not JSON: %v\n%s", err, out)
	}
	has := func(what string, names []string, want string) {
		if !slices.Contains(names, want) {
			t.Errorf("%s lack %q: %q", what, want, names)
		}
	}
	var nodes, checks, scs []string
	for _, n := range cat.Nodes {
		nodes = append(nodes, n.Name)
	}
	for _, c := range cat.Checks {
		checks = append(checks, c.Name)
		if c.Name == "liveness" && c.Class != "liveness" {
			t.Errorf("liveness check has class %q", c.Class)
		}
	}
	for _, s := range cat.Scenarios {
		scs = append(scs, s.Name)
	}
	has("nodes", nodes, "raftkv")
	has("checks", checks, "linearizable")
	has("scenarios", scs, "bugs/no-sessions.yaml")
	if len(cat.Faults) == 0 || len(cat.Workloads) == 0 {
		t.Errorf("no faults or workloads: %+v", cat)
	}
}
