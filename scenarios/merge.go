package scenarios

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// MergeOptions configure Merge. Use a keyed literal.
type MergeOptions struct {
	// Dirs are the results directories of the shards (each the --out of
	// one `run`), in any order.
	Dirs []string
	// Out, if set, receives the merged results.jsonl (seed order), the
	// scenario and the failing seeds' artifact directories, copied from
	// the shards. It must not be one of Dirs.
	Out string
	// Seeds, if set, is the range the shards should cover, checked for
	// missing seeds (default: the whole range recorded by sharded runs,
	// or else the lowest to the highest seed found).
	Seeds *SeedRange
	// Force merges results of different builds of the binary (by default
	// an error: results of different code would mix).
	Force bool

	_ struct{}
}

// SeedRange is the seeds First..Last, inclusive.
type SeedRange struct{ First, Last uint64 }

func (r SeedRange) String() string {
	if r.First == r.Last {
		return fmt.Sprint(r.First)
	}
	return fmt.Sprintf("%d..%d", r.First, r.Last)
}

// Merged is what Merge joined.
type Merged struct {
	// Summary counts every seed of the range found in the shards, as a
	// single sweep of that range run now would (coverage included); its
	// Interrupted is set when seeds are missing. Elapsed is zero (the
	// shards ran at once on other machines); CPU sums their seeds' times.
	Summary  *Summary
	Scenario *Scenario
	Build    string
	Range    SeedRange
	// Missing are the seeds of Range no shard holds, as ranges.
	Missing []SeedRange
	// Duplicates are seeds held by more than one shard with the same
	// verdict and hash (counted once).
	Duplicates []uint64
	// Outside counts seeds found outside Range (left out of the merge).
	Outside int
	// Shards lists, for sharded inputs, the shards found, by index.
	Shards []Shard
	// Outcomes are the merged results, by seed.
	Outcomes []Outcome
}

// MissingSeeds counts the seeds in Missing.
func (m *Merged) MissingSeeds() uint64 {
	var n uint64
	for _, r := range m.Missing {
		n += r.Last - r.First + 1
	}
	return n
}

type shardResults struct {
	dir      string
	hdr      resultsHeader
	outcomes []Outcome
}

// ErrDifferentBuilds is wrapped by Merge and CompareResults when results
// were written by different builds of the binary and Force is not set:
// the caller can offer its own way to force them.
var ErrDifferentBuilds = errors.New("different builds")

// Merge joins the results of the shards of one sweep into the results of
// a single sweep of the same seeds. It refuses shards of different
// scenarios (fingerprints) or of different builds (unless Force), and
// shards of different whole ranges; a seed two shards hold with
// different results (DiffOutcomes: verdicts, hashes, explanations) is an
// error (that scenario is not deterministic, or the shards ran different
// code); within one directory a seed's last line counts (a resume with
// --retry-crashed appends one). Missing seeds and
// duplicates are reported in Merged, not as errors.
func Merge(opts MergeOptions) (*Merged, error) {
	if len(opts.Dirs) == 0 {
		return nil, fmt.Errorf("scenarios: merge: no results directories")
	}
	var shards []shardResults
	for _, dir := range opts.Dirs {
		if opts.Out != "" && sameDir(dir, opts.Out) {
			return nil, fmt.Errorf("scenarios: merge: %s is both an input and the output", dir)
		}
		s, err := readShard(dir)
		if err != nil {
			return nil, err
		}
		shards = append(shards, s)
	}
	first := shards[0]
	m := &Merged{Build: first.hdr.Build}
	var whole *SeedRange
	for _, s := range shards {
		if s.hdr.Fingerprint != first.hdr.Fingerprint {
			return nil, fmt.Errorf("scenarios: merge: %s holds results of scenario %s (fingerprint %s) but %s of %s (fingerprint %s): shards of different scenarios do not merge",
				s.dir, s.hdr.Scenario, s.hdr.Fingerprint, first.dir, first.hdr.Scenario, first.hdr.Fingerprint)
		}
		if s.hdr.Build != first.hdr.Build && !opts.Force {
			return nil, fmt.Errorf("scenarios: merge: %s was written by build %s but %s by %s: results of different code would mix: %w",
				s.dir, orUnknown(s.hdr.Build), first.dir, orUnknown(first.hdr.Build), ErrDifferentBuilds)
		}
		if sh := s.hdr.Shard; sh != nil {
			r := SeedRange{sh.First, sh.Last}
			if whole != nil && *whole != r {
				return nil, fmt.Errorf("scenarios: merge: %s is a shard of seeds %s but another is of %s: shards of different sweeps do not merge", s.dir, r, whole)
			}
			whole = &r
			m.Shards = append(m.Shards, sh.Shard)
		}
	}
	sort.Slice(m.Shards, func(i, j int) bool { return m.Shards[i].Index < m.Shards[j].Index })
	sc, err := loadSweepScenario(shards, first.hdr.Fingerprint)
	if err != nil {
		return nil, err
	}
	m.Scenario = sc

	bySeed := map[uint64]Outcome{}
	from := map[uint64]string{}
	dups := map[uint64]bool{}
	lo, hi := ^uint64(0), uint64(0)
	for _, s := range shards {
		for _, o := range s.outcomes {
			if prev, ok := bySeed[o.Seed]; ok {
				if what := DiffOutcomes(&prev, &o); what != "" {
					return nil, fmt.Errorf("scenarios: merge: seed %d is %s (hash %s) in %s but %s (hash %s) in %s: the runs of one seed disagree (%s)",
						o.Seed, prev.Status, prev.Hash, from[o.Seed], o.Status, o.Hash, s.dir, what)
				}
				dups[o.Seed] = true
				continue
			}
			bySeed[o.Seed], from[o.Seed] = o, s.dir
			lo, hi = min(lo, o.Seed), max(hi, o.Seed)
		}
	}
	switch {
	case opts.Seeds != nil:
		m.Range = *opts.Seeds
	case whole != nil:
		m.Range = *whole
	case len(bySeed) > 0:
		m.Range = SeedRange{lo, hi}
	default:
		return nil, fmt.Errorf("scenarios: merge: %s hold no results", strings.Join(opts.Dirs, ", "))
	}
	seeds := slices.Sorted(maps.Keys(bySeed))
	sum := &Summary{Scenario: sc.Name, Counts: map[Status]int{}, Faults: map[string]int{}, Probes: map[string]int{}}
	next := m.Range.First
	for _, seed := range seeds {
		if seed < m.Range.First || seed > m.Range.Last {
			m.Outside++
			continue
		}
		if seed > next {
			m.Missing = append(m.Missing, SeedRange{next, seed - 1})
		}
		next = seed + 1
		o := bySeed[seed]
		sum.add(&o, false)
		m.Outcomes = append(m.Outcomes, o)
		if dups[seed] {
			m.Duplicates = append(m.Duplicates, seed)
		}
	}
	if len(m.Outcomes) == 0 || m.Outcomes[len(m.Outcomes)-1].Seed != m.Range.Last {
		m.Missing = append(m.Missing, SeedRange{next, m.Range.Last})
	}
	sum.Interrupted = len(m.Missing) > 0
	m.Summary = sum
	if opts.Out != "" {
		if err := m.write(opts.Out, shards); err != nil {
			return m, err
		}
	}
	return m, nil
}

