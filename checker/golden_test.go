package checker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The published verdicts for Porcupine's test data: these etcd logs are
// linearizable, the other non-empty ones are not (etcd_095 is empty).
var etcdLinearizable = map[int]bool{
	2: true, 5: true, 7: true, 18: true, 25: true, 31: true, 38: true, 45: true, 48: true,
	49: true, 51: true, 53: true, 56: true, 67: true, 75: true, 76: true, 80: true, 87: true,
	92: true, 98: true, 100: true, 101: true, 102: true,
}

var kvLogs = []struct {
	name  string
	valid bool
}{
	{"c01-ok", true}, {"c01-bad", false},
	{"c10-ok", true}, {"c10-bad", false},
	{"c50-ok", true}, {"c50-bad", false},
}

var (
	porcupineDirOnce sync.Once
	porcupineDir     string
	porcupineDirErr  error
)

// testData returns Porcupine's test_data directory or skips the test. Set
// FAULTLINE_PORCUPINE_DIR to point at a porcupine checkout instead.
func testData(tb testing.TB) string {
	tb.Helper()
	porcupineDirOnce.Do(func() {
		if d := os.Getenv("FAULTLINE_PORCUPINE_DIR"); d != "" {
			porcupineDir = d
			return
		}
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/anishathalye/porcupine").Output()
		porcupineDir, porcupineDirErr = strings.TrimSpace(string(out)), err
	})
	dir := filepath.Join(porcupineDir, "test_data")
	if _, err := os.Stat(filepath.Join(dir, "jepsen", "etcd_000.log")); porcupineDirErr != nil || err != nil {
		tb.Skipf("porcupine's test data not found (%v %v); run `go mod download github.com/anishathalye/porcupine` or set FAULTLINE_PORCUPINE_DIR to a porcupine checkout", porcupineDirErr, err)
	}
	return dir
}

type goldenCase struct {
	path  string
	valid bool
}

func goldenCases(tb testing.TB) []goldenCase {
	dir := testData(tb)
	var cs []goldenCase
	for i := 0; i <= 102; i++ {
		if i == 95 {
			continue
		}
		cs = append(cs, goldenCase{filepath.Join(dir, "jepsen", fmt.Sprintf("etcd_%03d.log", i)), etcdLinearizable[i]})
	}
	for _, kv := range kvLogs {
		cs = append(cs, goldenCase{filepath.Join(dir, "kv", kv.name+".txt"), kv.valid})
	}
	return cs
}

func TestGoldenPorcupineVerdicts(t *testing.T) {
	cases := goldenCases(t)
	if len(cases) != 108 {
		t.Fatalf("%d golden histories, want 108", len(cases))
	}
	start := time.Now()
	for _, c := range cases {
		res, err := CheckFile(c.path, Options{Budget: 30 * time.Second})
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		want := Invalid
		if c.valid {
			want = Valid
		}
		if res.Verdict != want {
			t.Errorf("%s: %v, want %v\n%s", filepath.Base(c.path), res.Verdict, want, res)
		}
		if res.Verdict == Invalid && res.Explanation == "" {
			t.Errorf("%s: Invalid without explanation", filepath.Base(c.path))
		}
	}
	t.Logf("108 golden histories checked in %v", time.Since(start))
}

func TestGoldenEmptyEtcdLog(t *testing.T) {
	res, err := CheckFile(filepath.Join(testData(t), "jepsen", "etcd_095.log"), Options{})
	if err != nil || res.Verdict != Valid {
		t.Fatalf("etcd_095 (empty): %v, %v; want valid", res.Verdict, err)
	}
}

func BenchmarkGoldenSet(b *testing.B) {
	type loaded struct {
		name  string
		h     *History
		valid bool
	}
	var hs []loaded
	for _, c := range goldenCases(b) {
		h, _, err := ReadFile(c.path)
		if err != nil {
			b.Fatal(err)
		}
		hs = append(hs, loaded{filepath.Base(c.path), h, c.valid})
	}
	cpu0 := cpuTime()
	for b.Loop() {
		for _, l := range hs {
			if res := Check(l.h, Options{Budget: time.Minute}); (res.Verdict == Valid) != l.valid {
				b.Fatalf("%s: %v\n%s", l.name, res.Verdict, res)
			}
		}
	}
	reportCPU(b, cpuTime()-cpu0)
}
