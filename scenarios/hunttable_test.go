package scenarios_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/stock"
	"github.com/faultline/faultline/scenarios"
)

// The hunt table of docs/BENCHMARKS.md ("The hunt table", issue 16): every
// planted bug of every registered kind, hunted with nothing but the
// generic hunt (scenarios.HuntBugScenario: HuntScenario of the kind, the bug
// planted, the kind's BugNeed met), several independent hunts from
// different first seeds, one worker each. Minutes of CPU, so behind the
// long flag:
//
//	go test ./scenarios -run TestHuntTable -faultline.long -v -timeout 0 -faultline.table=hunt-table.md
//	go test ./scenarios -run TestHuntTable -faultline.long -faultline.hunt-runs=3 -faultline.hunt-for=60s -faultline.hunt-parallel=2 -v -timeout 0
//	go test ./scenarios -run TestHuntTable -faultline.long -faultline.bugs=raftkv,pb/stale-primary-reads -v
var (
	huntRuns     = flag.Int("faultline.hunt-runs", 5, "hunt table: independent hunts per bug (first seeds 1, 100001, 200001, ...)")
	huntFor      = flag.Duration("faultline.hunt-for", 60*time.Second, "hunt table: wall-time budget of one hunt")
	huntSeeds    = flag.Uint64("faultline.hunt-seeds", 0, "hunt table: seed budget of one hunt (0: none)")
	huntShrink   = flag.Duration("faultline.hunt-shrink", 20*time.Second, "hunt table: shrink budget of a caught failure")
	huntParallel = flag.Int("faultline.hunt-parallel", 1, "hunt table: hunts run at once (each on one worker)")
)

// huntTableCheckSteps is faultline hunt's linearizability budget.
const huntTableCheckSteps = 2_000_000

func huntTableRun() scenarios.RunOptions {
	return scenarios.RunOptions{CheckSteps: huntTableCheckSteps}
}

// huntRun is one hunt of one bug.
type huntRun struct {
	first uint64
	// seeds is the seeds to the first catch (0: none within the budget),
	// elapsed the wall time to it.
	seeds   uint64
	elapsed time.Duration
	// caught is the catching seed's outcome, its history, trace and
	// check results dropped (a table keeps hundreds of runs).
	caught  *scenarios.Outcome
	foundBy string
	// control is the caught seed's status with the bug removed (Valid,
	// or Unknown: undecided).
	control scenarios.Status
	// alarms are the failing seeds whose control failed too (false
	// alarms), before the catch; the hunt went on past them.
	alarms []falseAlarm
	// shrunk is the shrink's size (nil: not shrunk) and whether it ended
	// before its budget.
	shrunk *shrunkSize
	// ran and unknown count the seeds run and those undecided.
	ran, unknown int
	err          error
}

type shrunkSize struct {
	scenarios.Size
	Complete bool
}

type falseAlarm struct {
	seed      uint64
	signature string
}

// huntBug hunts one bug from first: it runs the hunt, judges each failure
// against the control (the same seed without the bug), goes on past false
// alarms with what remains of the budget, and shrinks the catch.
func huntBug(ctx context.Context, b scenarios.PlantedBug, first uint64) huntRun {
	r := huntRun{first: first}
	sc, err := scenarios.HuntBugScenario(b, true)
	if err != nil {
		r.err = err
		return r
	}
	control, err := scenarios.HuntBugScenario(b, false)
	if err != nil {
		r.err = err
		return r
	}
	start, from := time.Now(), first
	var spent time.Duration // wall time of the hunts before the last
	for {
		left := *huntFor - time.Since(start)
		var seedsLeft uint64
		if *huntSeeds > 0 {
			if from-first >= *huntSeeds {
				return r
			}
			seedsLeft = *huntSeeds - (from - first)
		}
		if left <= 0 {
			return r
		}
		res, err := scenarios.Hunt(ctx, sc, scenarios.HuntOptions{
			First: from, Seeds: seedsLeft, For: left, Workers: 1, Run: huntTableRun(), ShrinkBudget: -1,
		})
		if err != nil {
			r.err = err
			return r
		}
		r.ran += res.Summary.Seeds
		r.unknown += res.Summary.Counts[scenarios.StatusUnknown]
		if res.Failure == nil {
			return r
		}
		elapsed := spent + res.TimeToFailure
		spent = time.Since(start)
		f := res.Failure
		c := scenarios.RunSeed(control, f.Seed, huntTableRun())
		if c.Failed() && c.Status != scenarios.StatusUnknown {
			r.alarms = append(r.alarms, falseAlarm{seed: f.Seed, signature: scenarios.FailureSignature(&c)})
			from = f.Seed + 1
			continue
		}
		slim := scenarios.Outcome{Seed: f.Seed, Status: f.Status, Reason: f.Reason, Faults: f.Faults, Checks: f.Checks, Failure: f.Failure}
		r.seeds, r.elapsed, r.caught, r.control = f.Seed-first+1, elapsed, &slim, c.Status
		r.foundBy = foundBy(res.FailureStrategies)
		if *huntShrink > 0 {
			sr, err := scenarios.Shrink(ctx, sc, f.Seed, scenarios.ShrinkOptions{Budget: *huntShrink, Run: huntTableRun()})
			if err == nil && sr.Scenario != nil {
				r.shrunk = &shrunkSize{Size: sr.After, Complete: sr.Complete}
			}
		}
		return r
	}
}

