package scenarios_test

import (
	"context"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// lossy is an Executor whose workers run seeds in process but lose the
// even ones (as a worker process that crashed would) while lose is set.
type lossy struct{ lose bool }

func (e *lossy) Start(sc *scenarios.Scenario, opts scenarios.SweepOptions) (scenarios.SeedWorker, error) {
	return &lossyWorker{e, sc, opts}, nil
}

type lossyWorker struct {
	e    *lossy
	sc   *scenarios.Scenario
	opts scenarios.SweepOptions
}

func (w *lossyWorker) Run(seed uint64) scenarios.Outcome {
	if w.e.lose && seed%2 == 0 {
		return scenarios.Outcome{Seed: seed, Status: scenarios.StatusCrash, Reason: "lost", Output: "fatal error: test"}
	}
	return scenarios.SweepSeed(w.sc, seed, w.opts)
}

func (w *lossyWorker) Close() error { return nil }

func TestSweepExecutorAndRetryCrashed(t *testing.T) {
	sc, err := scenarios.LoadFile("testdata/quick.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ex := &lossy{lose: true}
	sweep := func(retry bool) *scenarios.Summary {
		t.Helper()
		sum, err := scenarios.Sweep(context.Background(), sc, scenarios.SweepOptions{First: 1, Last: 4, Workers: 2, Out: dir, Executor: ex, RetryCrashed: retry})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	for _, step := range []struct {
		name             string
		lose, retry      bool
		resumed, crashed int
		worst            scenarios.Status
	}{
		{"first sweep loses seeds 2 and 4", true, false, 0, 2, scenarios.StatusCrash},
		{"a resume keeps the recorded crashes", false, false, 4, 2, scenarios.StatusCrash},
		{"--retry-crashed runs them again", false, true, 2, 0, scenarios.StatusValid},
		{"a later resume reads each seed's last line", true, false, 4, 0, scenarios.StatusValid},
	} {
		ex.lose = step.lose
		sum := sweep(step.retry)
		if sum.Seeds != 4 || sum.Resumed != step.resumed || sum.Counts[scenarios.StatusCrash] != step.crashed || sum.Worst() != step.worst {
			t.Errorf("%s: %d seeds, %d resumed, %d crashed, worst %s; want 4, %d, %d, %s",
				step.name, sum.Seeds, sum.Resumed, sum.Counts[scenarios.StatusCrash], sum.Worst(), step.resumed, step.crashed, step.worst)
		}
	}
}

func TestLostStatuses(t *testing.T) {
	for _, tc := range []struct {
		s    scenarios.Status
		lost bool
		code int
	}{
		{scenarios.StatusTimeout, true, scenarios.ExitTimeout},
		{scenarios.StatusOOM, true, scenarios.ExitOOM},
		{scenarios.StatusCrash, true, scenarios.ExitSeedCrash},
		{scenarios.StatusPanic, false, scenarios.ExitPanic},
		{scenarios.StatusValid, false, scenarios.ExitValid},
	} {
		if tc.s.Lost() != tc.lost || tc.s.ExitCode() != tc.code {
			t.Errorf("%s: Lost %v, exit %d; want %v, %d", tc.s, tc.s.Lost(), tc.s.ExitCode(), tc.lost, tc.code)
		}
		if got, err := scenarios.ParseStatus(string(tc.s)); err != nil || got != tc.s {
			t.Errorf("ParseStatus(%q) = %q, %v", tc.s, got, err)
		}
	}
	if scenarios.Worse(scenarios.StatusInvalid, scenarios.StatusCrash) != scenarios.StatusCrash {
		t.Error("a crash is not worse than a violation")
	}
}
