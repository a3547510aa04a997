package shardkvkind_test

import (
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/nodes/shardkv/shardkvkind"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
	"github.com/faultline/faultline/scenarios/nodetest"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(shardkvkind.Kind())
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	os.Exit(m.Run())
}

const lib = "../../../scenarios/"

// TestContract runs Faultline's conformance suite over the kind, on the
// smallest layout nodetest uses (a 3-server controller and three groups
// of one), with shards moving between the groups.
func TestContract(t *testing.T) {
	nodetest.Run(t, shardkvkind.Kind(), nodetest.Options{Seeds: 2, Params: []scenarios.Param{
		{Key: "group_size", Value: "1"},
		{Key: "schedule", Value: "join 1 2; join 3; leave 1"},
		{Key: "schedule_gap", Value: "300ms"},
	}})
}

// TestLibrary: the library scenarios are linearizable, keep one owner per
// shard and configuration, and recover after the heal; the determinism
// double-run covers the first seed of each.
func TestLibrary(t *testing.T) {
	for _, c := range []struct {
		name  string
		seeds int
	}{
		{"shardkv-basic.yaml", 2},
		{"shardkv-full.yaml", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			faultlinetest.Run(t, faultlinetest.Load(t, lib+c.name), faultlinetest.Seeds(c.seeds), faultlinetest.Parallel())
		})
	}
}

// TestBugsCaught: each planted bug's scenario goes red from a seed known
// to catch it, and the same scenario without the bug stays green there.
func TestBugsCaught(t *testing.T) {
	for _, c := range []struct {
		bug   string
		first uint64
	}{
		{shardkvkind.BugServeBeforeData, 1},
		{shardkvkind.BugNoSessionMove, 3},
		{shardkvkind.BugConfigOutOfOrder, 7},
	} {
		t.Run(c.bug, func(t *testing.T) {
			sc := faultlinetest.Load(t, lib+"bugs/shardkv-"+c.bug+".yaml")
			faultlinetest.Run(t, sc, faultlinetest.FirstSeed(c.first), faultlinetest.Seeds(2), faultlinetest.NoDeterminismCheck(),
				faultlinetest.StopAtFirstFailure(),
				faultlinetest.ExpectFailure(faultlinetest.Status(scenarios.StatusInvalid), faultlinetest.Check(scenarios.CheckLinearizable)))
			ctl := sc.Clone()
			ctl.Name += "-control"
			var ps []scenarios.Param
			for _, p := range ctl.Cluster.Params {
				if p.Key != "bugs" {
					ps = append(ps, p)
				}
			}
			ctl.Cluster.Params = ps
			faultlinetest.Run(t, ctl, faultlinetest.FirstSeed(c.first), faultlinetest.Seeds(2), faultlinetest.NoDeterminismCheck(), faultlinetest.Parallel())
		})
	}
}