// foundBy names the strategies the hunt labelled the catching run with
// (HuntResult.FailureStrategies, as faultline hunt prints them and
// hunt-summary.json records them), joined by "+": "swarm" alone when no
// other strategy applied.
func foundBy(ss []scenarios.Strategy) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, "+")
}

// stockBugs are the planted bugs of the stock kinds (the faultline
// binary's), leaving out this package's test fixtures.
func stockBugs() []scenarios.PlantedBug {
	var out []scenarios.PlantedBug
	for _, b := range scenarios.PlantedBugs() {
		if slices.ContainsFunc(stock.Nodes(), func(k scenarios.NodeKind) bool { return k.Name == b.Node }) {
			out = append(out, b)
		}
	}
	return out
}

// selectBugs keeps the bugs the -faultline.bugs filter names (a node
// kind, a bug, or kind/bug; all when empty).
func selectBugs(all []scenarios.PlantedBug, filter string) []scenarios.PlantedBug {
	if filter == "" {
		return all
	}
	var out []scenarios.PlantedBug
	for _, b := range all {
		for _, f := range strings.Split(filter, ",") {
			if f == b.Node || f == b.Bug || f == b.Node+"/"+b.Bug || (b.Workload != "" && f == b.Workload+"/"+b.Bug) {
				out = append(out, b)
				break
			}
		}
	}
	return out
}

