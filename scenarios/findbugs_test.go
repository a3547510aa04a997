package scenarios_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// The "Finding bugs" measurements of docs/BENCHMARKS.md: for each planted
// Raft bug, seeds to the first failure with a plain generated nemesis and
// with swarm mode (median of independent sweeps), and the size of the
// shrunk reproduction. Minutes of CPU, so behind a flag:
//
//	go test ./scenarios -run TestFindBugs -faultline.long -v -timeout 60m
//	go test ./scenarios -run TestFindBugs -faultline.long -faultline.bugs=no-sessions -v
var (
	long       = flag.Bool("faultline.long", false, "run the bug-finding measurements (minutes of CPU)")
	bugsFlag   = flag.String("faultline.bugs", "", "comma-separated planted bugs to measure (default all)")
	sweepsFlag = flag.Int("faultline.sweeps", 5, "independent sweeps per configuration")
	limitFlag  = flag.Int("faultline.limit", 400, "seeds per sweep before giving up")
	tableFlag  = flag.String("faultline.table", "", "also write the markdown table to this file")
)

// huntYAML is the generic scenario every bug is hunted with: the bug's
// parameters, a generic workload and every default fault kind. swarmYAML
// adds the swarm section; the fault kinds and intensities are then drawn
// per seed too.
const huntYAML = `name: hunt-%[1]s
cluster: {node: raftkv, size: 5, params: {bugs: %[1]s%[2]s}}
network: {latency: uniform(1ms, 10ms)}
workload: {kind: kv, clients: 4, keys: 3, timeout: 1s}
nemesis:
  generate:
    faults: [partition, isolate, bridge, ring, cut, drop, delay, duplicate, reorder, clog, skew, drift, clock-jump, strobe, crash, crash-loop, pause, disk-lose]
    interval: 300ms..2s
    duration: 300ms..2s
run: {duration: 5s, heal: 3s}
`

const huntSwarm = `swarm:
  size: 3..5
  clients: 1..6
  keys: 1..4
  latency: 1ms..20ms
  drop: 0..1/20
  duplicate: 0..1/50
  sync_latency: 100us..30ms
  skew: 0s..100ms
  mix: true
  faults: true
  fault_interval: 100ms..2s
  fault_duration: 100ms..2s
`

var huntBugs = []string{"follower-reads", "lease-unbounded", "vote-not-persisted", "figure8-commit", "ack-before-sync", "no-sessions"}

// extraParams are what a bug needs to be reachable at all.
var extraParams = map[string]string{"lease-unbounded": ", read_mode: lease"}

// bugScenario returns the curated scenario for a bug: scenarios/bugs/BUG.yaml
// if the lead has written it, else testdata/bugs/BUG.yaml, else "".
func bugScenario(bug string) string {
	for _, p := range []string{filepath.Join("bugs", bug+".yaml"), filepath.Join("testdata", "bugs", bug+".yaml")} {
		if data, err := os.ReadFile(p); err == nil && !strings.Contains(string(data), "placeholder") {
			return p
		}
	}
	return ""
}

// withoutBugs is sc with its planted bugs removed: the control run.
func withoutBugs(sc *scenarios.Scenario) *scenarios.Scenario {
	c := sc.Clone()
	c.Cluster.Params = nil
	for _, p := range sc.Cluster.Params {
		if p.Key != "bugs" {
			c.Cluster.Params = append(c.Cluster.Params, p)
		}
	}
	return c
}

// catches reports whether a seed exposes the planted bug: the run fails
// with a verdict (not Unknown) and the same seed without the bug passes.
// A failure the correct protocol shares is a false alarm, not a catch.
func catches(sc *scenarios.Scenario, seed uint64) (caught, falseAlarm bool) {
	opts := scenarios.RunOptions{CheckBudget: 5 * time.Second}
	o := scenarios.RunSeed(scenarios.ApplySwarm(sc, seed), seed, opts)
	if !o.Failed() || o.Status == scenarios.StatusUnknown {
		return false, false
	}
	c := scenarios.RunSeed(scenarios.ApplySwarm(withoutBugs(sc), seed), seed, opts)
	if c.Failed() && c.Status != scenarios.StatusUnknown {
		return false, true
	}
	return true, false
}

// falseAlarms counts, over every measurement, failures the correct
// protocol shares.
var falseAlarms struct {
	sync.Mutex
	n    int
	last string
}

// seedsToFailure runs seeds first, first+1, ... (in parallel blocks) and
// returns how many seeds it took to catch the bug (0: none in limit
// seeds) and the catching seed.
func seedsToFailure(sc *scenarios.Scenario, first uint64, limit, workers int) (int, uint64) {
	for base := 0; base < limit; base += workers {
		found := make([]bool, workers)
		var wg sync.WaitGroup
		for w := 0; w < workers && base+w < limit; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				seed := first + uint64(base+w)
				caught, alarm := catches(sc, seed)
				found[w] = caught
				if alarm {
					falseAlarms.Lock()
					falseAlarms.n++
					falseAlarms.last = fmt.Sprintf("%s seed %d", sc.Name, seed)
					falseAlarms.Unlock()
				}
			}(w)
		}
		wg.Wait()
		for w, f := range found {
			if f {
				return base + w + 1, first + uint64(base+w)
			}
		}
	}
	return 0, 0
}