// TestParamErrors: a bad parameter is a load error naming it; a layout
// that does not fit the cluster size fails to build, naming the field.
func TestParamErrors(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{`{schedule: "join 1; move 2"}`, `schedule: schedule event "move 2": want join or leave`},
		{`{schedule: "join 1; leave 1"}`, "no group would be left"},
		{`{schedule: "join 1; join 1"}`, "group 1 has already joined"},
		{`{groups: 2, schedule: "join 3"}`, "no group 3"},
		{`{groups: -1}`, "groups"},
		{`{bugs: serve-early}`, "serve-early"},
		{`{election_timeout: 300ms..150ms}`, "election_timeout"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: shardkv, size: 12, params: "+c.params+"}\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %s: got error %v, want one containing %q", c.params, err, c.want)
		}
	}
	for _, c := range []struct {
		size   int
		params string
		want   string
	}{
		{10, "{}", "group_size: cluster.size 10 less ctrl_size 3 is not a whole number of groups of 3"},
		{12, "{groups: 2}", "groups: ctrl_size 3 + groups 2 × group_size 3 is 9 servers; cluster.size is 12"},
		{12, `{schedule: "join 4"}`, "no group 4 (there are 3)"},
	} {
		sc, err := scenarios.Parse("bad.yaml", []byte("cluster: {node: shardkv, size: "+itoa(c.size)+", params: "+c.params+"}\n"))
		if err == nil {
			_, err = scenarios.Build(sc, 1, scenarios.RunOptions{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("size %d, params %s: got error %v, want one containing %q", c.size, c.params, err, c.want)
		}
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// status is a group server as the one-owner check sees it.
type status struct {
	group, num int
	serving    []int
}

func (s *status) Group() int                       { return s.group }
func (s *status) Status() (num int, serving []int) { return s.num, s.serving }

// TestOneOwner: the invariant fails at the first server of a second group
// serving a shard in a configuration where another group served it, and
// names both; a handoff across configurations passes.
func TestOneOwner(t *testing.T) {
	for _, c := range []struct {
		name  string
		steps []status // on servers n4, n5, ... in order
		want  string
	}{
		{"handoff", []status{{1, 2, []int{0, 1}}, {2, 2, []int{2}}, {1, 3, []int{0}}, {2, 3, []int{1, 2}}}, ""},
		{"followers of one group agree", []status{{1, 2, []int{0}}, {1, 2, []int{0}}, {1, 2, []int{0, 3}}}, ""},
		{"two groups in one configuration", []status{{1, 2, []int{0, 1}}, {2, 3, []int{1}}, {2, 2, []int{1}}},
			"shard 1 served by two groups in configuration 2: group 1 (n4) and group 2 (n6)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cur := map[nodes.ID]*status{}
			inv := shardkvkind.NewOneOwner(func(id nodes.ID) shardkvkind.StatusSource {
				if s, ok := cur[id]; ok {
					return s
				}
				return nil
			})
			var err error
			for i := range c.steps {
				id := nodes.NodeID(4 + i)
				cur[id] = &c.steps[i]
				if err = inv.Check(id); err != nil {
					break
				}
			}
			if inv.Check(nodes.NodeID(99)) != nil {
				t.Error("a server that is down failed the check")
			}
			switch {
			case c.want == "" && err != nil:
				t.Errorf("got %v, want no violation", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

// settle is a group server as the reconfigured check sees it.
type settle struct {
	group, num, last int
	transit          []string
}

func (s *settle) Group() int                                 { return s.group }
func (s *settle) Settled() (num, last int, transit []string) { return s.num, s.last, s.transit }

// TestReconfigured: the check fails naming every server that did not
// finish the schedule (behind, or with shards in transit), passes when all
// live ones did, and is Unknown with none to judge.
func TestReconfigured(t *testing.T) {
	for _, c := range []struct {
		name    string
		servers map[nodes.ID]*settle
		verdict checker.Verdict
		want    string
	}{
		{"finished", map[nodes.ID]*settle{4: {1, 5, 5, nil}, 5: {1, 5, 5, nil}, 7: {2, 5, 5, nil}}, checker.Valid, ""},
		{"down servers are not judged", map[nodes.ID]*settle{4: {1, 5, 5, nil}}, checker.Valid, ""},
		{"behind and in transit", map[nodes.ID]*settle{4: {1, 5, 5, nil}, 5: {1, 3, 5, nil}, 7: {2, 5, 5, []string{"4 pulling"}}}, checker.Invalid,
			"n5 (group 1) is at configuration 3 of 5; n7 (group 2) has shards in transit in configuration 5: 4 pulling"},
		{"nobody up", nil, checker.Unknown, "no live group server"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := shardkvkind.Reconfigured([]nodes.ID{4, 5, 6, 7}, func(id nodes.ID) shardkvkind.SettleSource {
				if s, ok := c.servers[id]; ok {
					return s
				}
				return nil
			})
			if r.Verdict != c.verdict || !strings.Contains(r.Explanation, c.want) {
				t.Errorf("got %v %q, want %v with %q", r.Verdict, r.Explanation, c.verdict, c.want)
			}
		})
	}
}
