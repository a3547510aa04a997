package scenarios

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Shards partition a range: disjoint, contiguous, covering it once, sizes
// within one seed of each other.
func TestShardRangePartitions(t *testing.T) {
	for _, tc := range []struct {
		first, last uint64
		count       int
	}{
		{1, 10000, 4}, {1, 10, 3}, {0, 0, 1}, {5, 7, 3}, {1, 3, 5}, {^uint64(0) - 9, ^uint64(0) - 1, 4}, {0, ^uint64(0) - 1, 7},
	} {
		next, total := tc.first, tc.last-tc.first+1
		var sizes []uint64
		for i := range tc.count {
			lo, hi, ok := Shard{Index: i, Count: tc.count}.Range(tc.first, tc.last)
			if !ok {
				sizes = append(sizes, 0)
				continue
			}
			if lo != next || hi < lo {
				t.Errorf("%d..%d shard %d/%d = %d..%d, want it to start at %d", tc.first, tc.last, i, tc.count, lo, hi, next)
			}
			sizes = append(sizes, hi-lo+1)
			next = hi + 1
		}
		if next-1 != tc.last {
			t.Errorf("%d..%d in %d shards ends at %d", tc.first, tc.last, tc.count, next-1)
		}
		small, big := total/uint64(tc.count), total/uint64(tc.count)
		if total%uint64(tc.count) != 0 {
			big++
		}
		for i, n := range sizes {
			if n != small && n != big {
				t.Errorf("%d..%d shard %d/%d has %d seeds, want %d or %d", tc.first, tc.last, i, tc.count, n, small, big)
			}
		}
	}
	if lo, hi, ok := (Shard{}).Range(3, 9); !ok || lo != 3 || hi != 9 {
		t.Errorf("zero Shard's part of 3..9 = %d..%d %v", lo, hi, ok)
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"0/4", "0/4", ""},
		{"3/4", "3/4", ""},
		{"4/4", "", "want an index from 0 to 3"},
		{"-1/4", "", "want an index from 0 to 3"},
		{"1/0", "", "want at least 1 shard"},
		{"1", "", "want I/N"},
		{"a/b", "", "want I/N"},
	} {
		s, err := ParseShard(tc.in)
		switch {
		case tc.err == "" && (err != nil || s.String() != tc.want):
			t.Errorf("ParseShard(%q) = %v, %v; want %s", tc.in, s, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseShard(%q) error %v, want one saying %q", tc.in, err, tc.err)
		}
	}
}

func TestShardFromEnv(t *testing.T) {
	for _, tc := range []struct {
		index, count, want, err string
	}{
		{"", "", "", ""},
		{"2", "5", "2/5", ""},
		{"2", "", "", "set both"},
		{"", "5", "", "set both"},
		{"x", "5", "", "JOB_COMPLETION_INDEX=\"x\": want an integer"},
		{"5", "5", "", "from JOB_COMPLETION_INDEX and JOB_COMPLETION_COUNT"},
	} {
		env := map[string]string{EnvShardIndex: tc.index, EnvShardCount: tc.count}
		s, err := ShardFromEnv(func(k string) string { return env[k] })
		got := ""
		if s.Sharded() {
			got = s.String()
		}
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("env %q %q: %q, %v; want %q", tc.index, tc.count, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("env %q %q: error %v, want one saying %q", tc.index, tc.count, err, tc.err)
		}
	}
}

