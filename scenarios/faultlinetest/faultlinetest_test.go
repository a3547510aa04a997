package faultlinetest_test

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
)

// An ordinary go test over seeds: each seed is a subtest, and passing
// seeds report valid outcomes.
func TestRunOverSeeds(t *testing.T) {
	sc, err := scenarios.LoadFile("../testdata/quick.yaml")
	if err != nil {
		t.Fatal(err)
	}
	outs := faultlinetest.Run(t, sc, faultlinetest.Seeds(3), faultlinetest.FirstSeed(10))
	if len(outs) != 3 || outs[0].Seed != 10 || outs[2].Seed != 12 {
		t.Fatalf("ran %d seeds: %+v", len(outs), outs)
	}
	for _, o := range outs {
		if o.Status != scenarios.StatusValid || o.Hash == "" {
			t.Fatalf("seed %d: %s %s", o.Seed, o.Status, o.Reason)
		}
	}
}

func TestReproLine(t *testing.T) {
	got := faultlinetest.ReproLine("TestRaft/seed-17", 17)
	want := "go test -run '^TestRaft$/^seed-17$' -faultline.seed=17 ./scenarios/faultlinetest"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if !strings.Contains(got, "-faultline.seed=17") {
		t.Fatal(got)
	}
}
