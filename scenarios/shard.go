package scenarios

import (
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Shard is one of Count disjoint parts of a seed range, numbered from 0
// as Kubernetes numbers an Indexed Job's pods (JOB_COMPLETION_INDEX).
// Shard i of n takes the i-th contiguous block of the range; the blocks
// differ in size by at most one seed and together cover the range once.
// The zero Shard is "not sharded".
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Environment variables a sharded sweep reads when --shard is not given:
// Kubernetes sets the first in each pod of an Indexed Job; the Job's
// manifest sets the second to its completions (deploy/kubernetes).
const (
	EnvShardIndex = "JOB_COMPLETION_INDEX"
	EnvShardCount = "JOB_COMPLETION_COUNT"
)

// Sharded reports whether s names a shard (the zero Shard does not).
func (s Shard) Sharded() bool { return s.Count > 0 }

// String is the text form ParseShard reads: "I/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseShard reads "I/N": shard I (from 0) of N.
func ParseShard(text string) (Shard, error) {
	a, b, ok := strings.Cut(text, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("scenarios: shard %q: want I/N with integers, such as 0/4 (shards are numbered from 0, as JOB_COMPLETION_INDEX)", text)
	}
	return NewShard(i, n)
}

// NewShard checks a shard's index and count.
func NewShard(index, count int) (Shard, error) {
	switch {
	case count < 1:
		return Shard{}, fmt.Errorf("scenarios: shard %d/%d: want at least 1 shard", index, count)
	case index < 0 || index >= count:
		return Shard{}, fmt.Errorf("scenarios: shard %d/%d: want an index from 0 to %d (shards are numbered from 0, as JOB_COMPLETION_INDEX)", index, count, count-1)
	}
	return Shard{Index: index, Count: count}, nil
}

// ShardFromEnv reads the shard of a Kubernetes Indexed Job's pod from
// JOB_COMPLETION_INDEX and JOB_COMPLETION_COUNT (getenv is os.Getenv in
// the command). Neither set: the zero Shard. One without the other, or a
// value that is not a number, is an error naming the variable.
func ShardFromEnv(getenv func(string) string) (Shard, error) {
	is, ns := getenv(EnvShardIndex), getenv(EnvShardCount)
	if is == "" && ns == "" {
		return Shard{}, nil
	}
	if is == "" || ns == "" {
		return Shard{}, fmt.Errorf("scenarios: %s=%q and %s=%q: set both (the Job's completion index and its completions) or neither", EnvShardIndex, is, EnvShardCount, ns)
	}
	i, err := strconv.Atoi(is)
	if err != nil {
		return Shard{}, fmt.Errorf("scenarios: %s=%q: want an integer", EnvShardIndex, is)
	}
	n, err := strconv.Atoi(ns)
	if err != nil {
		return Shard{}, fmt.Errorf("scenarios: %s=%q: want an integer", EnvShardCount, ns)
	}
	s, err := NewShard(i, n)
	if err != nil {
		return Shard{}, fmt.Errorf("%v (from %s and %s)", err, EnvShardIndex, EnvShardCount)
	}
	return s, nil
}

// Range is this shard's part of the seeds first..last (inclusive); ok is
// false when the part is empty (more shards than seeds). The zero Shard's
// part is the whole range.
func (s Shard) Range(first, last uint64) (lo, hi uint64, ok bool) {
	if !s.Sharded() {
		return first, last, last >= first
	}
	if last < first {
		return 0, 0, false
	}
	total := last - first + 1 // callers keep ranges below 2^64 seeds
	lo = first + s.offset(total, s.Index)
	end := first + s.offset(total, s.Index+1) // exclusive
	if end == lo {
		return 0, 0, false
	}
	return lo, end - 1, true
}

// offset is floor(i·total/Count) without overflow.
func (s Shard) offset(total uint64, i int) uint64 {
	hi, lo := bits.Mul64(uint64(i), total)
	q, _ := bits.Div64(hi, lo, uint64(s.Count))
	return q
}

// ShardOf places a sweep in a larger one: it is Shard of the seeds
// First..Last. A sharded sweep records it in its results file, so merge
// knows the whole range and which shards it has.
type ShardOf struct {
	Shard
	First uint64 `json:"first"`
	Last  uint64 `json:"last"`
}

func (s ShardOf) String() string {
	return fmt.Sprintf("shard %s of seeds %d..%d", s.Shard, s.First, s.Last)
}

// writeSweepScenario writes the resolved scenario beside results.jsonl, so
// a results directory says what it is the results of: merge reads it for
// the coverage report, and `replay DIR/scenario.yaml` replays any seed.
func writeSweepScenario(dir string, sc *Scenario) error {
	path := filepath.Join(dir, ScenarioFile)
	if err := noSymlink(path); err != nil {
		return err
	}
	data := Format(sc)
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("scenarios: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("scenarios: %v", err)
	}
	return nil
}

// checkShard refuses a sweep whose range is not its shard's part: the
// results file would claim seeds it does not hold.
func checkShard(s *ShardOf, first, last uint64) error {
	if s == nil {
		return nil
	}
	lo, hi, ok := s.Range(s.First, s.Last)
	if !ok || lo != first || hi != last {
		return fmt.Errorf("scenarios: seeds %d..%d are not %s", first, last, s)
	}
	return nil
}

// sameShard refuses to resume a results file of another shard (or of an
// unsharded sweep into a shard, and the other way round): merge would
// count its seeds twice or miss them.
func sameShard(path string, had, want *ShardOf) error {
	describe := func(s *ShardOf) string {
		if s == nil {
			return "an unsharded sweep"
		}
		return s.String()
	}
	if (had == nil) != (want == nil) || had != nil && *had != *want {
		return fmt.Errorf("scenarios: %s holds the results of %s; this is %s: use another --out", path, describe(had), describe(want))
	}
	return nil
}
