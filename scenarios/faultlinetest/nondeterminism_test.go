package faultlinetest_test

import (
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/scenarios/faultlinetest"
)

// Node kinds that break determinism as node code does by mistake: raftkv
// whose heartbeat interval each world takes from the wall clock or from
// the global math/rand (up to a millisecond more, in nanoseconds, so two
// runs all but never agree). Every seed passes; only the double run can
// tell. (stock.Register, which registers raftkv, runs in the init of
// faultlinetest_test.go, the file before this one.)
var nondeterministicKinds = []struct {
	name, help string
	jitter     func() time.Duration
}{
	{"faultlinetest-wallclock", "raftkv whose heartbeat depends on the wall clock (a nondeterminism fixture)",
		func() time.Duration { return time.Duration(time.Now().UnixNano() % 1e6) }},
	{"faultlinetest-globalrand", "raftkv whose heartbeat depends on the global math/rand (a nondeterminism fixture)",
		func() time.Duration { return time.Duration(rand.IntN(1e6)) }},
}

func init() {
	raft, ok := scenarios.LookupNode("raftkv")
	if !ok {
		panic("no raftkv node kind")
	}
	for _, nk := range nondeterministicKinds {
		k := raft
		k.Name, k.Help = nk.name, nk.help
		k.Build = func(p scenarios.Params, size int) (*scenarios.Protocol, error) {
			proto, err := raft.Build(p, size)
			if err != nil {
				return nil, err
			}
			proto.Factory = raftkv.New(raftkv.Config{HeartbeatInterval: 50*time.Millisecond + nk.jitter()})
			return proto, nil
		}
		scenarios.RegisterNode(k)
	}
}

func TestFixtureWallClock(t *testing.T) {
	fixture(t)
	sc := load(t, quickFile)
	sc.Cluster.Node = "faultlinetest-wallclock"
	faultlinetest.Run(t, sc, faultlinetest.Seeds(1))
}

func TestFixtureGlobalRand(t *testing.T) {
	fixture(t)
	sc := load(t, quickFile)
	sc.Cluster.Node = "faultlinetest-globalrand"
	faultlinetest.Run(t, sc, faultlinetest.Seeds(1))
}

// The default double run flags a kind that reads the wall clock or the
// global rand, naming the first event where the runs part, while the
// seed itself passes.
func TestDeterminismCheckFlagsNondeterministicKinds(t *testing.T) {
	for _, fx := range []string{"TestFixtureWallClock", "TestFixtureGlobalRand"} {
		t.Run(fx, func(t *testing.T) {
			out, pass := runFixture(t, fx)
			if pass {
				t.Errorf("fixture passed")
			}
			for _, w := range []string{
				`--- FAIL: ` + fx + `/determinism`,
				`sim: seed 1 is not deterministic: runs diverge at event \d+`,
				`  first:  .*`,
				`  second: .*`,
				`reproduce: ` + regexp.QuoteMeta(sharedRepro+`'^`+fx+`$/^determinism$' -faultline.seed=1`),
				`--- PASS: ` + fx + `/seed-1`,
			} {
				if !regexp.MustCompile(`(?m)` + w).MatchString(out) {
					t.Errorf("output lacks %s", w)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}
