package scenarios

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/sim"
)

// The coverage-guided corpus. A hunt with a Corpus keeps every run that
// reached coverage no earlier run of the hunt reached (see huntcoverage.go:
// fault kinds, probes, message-type pairs, role changes, how often) as an entry: the
// scenario that run ran, concrete (its swarm draws applied, its generated
// faults written out as a script), and its seed — a scenario YAML and a
// seed that replay the run exactly. Between batches of fresh seeds the hunt
// runs mutations of entries:
//
//   - shift: a fault starts up to a second earlier or later;
//   - length: a fault lasts half or twice as long;
//   - intensity: every duration in a fault's text (a delay, a clock jump)
//     halved or doubled;
//   - target: a fault aimed at one server, or the leader, aimed at another;
//   - splice: the faults of one entry before a time, then another's after;
//   - insert: a fault of another entry added at its time;
//   - delete: a fault removed.
//
// One to three of them at a time. A mutant is again a concrete scenario and
// a seed, so a failing mutant replays from its YAML like any scenario
// (faultline replay FILE --seed N), and shrinks like one. A mutant that
// reaches new coverage joins the corpus.
//
// The hunt stays machine-independent: fresh seeds run in batches of
// corpusFresh through Sweep, mutants in batches of corpusMutants, and each
// batch's results are taken in order (seed order, mutant order) before the
// next batch is drawn, from a stream of the hunt's first seed; whatever the
// workers, the same hunt runs the same runs and stops at the same one.

// Corpus batch shape: a quarter of the runs are mutants once the corpus
// has an entry.
const (
	corpusFresh   = 24
	corpusMutants = 8
)

// CorpusEntry is a run kept for reaching new coverage.
type CorpusEntry struct {
	// Scenario is what the run ran: no swarm section, no generated faults.
	Scenario *Scenario
	Seed     uint64
	// New is the coverage the run reached first, when it was added.
	New []string
	// File is where the entry is stored ("" for a corpus in memory).
	File string
}

// Corpus is a hunt's set of entries, kept in Dir when it is set.
type Corpus struct {
	Dir     string
	Entries []*CorpusEntry
}

var corpusName = regexp.MustCompile(`^seed-(\d+)-[0-9a-f]{12}\.yaml$`)

// OpenCorpus returns the corpus in dir ("" for one in memory), creating
// the directory, with the entries already there (files seed-N-HASH.yaml)
// that fit sc: the same node kind and workload. sc's cluster parameters
// are written over theirs, so a corpus gathered hunting one bug seeds the
// hunt of another. A file that does not load is an error naming it.
func OpenCorpus(dir string, sc *Scenario) (*Corpus, error) {
	c := &Corpus{Dir: dir}
	if dir == "" {
		return c, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("scenarios: corpus: %v", err)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("scenarios: corpus: %v", err)
	}
	for _, de := range names {
		m := corpusName.FindStringSubmatch(de.Name())
		if m == nil {
			continue
		}
		seed, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("scenarios: corpus: %s: seed %s: %v", de.Name(), m[1], err)
		}
		path := filepath.Join(dir, de.Name())
		esc, err := LoadFile(path)
		if err != nil {
			return nil, inContext("corpus", err)
		}
		if esc.Cluster.Node != sc.Cluster.Node || esc.Workload.Kind != sc.Workload.Kind || esc.Swarm != nil || esc.Nemesis.Generate != nil {
			continue
		}
		esc.Cluster.Params = overParams(reg.nodes[sc.Cluster.Node], esc.Cluster.Params, sc.Cluster.Params)
		esc.Workload.Params = slices.Clone(sc.Workload.Params) // no swarm draws them: the hunt's, all of them
		esc.Source = ""
		c.Entries = append(c.Entries, &CorpusEntry{Scenario: esc, Seed: seed, File: path})
	}
	return c, nil
}

// overParams is the entry's parameters with the hunt's written over them:
// the hunt's (its planted bugs, a read mode) win, and of the others the
// entry keeps only those its run drew (swarm.params: timings; a
// replication storm's HuntShape.ReplicationParams), so the entry still
// replays its run. What the entry's own hunt was given and this one is
// not goes: a corpus gathered hunting bugs=no-sessions must not plant
// no-sessions in the hunt of the correct protocol (it did, and the correct
// Raft KV "failed" at a mutant).
func overParams(nk *NodeKind, entry, hunt []Param) []Param {
	out := slices.Clone(hunt)
	for _, p := range entry {
		if !slices.ContainsFunc(hunt, func(h Param) bool { return h.Key == p.Key }) && drawnParam(nk, p.Key) {
			out = append(out, p)
		}
	}
	return out
}