func TestHuntTable(t *testing.T) {
	if !*long {
		t.Skip("minutes of CPU: run with -faultline.long")
	}
	bugs := selectBugs(stockBugs(), *bugsFlag)
	if len(bugs) == 0 {
		t.Fatalf("-faultline.bugs=%q names no planted bug", *bugsFlag)
	}
	type job struct{ bug, run int }
	results := make([][]huntRun, len(bugs))
	var jobs []job
	for i := range bugs {
		results[i] = make([]huntRun, *huntRuns)
		for k := range *huntRuns {
			jobs = append(jobs, job{i, k})
		}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	next := make(chan job)
	var mu sync.Mutex
	for range max(*huntParallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				r := huntBug(ctx, bugs[j.bug], uint64(j.run)*100_000+1)
				mu.Lock()
				results[j.bug][j.run] = r
				t.Logf("%s run %d: %s", bugs[j.bug], j.run+1, describeRun(r))
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()

	var b strings.Builder
	fmt.Fprintf(&b, "| bug (needs) | seeds to failure (median; runs) | time to failure (median) | shrunk faults / ops (runs) | signature | found by | control | seeds run (undecided) |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|\n")
	found, alarmed, ran, unknown := 0, 0, 0, 0
	for i, bg := range bugs {
		rs := results[i]
		for _, r := range rs {
			if r.err != nil {
				t.Errorf("%s: %v", bg, r.err)
			}
			ran += r.ran
			unknown += r.unknown
		}
		row := tableRow(bg, rs)
		b.WriteString(row + "\n")
		if slices.ContainsFunc(rs, func(r huntRun) bool { return r.caught != nil }) {
			found++
		}
		if slices.ContainsFunc(rs, func(r huntRun) bool { return len(r.alarms) > 0 }) {
			alarmed++
		}
	}
	fmt.Fprintf(&b, "\n%d of %d planted bugs caught in at least one run; %d with a false alarm (a failure the same seed shares without the bug); %d seeds run, %d undecided (%.1f%%).\n",
		found, len(bugs), alarmed, ran, unknown, 100*float64(unknown)/float64(max(ran, 1)))
	fmt.Fprintf(&b, "Settings: %d runs per bug (first seeds 1, 100001, ...), one worker each, %v per run", *huntRuns, *huntFor)
	if *huntSeeds > 0 {
		fmt.Fprintf(&b, " or %d seeds", *huntSeeds)
	}
	fmt.Fprintf(&b, ", shrink budget %v (* : stopped by it), %d hunts at once.\n", *huntShrink, max(*huntParallel, 1))
	t.Logf("\n%s", b.String())
	if *tableFlag != "" {
		if err := os.WriteFile(*tableFlag, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func describeRun(r huntRun) string {
	var s string
	switch {
	case r.err != nil:
		s = "error: " + r.err.Error()
	case r.caught == nil:
		s = fmt.Sprintf("not caught in %d seeds", r.ran)
	default:
		s = fmt.Sprintf("caught at seed %d (%d seeds, %v): %s; control %s", r.caught.Seed, r.seeds, r.elapsed.Round(time.Millisecond), scenarios.FailureSignature(r.caught), r.control)
		if sr := r.shrunk; sr != nil {
			s += fmt.Sprintf("; shrunk to %d faults / %d ops", sr.Faults, sr.Ops)
		}
	}
	for _, a := range r.alarms {
		s += fmt.Sprintf("; false alarm at seed %d (%s)", a.seed, a.signature)
	}
	return s
}

// tableRow renders one bug's runs: medians over the runs, a run that
// caught nothing ranking above every catch.
func tableRow(b scenarios.PlantedBug, rs []huntRun) string {
	name := b.String()
	if need := needText(b.Need); need != "" {
		name += " (" + need + ")"
	}
	var seeds, times []string
	var sortSeeds []uint64
	var sortTimes []time.Duration
	const never = ^uint64(0)
	var shrunk []string
	sigs := map[string]int{}
	by := map[string]int{}
	control := map[string]int{}
	var alarms []string
	ran, unknown := 0, 0
	for _, r := range rs {
		ran += r.ran
		unknown += r.unknown
		for _, a := range r.alarms {
			alarms = append(alarms, fmt.Sprintf("seed %d: %s", a.seed, a.signature))
		}
		if r.caught == nil {
			seeds, times = append(seeds, "–"), append(times, "–")
			sortSeeds, sortTimes = append(sortSeeds, never), append(sortTimes, time.Duration(1<<62))
			continue
		}
		seeds = append(seeds, fmt.Sprint(r.seeds))
		times = append(times, fmtDur(r.elapsed))
		sortSeeds, sortTimes = append(sortSeeds, r.seeds), append(sortTimes, r.elapsed)
		sigs[scenarios.FailureSignature(r.caught)]++
		by[r.foundBy]++
		control[controlText(r.control)]++
		switch sr := r.shrunk; {
		case sr == nil:
			shrunk = append(shrunk, "–")
		case !sr.Complete:
			shrunk = append(shrunk, fmt.Sprintf("%d / %d*", sr.Faults, sr.Ops))
		default:
			shrunk = append(shrunk, fmt.Sprintf("%d / %d", sr.Faults, sr.Ops))
		}
	}
	slices.Sort(sortSeeds)
	slices.Sort(sortTimes)
	med := "–"
	medTime := "–"
	if m := sortSeeds[len(sortSeeds)/2]; m != never {
		med = fmt.Sprintf("**%d**", m)
		medTime = fmtDur(sortTimes[len(sortTimes)/2])
	}
	controlCell := counted(control)
	if n := len(alarms); n > 0 {
		if controlCell != "" {
			controlCell += "; "
		}
		if len(alarms) > 3 {
			alarms = append(alarms[:3], "…")
		}
		controlCell += fmt.Sprintf("**false alarm** ×%d (%s)", n, strings.Join(alarms, "; "))
	}
	if controlCell == "" {
		controlCell = "–"
	}
	return fmt.Sprintf("| %s | %s (%s) | %s (%s) | %s | %s | %s | %s | %d (%d) |", name, med, strings.Join(seeds, " "), medTime, strings.Join(times, ", "),
		orDash(strings.Join(shrunk, ", ")), orDash(counted(sigs)), orDash(counted(by)), controlCell, ran, unknown)
}

// needText renders a BugNeed for the table.
func needText(n scenarios.BugNeed) string {
	var parts []string
	if n.Params != "" {
		parts = append(parts, n.Params)
	}
	if n.Workload != "" {
		parts = append(parts, "workload "+n.Workload)
	}
	if n.WorkloadParams != "" {
		parts = append(parts, "workload "+n.WorkloadParams)
	}
	if n.Size > 0 {
		parts = append(parts, fmt.Sprintf("size %d", n.Size))
	}
	return strings.Join(parts, ", ")
}

// counted renders "a ×2, b" sorted by count then name.
func counted(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m { //faultline:orderless sorted below
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys {
		if m[k] > 1 {
			parts = append(parts, fmt.Sprintf("%s ×%d", k, m[k]))
		} else {
			parts = append(parts, k)
		}
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func fmtDur(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// Every planted bug of every registered kind has a generic hunt that
// loads: its need (BugNeed) is well formed, names a bug the kind has, and
// the bug's hunt and its control are valid scenarios.
func TestPlantedBugsHaveHunts(t *testing.T) {
	bugs := scenarios.PlantedBugs()
	byKind := map[string]int{}
	for _, b := range bugs {
		byKind[b.Node]++
		for _, planted := range []bool{true, false} {
			sc, err := scenarios.HuntBugScenario(b, planted)
			if err != nil {
				t.Errorf("%s (planted %t): %v", b, planted, err)
				continue
			}
			has := slices.ContainsFunc(append(sc.Cluster.Params, sc.Workload.Params...), func(p scenarios.Param) bool {
				return p.Key == "bugs" && p.Value == b.Bug
			})
			if has != planted {
				t.Errorf("%s (planted %t): scenario has the bug: %t", b, planted, has)
			}
		}
	}
	for _, nk := range scenarios.NodeKinds() {
		for bug := range nk.BugNeeds { //faultline:orderless each checked on its own
			if !slices.ContainsFunc(bugs, func(b scenarios.PlantedBug) bool {
				return b.Node == nk.Name && (b.Workload == "" && b.Bug == bug || b.Workload != "" && b.Workload+"/"+b.Bug == bug)
			}) {
				t.Errorf("%s: BugNeeds names %q, which is none of its planted bugs", nk.Name, bug)
			}
		}
	}
	// The stock kinds with planted bugs are all covered.
	for _, kind := range []string{"abd", "causal", "crdt", "dynamo", "etcdraft", "multileader", "paxos", "pb", "queue", "raftkv", "saga", "service", "shardkv", "swim", "twopc"} {
		if byKind[kind] == 0 {
			t.Errorf("no planted bug listed for %s", kind)
		}
	}
}

// controlText is a catch's control as the table shows it.
func controlText(s scenarios.Status) string {
	if s == scenarios.StatusValid {
		return "passes"
	}
	return string(s) + " (undecided)"
}

// A scenario that lists no checks — every generated hunt — is judged as
// its kind declares: the kind's promise, the default checks, and the
// kind's own checks that can judge its workload (a queue by its delivery
// checks, a bank by its money checks), measurements and checks above the
// promise left out.
func TestHuntJudgement(t *testing.T) {
	for _, nk := range stock.Nodes() {
		sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: nk.Name})
		if err != nil {
			t.Fatal(err)
		}
		r, err := sc.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-12s %-10s promise %-12s checks %v", nk.Name, r.Workload.Kind, r.Promise, r.Check)
		if r.Promise != nk.Promise {
			t.Errorf("%s: hunt promises %q, the kind %q", nk.Name, r.Promise, nk.Promise)
		}
		wk, _ := scenarios.LookupWorkload(r.Workload.Kind)
		for _, ck := range nk.Checks {
			can := ck.Supported == nil || ck.Supported(&nk, &wk) == ""
			promised := nk.Promise == scenarios.PromiseAll || ck.Level <= nk.Promise
			if has, want := slices.Contains(r.Check, ck.Name), can && promised && !ck.Measure; has != want {
				t.Errorf("%s: hunt runs %s: %t, want %t (supported %t, promised %t, measure %t)", nk.Name, ck.Name, has, want, can, promised, ck.Measure)
			}
		}
		for _, name := range nk.DefaultChecks {
			if !slices.Contains(r.Check, name) {
				t.Errorf("%s: hunt does not run %s, a default check the kind names", nk.Name, name)
			}
		}
	}
}

// The green half of the hunt table: the correct protocols, hunted the
// same way (each kind's generic hunt, and the control of every distinct
// BugNeed its bugs declare). Every failure is a bug of the protocol or of
// its checks; the hunt goes on past it to count them.
//
//	go test ./scenarios -run TestHuntCorrect -faultline.long -faultline.hunt-for=3m -faultline.hunt-workers=2 -v -timeout 0
//	go test ./scenarios -run TestHuntCorrect -faultline.long -faultline.bugs=raftkv -faultline.hunt-for=30m -faultline.hunt-workers=2 -v -timeout 0
var huntWorkers = flag.Int("faultline.hunt-workers", 2, "correct-protocol hunts: workers per hunt")

func TestHuntCorrect(t *testing.T) {
	if !*long {
		t.Skip("minutes of CPU: run with -faultline.long")
	}
	type config struct {
		name string
		bug  scenarios.PlantedBug // its Need configures the control
	}
	var configs []config
	seen := map[string]bool{}
	for _, nk := range stock.Nodes() {
		if *bugsFlag != "" && !slices.Contains(strings.Split(*bugsFlag, ","), nk.Name) {
			continue
		}
		add := func(b scenarios.PlantedBug) {
			key := b.Node + " " + needText(b.Need)
			if !seen[key] {
				seen[key] = true
				configs = append(configs, config{name: strings.TrimSpace(key), bug: b})
			}
		}
		add(scenarios.PlantedBug{Node: nk.Name})
		for _, b := range scenarios.PlantedBugs() {
			if b.Node == nk.Name {
				add(b)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| correct protocol (config) | seeds | seeds/s | failures (first seeds) | undecided |\n|---|---|---|---|---|\n")
	for _, c := range configs {
		sc, err := scenarios.HuntBugScenario(c.bug, false)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		start, from := time.Now(), uint64(1)
		seeds, unknown := 0, 0
		var fails []string
		for {
			left := *huntFor - time.Since(start)
			if left <= 0 {
				break
			}
			res, err := scenarios.Hunt(context.Background(), sc, scenarios.HuntOptions{
				First: from, For: left, Workers: *huntWorkers, Run: huntTableRun(), ShrinkBudget: -1, Seeds: *huntSeeds,
			})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			seeds += res.Summary.Seeds
			unknown += res.Summary.Counts[scenarios.StatusUnknown]
			if res.Failure == nil {
				break
			}
			fails = append(fails, fmt.Sprintf("%d: %s", res.Failure.Seed, scenarios.FailureSignature(res.Failure)))
			t.Logf("%s: seed %d fails: %s — %s", c.name, res.Failure.Seed, res.Failure.Status, res.Failure.Reason)
			from = res.Failure.Seed + 1
		}
		el := time.Since(start)
		failCell := "**0**"
		if n := len(fails); n > 0 {
			if n > 3 {
				fails = append(fails[:3], "…")
			}
			failCell = fmt.Sprintf("**%d** (%s)", n, strings.Join(fails, "; "))
		}
		row := fmt.Sprintf("| %s | %d | %.0f | %s | %d (%.1f%%) |", c.name, seeds, float64(seeds)/el.Seconds(), failCell, unknown, 100*float64(unknown)/float64(max(seeds, 1)))
		t.Log(row)
		b.WriteString(row + "\n")
	}
	fmt.Fprintf(&b, "\nSettings: %v per configuration, %d workers, seeds from 1.\n", *huntFor, *huntWorkers)
	t.Logf("\n%s", b.String())
	if *tableFlag != "" {
		if err := os.WriteFile(*tableFlag, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