// readShard reads DIR/results.jsonl: its header and every complete line.
func readShard(dir string) (shardResults, error) {
	s := shardResults{dir: dir}
	path := filepath.Join(dir, "results.jsonl")
	f, err := os.Open(path)
	if err != nil {
		return s, fmt.Errorf("scenarios: merge: %v (want the --out DIR of a run)", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			if err := json.Unmarshal(sc.Bytes(), &s.hdr); err != nil || s.hdr.Faultline == "" {
				return s, fmt.Errorf("scenarios: merge: %s:1: not a Faultline results file", path)
			}
			continue
		}
		var o Outcome
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			continue // a line cut short by an interruption: that seed is missing
		}
		s.outcomes = append(s.outcomes, o)
	}
	s.outcomes = keepLast(s.outcomes)
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("scenarios: merge: %s:%d: %v", path, line+1, err)
	}
	if line == 0 {
		return s, fmt.Errorf("scenarios: merge: %s is empty", path)
	}
	return s, nil
}

// loadSweepScenario reads the scenario.yaml a sweep writes beside its
// results, from the first shard that has one, and checks it is the one
// the results are of.
func loadSweepScenario(shards []shardResults, fingerprint string) (*Scenario, error) {
	for _, s := range shards {
		path := filepath.Join(s.dir, ScenarioFile)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		sc, err := LoadFile(path)
		if err != nil {
			return nil, err
		}
		if fp := Fingerprint(sc); fp != fingerprint {
			return nil, fmt.Errorf("scenarios: merge: %s has fingerprint %s but its results %s", path, fp, fingerprint)
		}
		return sc, nil
	}
	return nil, fmt.Errorf("scenarios: merge: none of the directories has the %s its sweep writes beside results.jsonl", ScenarioFile)
}

// write puts the merged results, the scenario and the failing seeds'
// artifacts under out.
func (m *Merged) write(out string, shards []shardResults) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("scenarios: %v", err)
	}
	path := filepath.Join(out, "results.jsonl")
	if err := noSymlink(path); err != nil {
		return err
	}
	hdr := resultsHeader{Faultline: "1", Scenario: m.Scenario.Name, Fingerprint: Fingerprint(m.Scenario), Build: m.Build}
	var b strings.Builder
	line, _ := json.Marshal(hdr)
	b.Write(append(line, '\n'))
	for i := range m.Outcomes {
		line, err := json.Marshal(&m.Outcomes[i])
		if err != nil {
			return err
		}
		b.Write(append(line, '\n'))
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("scenarios: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("scenarios: %v", err)
	}
	if err := writeSweepScenario(out, m.Scenario); err != nil {
		return err
	}
	for _, f := range m.Summary.Failures {
		name := fmt.Sprintf("seed-%d", f.Seed)
		dst := filepath.Join(out, name)
		if _, err := os.Stat(dst); err == nil {
			continue // merged before
		}
		for _, s := range shards {
			src := filepath.Join(s.dir, name)
			if st, err := os.Stat(src); err != nil || !st.IsDir() {
				continue
			}
			if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
				return fmt.Errorf("scenarios: merge: copying %s: %v", src, err)
			}
			break
		}
	}
	return syncDir(out)
}

func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(sa, sb)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}