// drawnParam reports whether a hunt's seed may have set the kind's
// parameter key by itself: a swarm draw, or a replication storm's.
func drawnParam(nk *NodeKind, key string) bool {
	if nk == nil {
		return false
	}
	if slices.ContainsFunc(nk.Params, func(s ParamSpec) bool { return s.Key == key && len(s.Swarm) > 0 }) {
		return true
	}
	rp, _ := ParseParams(nk.Hunt.ReplicationParams) // checked at RegisterNode
	return slices.ContainsFunc(rp, func(p Param) bool { return p.Key == key })
}

// add keeps an entry, writing it to Dir.
func (c *Corpus) add(e *CorpusEntry) error {
	c.Entries = append(c.Entries, e)
	if c.Dir == "" {
		return nil
	}
	desc := fmt.Sprintf("corpus entry, seed %d; new coverage: %s", e.Seed, strings.Join(e.New, "; "))
	sc := e.Scenario.Clone()
	sc.Description = trimText(desc, 2000)
	data := Format(sc)
	sum := sha256.Sum256(data)
	e.File = filepath.Join(c.Dir, fmt.Sprintf("seed-%d-%x.yaml", e.Seed, sum[:6]))
	tmp := e.File + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("scenarios: corpus: %v", err)
	}
	if err := os.Rename(tmp, e.File); err != nil {
		return fmt.Errorf("scenarios: corpus: %v", err)
	}
	return nil
}

func trimText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Concrete returns the scenario seed runs of sc, written out: its swarm
// draws applied and its generated faults as a script. With the seed, it
// replays that run's trace.
func Concrete(sc *Scenario, seed uint64) (*Scenario, error) {
	base := ApplySwarm(sc, seed).Clone()
	sched, err := Schedule(base, seed)
	if err != nil {
		return nil, err
	}
	base.Nemesis.Generate = nil
	base.Nemesis.Script = nil
	for _, st := range sched.Steps {
		base.Nemesis.Script = append(base.Nemesis.Script, Step{At: st.At, For: st.For, Fault: st.Fault.String()})
	}
	base.Source = ""
	return base, nil
}

// mutate returns a mutant of e (nil when every mutation drawn left
// nothing valid to run).
func (c *Corpus) mutate(e *CorpusEntry, rng *rand.Rand) *Scenario {
	m := e.Scenario.Clone()
	size, end := m.Cluster.Size, m.Run.Duration
	steps := slices.Clone(m.Nemesis.Script)
	other := func() []Step { // another entry's faults, of a cluster as big
		var fit []*CorpusEntry
		for _, o := range c.Entries {
			if o != e && o.Scenario.Cluster.Size == size && len(o.Scenario.Nemesis.Script) > 0 {
				fit = append(fit, o)
			}
		}
		if len(fit) == 0 {
			return nil
		}
		return fit[rng.IntN(len(fit))].Scenario.Nemesis.Script
	}
	for range 1 + rng.IntN(3) {
		if len(steps) == 0 {
			if o := other(); len(o) > 0 {
				steps = append(steps, o[rng.IntN(len(o))])
			}
			continue
		}
		i := rng.IntN(len(steps))
		st := &steps[i]
		switch rng.IntN(7) {
		case 0: // shift
			st.At = min(max(st.At+time.Duration(rng.Int64N(int64(2*time.Second)))-time.Second, 0), end-time.Millisecond)
		case 1: // length
			if st.For > 0 {
				st.For = max(scaleDur(st.For, rng), time.Millisecond)
			}
		case 2: // intensity
			st.Fault = scaleFaultDurations(st.Fault, rng)
		case 3: // target
			st.Fault = retarget(st.Fault, size, rng)
		case 4: // splice
			if o := other(); o != nil {
				t := time.Duration(rng.Int64N(int64(end)))
				var sp []Step
				for _, s := range steps {
					if s.At < t {
						sp = append(sp, s)
					}
				}
				for _, s := range o {
					if s.At >= t {
						sp = append(sp, s)
					}
				}
				steps = sp
			}
		case 5: // insert
			if o := other(); len(o) > 0 {
				steps = append(steps, o[rng.IntN(len(o))])
			}
		case 6: // delete
			steps = slices.Delete(steps, i, i+1)
		}
	}
	var keep []Step
	for _, st := range steps {
		if st.At < end && CheckFault(st.Fault, size) == nil {
			st.Pos = Pos{}
			keep = append(keep, st)
		}
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].At < keep[j].At })
	m.Nemesis.Script = keep
	m.Name = e.Scenario.Name
	if m.Validate() != nil {
		return nil
	}
	return m
}