// writeShardDir lays out what a sweep's --out holds: a header, outcomes
// and the scenario.
func writeShardDir(t *testing.T, sc *Scenario, hdr resultsHeader, outcomes ...Outcome) string {
	t.Helper()
	dir := t.TempDir()
	b, _ := json.Marshal(hdr)
	lines := []string{string(b)}
	for _, o := range outcomes {
		b, _ := json.Marshal(o)
		lines = append(lines, string(b))
	}
	if err := os.WriteFile(filepath.Join(dir, "results.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeSweepScenario(dir, sc); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMerge(t *testing.T) {
	sc, err := LoadLibrary("abd-partitions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadLibrary("abd-retries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	hdr := func(sc *Scenario, build string, i, n int) resultsHeader {
		h := resultsHeader{Faultline: "1", Scenario: sc.Name, Fingerprint: Fingerprint(sc), Build: build}
		if n > 0 {
			h.Shard = &ShardOf{Shard{i, n}, 1, 6}
		}
		return h
	}
	ok := func(seed uint64) Outcome {
		return Outcome{Seed: seed, Status: StatusValid, Hash: "h", Faults: []string{"crash"}}
	}
	bad := Outcome{Seed: 2, Status: StatusInvalid, Reason: "not linearizable", Hash: "x"}

	s0 := writeShardDir(t, sc, hdr(sc, "b1", 0, 2), ok(1), bad, ok(3))
	s1 := writeShardDir(t, sc, hdr(sc, "b1", 1, 2), ok(4), ok(5), ok(6), ok(3))
	m, err := Merge(MergeOptions{Dirs: []string{s1, s0}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Range != (SeedRange{1, 6}) || len(m.Missing) != 0 || len(m.Outcomes) != 6 || m.Summary.Counts[StatusValid] != 5 ||
		len(m.Summary.Failures) != 1 || m.Summary.Failures[0].Seed != 2 || m.Summary.Faults["crash"] != 5 || m.Summary.Interrupted {
		t.Errorf("merge of two shards: %+v, summary %+v", m, m.Summary)
	}
	if len(m.Duplicates) != 1 || m.Duplicates[0] != 3 {
		t.Errorf("duplicates %v, want seed 3", m.Duplicates)
	}

	// Shard 1 alone: its seeds, and shard 0's missing.
	m, err = Merge(MergeOptions{Dirs: []string{s1}})
	if err != nil || len(m.Missing) != 1 || m.Missing[0] != (SeedRange{1, 2}) || m.MissingSeeds() != 2 || !m.Summary.Interrupted {
		t.Errorf("merge of one shard: missing %v (err %v), want 1..2 (3 is a duplicate in shard 1)", m.Missing, err)
	}

	for _, tc := range []struct {
		name string
		dirs []string
		want string
	}{
		{"scenarios", []string{s0, writeShardDir(t, other, hdr(other, "b1", 1, 2), ok(4))}, "shards of different scenarios do not merge"},
		{"builds", []string{s0, writeShardDir(t, sc, hdr(sc, "b2", 1, 2), ok(4))}, "was written by build b2 but"},
		{"verdicts", []string{s0, writeShardDir(t, sc, hdr(sc, "b1", 1, 2), Outcome{Seed: 2, Status: StatusValid, Hash: "y"})}, "seed 2 is invalid (hash x) in"},
		{"ranges", []string{s0, writeShardDir(t, sc, resultsHeader{Faultline: "1", Scenario: sc.Name, Fingerprint: Fingerprint(sc), Build: "b1", Shard: &ShardOf{Shard{1, 2}, 1, 8}})}, "shards of different sweeps do not merge"},
		{"no results", []string{t.TempDir()}, "want the --out DIR of a run"},
	} {
		if _, err := Merge(MergeOptions{Dirs: tc.dirs}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := Merge(MergeOptions{Dirs: []string{s0, writeShardDir(t, sc, hdr(sc, "b2", 1, 2), ok(4))}, Force: true}); err != nil {
		t.Errorf("forced merge of two builds: %v", err)
	}

	// The merged directory is itself a sweep's results: seed order, the
	// shards' build, its scenario.
	out := filepath.Join(t.TempDir(), "merged")
	if _, err := Merge(MergeOptions{Dirs: []string{s0, s1}, Out: out}); err != nil {
		t.Fatal(err)
	}
	r, err := readShard(out)
	if err != nil || r.hdr.Build != "b1" || r.hdr.Fingerprint != Fingerprint(sc) || len(r.outcomes) != 6 {
		t.Fatalf("merged results %+v, %v", r, err)
	}
	for i, o := range r.outcomes {
		if o.Seed != uint64(i+1) {
			t.Errorf("merged line %d holds seed %d", i+2, o.Seed)
		}
	}
}

// A shard's results file is its own: resuming it as another shard or
// unsharded is an error, and a range that is not the shard's is refused.
func TestSweepShardRecorded(t *testing.T) {
	sc, err := LoadLibrary("abd-partitions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	of := &ShardOf{Shard{1, 3}, 1, 6}
	if _, err := Sweep(t.Context(), sc, SweepOptions{First: 3, Last: 4, Out: dir, Shard: of, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	r, err := readShard(dir)
	if err != nil || r.hdr.Shard == nil || *r.hdr.Shard != *of || len(r.outcomes) != 2 {
		t.Fatalf("shard results %+v, %v", r, err)
	}
	for _, tc := range []struct {
		first, last uint64
		shard       *ShardOf
		want        string
	}{
		{3, 4, &ShardOf{Shard{2, 3}, 1, 6}, "seeds 3..4 are not shard 2/3 of seeds 1..6"},
		{5, 6, &ShardOf{Shard{2, 3}, 1, 6}, "holds the results of shard 1/3 of seeds 1..6; this is shard 2/3"},
		{3, 4, nil, "this is an unsharded sweep"},
	} {
		if _, err := Sweep(t.Context(), sc, SweepOptions{First: tc.first, Last: tc.last, Out: dir, Shard: tc.shard, Workers: 1}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("sweep %d..%d as %v: error %v, want one saying %q", tc.first, tc.last, tc.shard, err, tc.want)
		}
	}
}
