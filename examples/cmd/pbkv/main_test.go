package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faultline/faultline/cmd/faultline/cli"
	"github.com/faultline/faultline/scenarios"
)

const bugFile = "../../scenarios/bugs/pbkv-stale-reads.yaml"

// pbkv runs the binary's commands in-process.
func pbkv(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	cfg := config()
	cfg.Stdout, cfg.Stderr = &out, &out
	return cli.Run(cfg, args), out.String()
}

var hashRE = regexp.MustCompile(`trace hash ([0-9a-f]{16})`)

// The example's own binary runs run, replay, shrink, viz --text and list
// on its protocol, and the reproduce line it prints, pasted as it is,
// gives the same trace every time.
func TestTheBinary(t *testing.T) {
	code, out := pbkv(t, "run", bugFile, "--seeds", "7..7")
	if code != scenarios.ExitInvalid {
		t.Fatalf("run: exit %d:\n%s", code, out)
	}
	m := regexp.MustCompile(`reproduce: (pbkv replay \S+ --seed 7)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("run printed no reproduce line:\n%s", out)
	}
	line := strings.Fields(m[1])[1:] // as typed, minus the binary's name
	var hashes []string
	for i := 0; i < 2; i++ {
		dir := t.TempDir()
		code, out = pbkv(t, append(line, "--out", dir)...)
		h := hashRE.FindStringSubmatch(out)
		if code != scenarios.ExitInvalid || h == nil {
			t.Fatalf("%s: exit %d:\n%s", m[1], code, out)
		}
		hashes = append(hashes, h[1])
		if i == 0 {
			trace := inStore(t, dir, filepath.Join("seed-7", scenarios.TraceFile))
			if code, out := pbkv(t, "viz", "--text", trace); code != 0 || !strings.Contains(out, "n1") {
				t.Errorf("viz --text: exit %d:\n%.500s", code, out)
			}
		}
	}
	if hashes[0] != hashes[1] {
		t.Errorf("the reproduce line gave traces %s and %s", hashes[0], hashes[1])
	}
	dir := t.TempDir()
	if code, out = pbkv(t, "shrink", bugFile, "--seed", "7", "--out", dir); code != 0 {
		t.Errorf("shrink: exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(inStore(t, dir, "shrunk.yaml")); err != nil {
		t.Errorf("shrink wrote no shrunk.yaml: %v\n%s", err, out)
	}
	if m := regexp.MustCompile(`reproduce: pbkv (replay \S+ --seed \d+)`).FindStringSubmatch(out); m == nil {
		t.Errorf("shrink printed no reproduce line:\n%s", out)
	} else if code, out := pbkv(t, append(strings.Fields(m[1]), "--out", t.TempDir())...); code != scenarios.ExitInvalid {
		t.Errorf("the shrunk scenario's reproduce line: exit %d:\n%s", code, out)
	}
	if code, out = pbkv(t, "list"); code != 0 || !strings.Contains(out, "pbkv ") || !strings.Contains(out, "stale-reads") || strings.Contains(out, "raftkv") {
		t.Errorf("list: exit %d:\n%s", code, out)
	}
}

// inStore is file in the latest run of the one scenario in a store's root
// (each --out is a root: ROOT/<scenario>/<run id>/).
func inStore(t *testing.T, root, file string) string {
	t.Helper()
	runs, _ := filepath.Glob(filepath.Join(root, "*", "latest"))
	if len(runs) != 1 {
		t.Fatalf("%s holds %d latest runs, want one", root, len(runs))
	}
	return filepath.Join(runs[0], file)
}