func scaleDur(d time.Duration, rng *rand.Rand) time.Duration {
	if rng.IntN(2) == 0 {
		return d / 2
	}
	return min(d*2, time.Hour)
}

// scaleFaultDurations halves or doubles every duration argument of a
// fault's text ("clock-jump n2 -300ms" → "clock-jump n2 -600ms").
func scaleFaultDurations(text string, rng *rand.Rand) string {
	f := strings.Fields(text)
	up := rng.IntN(2) == 0
	for i, w := range f {
		d, err := time.ParseDuration(w)
		if err != nil || d == 0 {
			continue
		}
		if up {
			d *= 2
		} else {
			d /= 2
		}
		f[i] = d.String()
	}
	return strings.Join(f, " ")
}

// retarget aims a fault that names one server (n3) or the leader at
// another server or the leader.
func retarget(text string, size int, rng *rand.Rand) string {
	f := strings.Fields(text)
	var at []int
	for i, w := range f {
		if w == "leader" || isServerName(w) {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return text
	}
	i := at[rng.IntN(len(at))]
	if k := rng.IntN(size + 1); k == size {
		f[i] = "leader"
	} else {
		f[i] = "n" + strconv.Itoa(k+1)
	}
	return strings.Join(f, " ")
}

func isServerName(w string) bool {
	n, err := strconv.Atoi(strings.TrimPrefix(w, "n"))
	return strings.HasPrefix(w, "n") && err == nil && n > 0
}

// huntCorpus is Hunt with a corpus: batches of fresh seeds, then of
// mutants, each batch's results taken in order.
func huntCorpus(ctx context.Context, sc *Scenario, opts HuntOptions) (*HuntResult, error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opts.For > 0 {
		var stop context.CancelFunc
		runCtx, stop = context.WithTimeout(runCtx, opts.For)
		defer stop()
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	c := opts.Corpus
	start := time.Now()
	res := &HuntResult{First: opts.First}
	sum := &Summary{Scenario: sc.Name, Counts: map[Status]int{}, Faults: map[string]int{}, Probes: map[string]int{}}
	cov := newHuntCoverage()
	seen := newFirstSeen()
	repl := newReplicationTally(sc)
	rng := sim.NewStream(opts.First, "hunt/corpus")
	budget := opts.Seeds
	if budget == 0 {
		budget = math.MaxUint64
	}
	var runs uint64
	next := opts.First
	var stopErr error

	// take handles one finished run, in order; it reports whether the
	// hunt stops here.
	take := func(o *Outcome, rc *runCoverage, mutant *Scenario) bool {
		runs++
		sum.add(o, false)
		items := rc.items(o)
		ran := sc
		if mutant != nil {
			ran = mutant
		}
		ss := seedStrategies(ran, o, mutant != nil)
		fresh := cov.add(items, ss)
		repl.add(rc, ss)
		hp := HuntProgress{Progress: Progress{Done: int(runs), Failed: len(sum.Failures), Elapsed: time.Since(start), Last: o},
			NewCoverage: fresh, Strategies: ss, Mutant: mutant != nil}
		hp.NewFaults, hp.NewProbes = seen.add(o)
		if len(fresh) > 0 && stopErr == nil {
			e := &CorpusEntry{Scenario: mutant, Seed: o.Seed, New: fresh}
			if mutant == nil {
				var err error
				if e.Scenario, err = Concrete(sc, o.Seed); err != nil {
					stopErr = err
				}
			}
			if e.Scenario != nil {
				if err := c.add(e); err != nil {
					stopErr = err
				}
			}
		}
		failed := huntFailure(o.Status)
		if failed {
			oc := *o
			res.Failure, res.SeedsToFailure, res.TimeToFailure = &oc, runs, time.Since(start)
			res.FailureScenario, res.FailureStrategies = mutant, ss
		}
		if opts.Progress != nil {
			opts.Progress(hp)
		}
		return failed || runs >= budget || stopErr != nil
	}

	hook := &coverageHook{bySeed: map[uint64]*runCoverage{}, user: opts.Run.Hook}
	for runCtx.Err() == nil && res.Failure == nil && runs < budget && stopErr == nil {
		// Fresh seeds.
		n := min(uint64(corpusFresh), budget-runs)
		last := next + n - 1
		if last < next {
			last = math.MaxUint64
		}
		// A failing seed ends the batch: the seeds before it were handed
		// out before it, so they finish, and the lowest failing seed is
		// the same on any machine (as in a plain hunt).
		var outs []Outcome
		ro := opts.Run
		ro.Hook = hook.hook
		batchCtx, endBatch := context.WithCancel(runCtx)
		_, err := Sweep(batchCtx, sc, SweepOptions{First: next, Last: last, Workers: workers, Run: ro,
			VerifyDeterminism: opts.VerifyDeterminism,
			Progress: func(p Progress) {
				outs = append(outs, *p.Last)
				if huntFailure(p.Last.Status) {
					endBatch()
				}
			}})
		endBatch()
		if err != nil {
			return nil, err
		}
		next = last + 1
		sort.Slice(outs, func(i, j int) bool { return outs[i].Seed < outs[j].Seed })
		stop := false
		for i := range outs {
			if !stop {
				stop = take(&outs[i], hook.take(outs[i].Seed), nil)
			} else {
				hook.take(outs[i].Seed)
			}
		}
		if stop || runCtx.Err() != nil || len(c.Entries) == 0 {
			continue
		}
		// Mutants of the corpus.
		k := int(min(uint64(corpusMutants), budget-runs))
		mutants := make([]*Scenario, 0, k)
		seeds := make([]uint64, 0, k)
		for try := 0; len(mutants) < k && try < 8*k; try++ {
			e := c.Entries[rng.IntN(len(c.Entries))]
			if m := c.mutate(e, rng); m != nil {
				mutants, seeds = append(mutants, m), append(seeds, e.Seed)
			}
		}
		k = len(mutants)
		mouts := make([]Outcome, k)
		mcov := make([]*runCoverage, k)
		jobs := make(chan int)
		var wg sync.WaitGroup
		var failedMutant atomic.Bool // stop handing out mutants after a failure (those before it finish)
		for range min(workers, k) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					ro := opts.Run
					ro.Hook = func(w *sim.Sim) {
						if opts.Run.Hook != nil {
							opts.Run.Hook(w)
						}
						mcov[i] = newRunCoverage(w)
					}
					o := RunSeed(mutants[i], seeds[i], ro)
					o.bound()
					o.History, o.Trace = nil, nil
					mouts[i] = o
					if huntFailure(o.Status) {
						failedMutant.Store(true)
					}
				}
			}()
		}
		sent := 0
		for i := range k {
			if runCtx.Err() != nil || failedMutant.Load() {
				break
			}
			jobs <- i
			sent++
		}
		close(jobs)
		wg.Wait()
		for i := range sent {
			if take(&mouts[i], mcov[i], mutants[i]) {
				break
			}
		}
	}
	if stopErr != nil {
		return nil, stopErr
	}
	sort.Slice(sum.Failures, func(i, j int) bool { return sum.Failures[i].Seed < sum.Failures[j].Seed })
	sum.Elapsed = time.Since(start)
	sum.Interrupted = res.Failure == nil && runs < budget
	res.Summary = sum
	res.Strategies = cov.report()
	res.ReplicationStorms = repl.result()
	res.Corpus = len(c.Entries)
	switch {
	case res.Failure != nil:
		res.Stop = HuntFailed
	case ctx.Err() != nil:
		res.Stop = HuntInterrupted
	case runs >= budget:
		res.Stop = HuntSeedBudget
	default:
		res.Stop = HuntTimeBudget
	}
	res.shrink(ctx, sc, opts)
	return res, nil
}
