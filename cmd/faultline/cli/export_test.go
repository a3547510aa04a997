package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

func TestExportPerfetto(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := runCLI("replay", "../../../scenarios/bugs/no-sessions.yaml", "--seed", "1", "--out", dir); code != scenarios.ExitInvalid {
		t.Fatalf("replay exit %d:\n%s%s", code, out, errOut)
	}
	dir = seedDir(t, dir, 1)
	tr := filepath.Join(dir, scenarios.TraceFile)
	code, out, errOut := runCLI("export", tr, "--perfetto")
	want := filepath.Join(dir, "trace.perfetto.json")
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("export exit %d:\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		TraceEvents []map[string]any `json:"traceEvents"`
		OtherData   map[string]any   `json:"otherData"`
	}
	if err := json.Unmarshal(data, &v); err != nil || len(v.TraceEvents) == 0 || v.OtherData["seed"] != 1.0 {
		t.Errorf("export wrote %d events, other data %v (%v)", len(v.TraceEvents), v.OtherData, err)
	}
	if code, out, _ := runCLI("export", tr, "--perfetto", "--out", "-"); code != 0 || !strings.HasPrefix(out, `{"traceEvents":[`) {
		t.Errorf("export --out -: exit %d, %.80s", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", tr}, "export needs a format: --perfetto"},
		{[]string{"export", "--perfetto"}, "export takes one trace file"},
		{[]string{"export", filepath.Join(dir, "history.jsonl"), "--perfetto"}, "not a Faultline trace"},
	} {
		if code, _, errOut := runCLI(tc.args...); code != scenarios.ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %s; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