// medianSeeds runs independent sweeps (seed offsets 1, 100001, ...) and
// returns the median seeds-to-failure as text, and every sweep's count.
func medianSeeds(sc *scenarios.Scenario, sweeps, limit, workers int) (string, []int) {
	var counts []int
	for k := 0; k < sweeps; k++ {
		n, _ := seedsToFailure(sc, uint64(k)*100_000+1, limit, workers)
		if n == 0 {
			n = limit + 1 // not found: ranks above every found count
		}
		counts = append(counts, n)
	}
	sorted := append([]int(nil), counts...)
	sort.Ints(sorted)
	m := sorted[len(sorted)/2]
	if m > limit {
		return fmt.Sprintf(">%d", limit), counts
	}
	return fmt.Sprint(m), counts
}

func fmtCounts(cs []int, limit int) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprint(c)
		if c > limit {
			parts[i] = "–"
		}
	}
	return strings.Join(parts, " ")
}

func TestFindBugs(t *testing.T) {
	if !*long {
		t.Skip("minutes of CPU: run with -faultline.long")
	}
	bugs := huntBugs
	if *bugsFlag != "" {
		bugs = strings.Split(*bugsFlag, ",")
	}
	workers := 2
	limit, sweeps := *limitFlag, *sweepsFlag
	var rows []string
	rows = append(rows,
		"| bug | curated scenario | generated nemesis | swarm mode | shrunk: faults / ops / run | shrink time |",
		"|---|---|---|---|---|---|")
	for _, bug := range bugs {
		plain, err := scenarios.Parse("hunt.yaml", []byte(fmt.Sprintf(huntYAML, bug, extraParams[bug])))
		if err != nil {
			t.Fatal(err)
		}
		swarm, err := scenarios.Parse("hunt-swarm.yaml", []byte(fmt.Sprintf(huntYAML, bug, extraParams[bug])+huntSwarm))
		if err != nil {
			t.Fatal(err)
		}
		curatedCell, shrinkCell, timeCell := "–", "–", "–"
		var curated *scenarios.Scenario
		if path := bugScenario(bug); path != "" {
			if curated, err = scenarios.LoadFile(path); err != nil {
				t.Fatal(err)
			}
			m, cs := medianSeeds(curated, sweeps, limit, workers)
			curatedCell = fmt.Sprintf("%s (%s) `%s`", m, fmtCounts(cs, limit), path)
		}
		pm, pcs := medianSeeds(plain, sweeps, limit, workers)
		sm, scs := medianSeeds(swarm, sweeps, limit, workers)

		// Shrink the first failure of the curated scenario, else of the
		// swarm or generated hunt.
		for _, sc := range []*scenarios.Scenario{curated, swarm, plain} {
			if sc == nil {
				continue
			}
			n, seed := seedsToFailure(sc, 1, limit, workers)
			if n == 0 {
				continue
			}
			res, err := scenarios.Shrink(context.Background(), sc, seed, scenarios.ShrinkOptions{Budget: 60 * time.Second})
			if err != nil {
				t.Errorf("%s: shrink %s seed %d: %v", bug, sc.Name, seed, err)
				break
			}
			back, err := scenarios.Parse("shrunk.yaml", scenarios.Format(res.Scenario))
			if err != nil {
				t.Fatalf("%s: shrunk YAML: %v", bug, err)
			}
			if re := scenarios.RunSeed(back, res.Seed, scenarios.RunOptions{}); re.Status != res.Status || re.Hash != res.Outcome.Hash {
				t.Errorf("%s: shrunk scenario does not replay: %s %s vs %s %s", bug, re.Status, re.Hash, res.Status, res.Outcome.Hash)
			}
			if c := scenarios.RunSeed(withoutBugs(back), res.Seed, scenarios.RunOptions{}); c.Failed() {
				t.Errorf("%s: the shrunk scenario fails without the bug too (%s: %s)", bug, c.Status, c.Reason)
			}
			a := res.After
			shrinkCell = fmt.Sprintf("%d / %d / %v (from %d / %d / %v; %s; seed %d of %s)", a.Faults, a.Ops, a.Duration+a.Heal,
				res.Before.Faults, res.Before.Ops, res.Before.Duration+res.Before.Heal, res.Signature, seed, sc.Name)
			timeCell = fmt.Sprintf("%.1fs, %d runs", res.Elapsed.Seconds(), res.Runs)
			if !res.Complete {
				timeCell += " (budget)"
			}
			t.Logf("%s shrunk:\n%s", bug, scenarios.Format(res.Scenario))
			break
		}
		row := fmt.Sprintf("| %s | %s | %s (%s) | %s (%s) | %s | %s |", bug, curatedCell, pm, fmtCounts(pcs, limit), sm, fmtCounts(scs, limit), shrinkCell, timeCell)
		t.Log(row)
		rows = append(rows, row)
	}
	table := strings.Join(rows, "\n") + "\n"
	table += fmt.Sprintf("\nfalse alarms (failures the correct protocol shares on the same seed, not counted): %d (last: %s)\n", falseAlarms.n, falseAlarms.last)
	t.Logf("\n%s", table)
	if *tableFlag != "" {
		if err := os.WriteFile(*tableFlag, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
