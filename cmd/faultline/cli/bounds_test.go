package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/sim/trace"
)

// The memory bounds are flags beside the check budget, read as sizes.
func TestBoundFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", bugFile, "--check-memory", "lots"}, 2, `--check-memory "lots": want a size such as 2GiB or 512MiB`},
		{[]string{"check", "x.jsonl", "--check-memory", "0"}, 2, `--check-memory "0": want a size`},
		{[]string{"run", bugFile, "--trace-max", "1KiB"}, 2, "--trace-max 1KiB: want at least 64KiB"},
		{[]string{"replay", bugFile, "--seed", "1", "--trace-max", "x"}, 2, `--trace-max "x": want a size`},
		{[]string{"help", "run"}, 0, "-check-memory"},
		{[]string{"help", "replay"}, 0, "-trace-max"},
	} {
		code, out, errs := runCLI(c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%q: exit %d, want %d and %q:\n%s%s", c.args, code, c.code, c.want, out, errs)
		}
	}
}

// replay streams its trace within --trace-max: a bound below the run's
// size cuts the file, and says so in it.
func TestReplayTraceMax(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI("replay", bugFile, "--seed", "1", "--out", dir, "--trace-max", "64KiB", "--check-memory", "64MiB")
	if code != 0 && code != 1 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	b, err := os.ReadFile(filepath.Join(onlyRun(t, dir), "seed-1", "trace.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := trace.Read(strings.NewReader(string(b)), "trace.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if f.Footer == nil || f.Footer.Truncated == 0 || len(b) > 64<<10+16<<10 {
		t.Fatalf("trace of %d bytes, footer %+v: want it cut near 64KiB", len(b), f.Footer)
	}
}
