package scenarios_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// An error wrapped with a context names its package once and its context
// once, whatever path it took: the hunt's generated scenario (its
// parameters named by field, not by a line of a file nobody sees), a
// planted bug's hunt, a seed's schedule and world, a scenario file
// (file:line:col: field, exact).
func TestErrorContexts(t *testing.T) {
	err := func(_ any, err error) error { return err }
	raftkv := func(params string) error {
		ps, e := scenarios.ParseParams(params)
		if e != nil {
			return e
		}
		return err(scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv", Params: ps}))
	}
	bad := func(mut func(*scenarios.Scenario)) error {
		sc, e := scenarios.Parse("ok.yaml", []byte("name: ok\ncluster: {node: raftkv, size: 3}\n"))
		if e != nil {
			return e
		}
		sc = sc.Clone()
		mut(sc)
		return err(scenarios.Schedule(sc, 1))
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"hunt: unknown kind", err(scenarios.HuntScenario(scenarios.HuntSpec{Node: "nope"})),
			`scenarios: hunt: unknown node kind "nope" (want one of: `},
		{"hunt: a bad parameter value", raftkv("bugs=nope"),
			`scenarios: hunt raftkv/kv: cluster.params.bugs: unknown value "nope" (want: `},
		{"hunt: a parameter out of its choices", raftkv("read_mode=bogus"),
			`scenarios: hunt raftkv/kv: cluster.params.read_mode: want one of readindex, log, lease, got "bogus"`},
		{"hunt: a parameter for another workload", err(scenarios.HuntScenario(scenarios.HuntSpec{Node: "crdt", Workload: "set"})),
			`scenarios: hunt crdt/set: cluster.params.type: type pncounter serves the counter workload, not set`},
		{"params: not key=value", raftkv("bugs"),
			`scenarios: params "bugs": want key=value pairs separated by commas, such as bugs=no-sessions,read_mode=lease`},
		{"planted bug: its hunt", err(scenarios.HuntBugScenario(scenarios.PlantedBug{Node: "raftkv", Bug: "nope"}, true)),
			`scenarios: raftkv nope: hunt raftkv/kv: cluster.params.bugs: unknown value "nope" (want: `},
		{"planted bug: its need", err(scenarios.HuntBugScenario(scenarios.PlantedBug{Node: "raftkv", Bug: "no-sessions", Need: scenarios.BugNeed{Params: "x"}}, true)),
			`scenarios: raftkv no-sessions: BugNeed.Params: params "x": want key=value pairs`},
		{"schedule: a generated kind", bad(func(sc *scenarios.Scenario) {
			sc.Nemesis.Generate = &scenarios.Generate{Faults: []string{"bogus"}, Interval: scenarios.Range{Min: time.Second, Max: time.Second}, Duration: scenarios.Range{Min: time.Second, Max: time.Second}}
		}), `scenarios: ok: nemesis.generate: unknown fault kind "bogus" (want one of `},
		{"schedule: a scripted fault", bad(func(sc *scenarios.Scenario) {
			sc.Nemesis.Script = []scenarios.Step{{At: time.Second, Fault: "bogus n1"}}
		}), `scenarios: scenario: nemesis.script[0].fault: fault "bogus n1": unknown kind "bogus" (want one of `},
		{"file: a script fault", err(scenarios.Parse("s.yaml", []byte("cluster: {node: raftkv, size: 3}\nnemesis:\n  script:\n    - {at: 1s, fault: \"isolate n9\"}\n"))),
			`scenarios: s.yaml:4:7: nemesis.script[0].fault: fault "isolate n9": target n9 is out of range (servers n1..n3)`},
		{"file: a generated kind", err(scenarios.Parse("g.yaml", []byte("cluster: {node: raftkv, size: 3}\nnemesis:\n  generate:\n    faults: [bogus]\n"))),
			`scenarios: g.yaml:4:14: nemesis.generate.faults[0]: unknown or instantaneous fault kind "bogus"`},
		{"load: no file", err(scenarios.LoadFile("/nonexistent/x.yaml")),
			`scenarios: open /nonexistent/x.yaml: no such file or directory`},
		{"corpus: an entry that does not load", badCorpus(t),
			`scenarios: corpus: ` + corpusEntry + `: not valid YAML: `},
	} {
		if c.err == nil {
			t.Errorf("%s: no error, want %q", c.name, c.want)
			continue
		}
		msg := c.err.Error()
		if !strings.HasPrefix(msg, c.want) {
			t.Errorf("%s:\ngot  %s\nwant %s…", c.name, msg, c.want)
		}
		for _, p := range []string{"scenarios: ", "nemesis: "} {
			if strings.Count(msg, p) > 1 || p == "nemesis: " && strings.Contains(msg, p) {
				t.Errorf("%s: %q names its package more than once", c.name, msg)
			}
		}
	}
}

const corpusEntry = "seed-7-0123456789ab.yaml"

// badCorpus opens a corpus whose one entry is not YAML.
func badCorpus(t *testing.T) error {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, corpusEntry), []byte("\t:"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.HuntScenario(scenarios.HuntSpec{Node: "raftkv"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = scenarios.OpenCorpus(dir, sc)
	if err != nil {
		err = errors.New(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""))
	}
	return err
}
