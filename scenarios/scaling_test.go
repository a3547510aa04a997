package scenarios_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

var scalingSeeds = flag.Int("faultline.scaling-seeds", 3, "seeds per row of the scaling table")

// scalingRow is one configuration of the scaling table: the reference
// load (Raft KV, links 0.05–1 ms, 10 keys, no faults) with one axis moved.
type scalingRow struct {
	axis           string
	nodes, clients int
	duration       time.Duration
}

func scalingRows() []scalingRow {
	var rows []scalingRow
	for _, n := range []int{3, 5, 7, 11, 21, 31} {
		rows = append(rows, scalingRow{"nodes", n, 5, 2 * time.Second})
	}
	for _, c := range []int{1, 5, 10, 20, 50} {
		rows = append(rows, scalingRow{"clients", 5, c, 2 * time.Second})
	}
	// 50 clients on 10 keys for 10 s: ref50 (issue 18), ≈ 250,000
	// operations, 13–17 pending at once on a key.
	rows = append(rows, scalingRow{"clients", 5, 50, 10 * time.Second})
	for _, d := range []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second} {
		rows = append(rows, scalingRow{"duration", 5, 5, d})
	}
	return rows
}

// TestScalingTable measures how the cost of a seed grows with the cluster,
// the clients and the run: trace events per client operation, time
// dilation per core (virtual ÷ the simulation's CPU time), seeds per
// second per core (simulation and check), the linearizability check's
// CPU time, and the share of seeds whose check is Unknown (the default
// step budget). It prints the table (and writes it with
// -faultline.table). Behind -faultline.long; minutes of CPU:
//
//	go test ./scenarios -run TestScalingTable -faultline.long -v -timeout 60m -faultline.table=scaling.md
func TestScalingTable(t *testing.T) {
	if !*long {
		t.Skip("a measurement: run with -faultline.long")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| axis | nodes | clients | duration | ops/seed | events/op | cpu-dilation | seeds/s/core | check ms | unknown |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range scalingRows() {
		sc := &scenarios.Scenario{
			Name:     fmt.Sprintf("scaling-%s", r.axis),
			Cluster:  scenarios.Cluster{Node: "raftkv", Size: r.nodes},
			Network:  scenarios.Network{Latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)},
			Workload: scenarios.Workload{Kind: "kv", Clients: r.clients, Keys: 10},
			Run:      scenarios.RunSpec{Duration: r.duration, Heal: time.Millisecond},
			Check:    []string{},
		}
		if err := sc.Validate(); err != nil {
			t.Fatal(err)
		}
		var ops, events int
		var virtual, simCPU, checkCPU time.Duration
		unknown := 0
		for s := 1; s <= *scalingSeeds; s++ {
			c0 := processCPU()
			o := scenarios.RunSeed(sc, uint64(s), scenarios.RunOptions{})
			c1 := processCPU()
			if o.Failed() || o.History == nil {
				t.Fatalf("%+v seed %d: %s %s", r, s, o.Status, o.Reason)
			}
			res := checker.Linearizable(checker.KVModel()).Check(o.History, checker.Options{Budget: 10 * time.Minute})
			c2 := processCPU()
			if res.Verdict == checker.Unknown {
				unknown++
			} else if res.Verdict != checker.Valid {
				t.Fatalf("%+v seed %d: %v\n%s", r, s, res.Verdict, res.Explanation)
			}
			ops += o.Ops
			events += int(o.Events)
			virtual += o.Virtual
			simCPU += c1 - c0
			checkCPU += c2 - c1
		}
		n := *scalingSeeds
		fmt.Fprintf(&b, "| %s | %d | %d | %v | %d | %.1f | %.1f× | %.2f | %.0f | %d/%d |\n",
			r.axis, r.nodes, r.clients, r.duration, ops/n, float64(events)/float64(max(ops, 1)),
			virtual.Seconds()/simCPU.Seconds(), float64(n)/(simCPU+checkCPU).Seconds(),
			checkCPU.Seconds()*1e3/float64(n), unknown, n)
		t.Logf("%+v done", r)
	}
	t.Logf("\n%s", b.String())
	if *tableFlag != "" {
		if err := os.WriteFile(*tableFlag, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
