package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// hunt finds a planted bug from the kind's name alone, prints the replay
// line of the failing seed and of the shrunk scenario, and both replay.
func TestHuntFindsBug(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI("hunt", "--node", "raftkv", "--workload", "kv", "--params", "bugs=no-sessions",
		"--first", "1000", "--seeds", "60", "--workers", "2", "--shrink-budget", "5s", "--out", dir)
	if code != scenarios.ExitInvalid {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, scenarios.ExitInvalid, out, errOut)
	}
	// In the order a user reads them: the hunt, its summary, the failure
	// and its replay line, then the shrink.
	at := 0
	for _, want := range []string{"seeds from 1000 (given; --first 1000 repeats this hunt)", "new coverage at seed 1000: faults",
		": failed, ", "coverage by strategy", "FAILURE at seed", "reproduce: faultline replay", "artifacts: ",
		"shrinking seed ", "(--shrink-budget 5s;", "kept: ", "reproduce the shrunk failure: faultline replay"} {
		i := strings.Index(out[at:], want)
		if i < 0 {
			t.Errorf("output lacks %q after byte %d:\n%s", want, at, out)
			continue
		}
		at += i + len(want)
	}
	re := regexp.MustCompile(`reproduce(?: the shrunk failure)?: faultline (replay \S+ --seed \d+)`)
	lines := re.FindAllStringSubmatch(out, -1)
	if len(lines) != 2 {
		t.Fatalf("want two replay lines, got %q", lines)
	}
	for _, l := range lines {
		args := strings.Fields(l[1])
		args = append(args, "--out", filepath.Join(dir, "replay"))
		if code, rout, _ := runCLI(args...); code != scenarios.ExitInvalid {
			t.Errorf("%s: exit %d, want the failure again\n%s", l[1], code, rout)
		}
	}
	if _, err := os.Stat(filepath.Join(onlyRun(t, dir), huntFile)); err != nil {
		t.Error(err)
	}
}

func TestHuntUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"hunt"}, "hunt needs --node K"},
		{[]string{"hunt", "--node", "raftkv", "--scenario", "x.yaml"}, "not both"},
		{[]string{"hunt", "--node", "nosuch"}, `unknown node kind "nosuch"`},
		{[]string{"hunt", "--node", "raftkv", "--params", "bugs"}, "faultline hunt: --params \"bugs\": want key=value"},
		{[]string{"hunt", "--node", "raftkv", "--params", "bugs=nope"}, "faultline hunt: scenarios: hunt raftkv/kv: cluster.params.bugs: unknown value \"nope\" (want: "},
		{[]string{"hunt", "--node", "raftkv", "--params", "a=1,a=2"}, "faultline hunt: --params \"a=1,a=2\": a given twice\n"},
		{[]string{"hunt", "--node", "raftkv", "--first", "x"}, "--first \"x\""},
		{[]string{"hunt", "--node", "raftkv", "extra"}, "hunt takes flags only"},
		{[]string{"hunt", "--node", "raftkv", "--for", "10"}, "parse error (want a duration such as 30s or 5m; --for: wall-time budget"},
		{[]string{"hunt", "--node", "raftkv", "--seeds", "1..10"}, "parse error (want a whole number; --seeds: seed budget"},
		{[]string{"hunt", "--node", "raftkv", "--workload", "queue"}, `does not speak workload "queue" (it speaks: kv, register)`},
	} {
		code, _, errOut := runCLI(c.args...)
		if code != scenarios.ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// A correct protocol hunted with a seed budget ends green; --scenario
// hunts from a library scenario.
func TestHuntGreen(t *testing.T) {
	code, out, errOut := runCLI("hunt", "--scenario", "raft-kv-basic.yaml", "--first", "1", "--seeds", "4", "--workers", "2", "--out", t.TempDir())
	if code != 0 || !strings.Contains(out, "seed budget spent, 4 seeds") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// run --until-failure stops at the first failing seed.
func TestRunUntilFailure(t *testing.T) {
	code, out, errOut := runCLI("run", "../../../scenarios/bugs/no-sessions.yaml", "--seeds", "1..500", "--workers", "1", "--until-failure")
	if code != scenarios.ExitInvalid {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(errOut, "interrupted") || !strings.Contains(out, "reproduce: faultline replay") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if m := regexp.MustCompile(`in \S+\n  valid\s+(\d+)`).FindStringSubmatch(out); m == nil || m[1] != "0" {
		t.Errorf("the sweep went on after seed 1 failed:\n%s", out)
	}
}

// The summary says whether the replication storms took, and warns when
// none of them sent the declared message (a misspelt HuntShape.Replication).
func TestHuntReplicationStormsLine(t *testing.T) {
	sc := &scenarios.Scenario{Cluster: scenarios.Cluster{Node: "mykv"}}
	for _, c := range []struct {
		r    *scenarios.ReplicationStorms
		want string
	}{
		{nil, ""},
		{&scenarios.ReplicationStorms{Message: "AppendEntries", Runs: 9, Sent: 9}, "  replication storms: 9 runs, 9 of them sent AppendEntries (HuntShape.Replication)\n"},
		{&scenarios.ReplicationStorms{Message: "AppendEntry", Runs: 9, Others: []string{"AppendEntries", "RequestVote"}},
			"  WARNING: the replication storms did nothing: in the 9 runs that were storms no server sent a message of type AppendEntry to another, so they crashed and dropped nothing.\n" +
				"    Node kind mykv declares HuntShape.Replication \"AppendEntry\"; its servers sent each other: AppendEntries, RequestVote.\n"},
	} {
		var b strings.Builder
		writeReplicationStorms(&b, sc, c.r)
		if b.String() != c.want {
			t.Errorf("%+v:\ngot  %q\nwant %q", c.r, b.String(), c.want)
		}
	}
}
