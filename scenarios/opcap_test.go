package scenarios_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/scenarios"
)

// TestOpsPerClient: every stock workload kind honours workload.ops_per_client.
// Uncapped, some client of the row issues more than the cap of the
// operations its mix weighs in the safety phase; capped, none issues more
// and at least one issues exactly that many. The liveness phase (probes,
// final reads, after the run's duration) is not counted: the cap leaves it
// alone; a kind's own cap (kv's max_ops) still applies, the smaller
// winning. The queue caps its producers' sends (its consumers consume what
// was sent); the requests workload its clients' requests.
func TestOpsPerClient(t *testing.T) {
	const cap = 5
	rows := []struct {
		name     string
		yaml     string // a workload line with %s where the cap goes
		counted  []nodes.OpKind
		maxCount int // clients that must reach the cap exactly (0: at least one)
	}{
		{"kv", "cluster: {node: raftkv, size: 3}\nworkload: {kind: kv, clients: 3, keys: 2%s}",
			[]nodes.OpKind{nodes.OpGet, nodes.OpPut, nodes.OpAppend, nodes.OpCAS}, 3},
		{"kv with max_ops", "cluster: {node: raftkv, size: 3}\nworkload: {kind: kv, clients: 2, keys: 2, max_ops: 8%s}",
			[]nodes.OpKind{nodes.OpGet, nodes.OpPut, nodes.OpAppend, nodes.OpCAS}, 0},
		{"register", "cluster: {node: raftkv, size: 3}\nworkload: {kind: register, clients: 2%s}",
			[]nodes.OpKind{nodes.OpRead, nodes.OpWrite, nodes.OpCAS}, 2},
		{"kv open loop", "cluster: {node: paxos, size: 3}\nworkload: {kind: kv, clients: 2, keys: 2, rate: 50/s%s}",
			[]nodes.OpKind{nodes.OpGet, nodes.OpPut, nodes.OpAppend, nodes.OpCAS}, 2},
		{"bank (twopc)", "cluster: {node: twopc, size: 3}\nworkload: {kind: bank, clients: 2, accounts: 6, initial: 100%s}",
			[]nodes.OpKind{"transfer", nodes.OpRead}, 2},
		{"bank (saga)", "cluster: {node: saga, size: 3}\nworkload: {kind: bank, clients: 2, accounts: 6, initial: 100%s}",
			[]nodes.OpKind{"transfer", nodes.OpRead}, 2},
		{"queue", "cluster: {node: queue, size: 3}\nworkload: {kind: queue, clients: 4, producers: 2, groups: 1, idempotent_groups: 0%s}",
			[]nodes.OpKind{"send"}, 2},
		{"membership", "cluster: {node: swim, size: 3}\nworkload: {kind: membership, clients: 2, interval: 100ms%s}",
			[]nodes.OpKind{"view"}, 2},
		{"requests", "cluster: {node: service, size: 3}\nworkload: {kind: requests, clients: 2, rate: 50/s%s}",
			[]nodes.OpKind{"request"}, 2},
		{"counter", "cluster: {node: crdt, size: 3, params: {type: pncounter}}\nworkload: {kind: counter, clients: 2%s}",
			[]nodes.OpKind{"add", nodes.OpRead}, 2},
		{"set", "cluster: {node: crdt, size: 3, params: {type: orset}}\nworkload: {kind: set, clients: 2%s}",
			[]nodes.OpKind{"add", "remove", nodes.OpRead}, 2},
	}
	for _, r := range rows {
		t.Run(strings.ReplaceAll(r.name, " ", "-"), func(t *testing.T) {
			counts := func(extra string) map[nodes.ID]int {
				text := "name: opcap\nnetwork: {latency: uniform(1ms, 3ms)}\n" + fmt.Sprintf(r.yaml, extra) + "\nrun: {duration: 2s, heal: 1s}\n"
				sc, err := scenarios.Parse("opcap.yaml", []byte(text))
				if err != nil {
					t.Fatal(err)
				}
				o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{})
				if o.History == nil {
					t.Fatalf("no history: %s %s", o.Status, o.Reason)
				}
				n := map[nodes.ID]int{}
				for _, op := range o.History.Ops {
					if op.Invoke < sc.Run.Duration && slices.Contains(r.counted, op.Kind) {
						n[op.Client]++
					}
				}
				return n
			}
			most := func(n map[nodes.ID]int) (m, at int) {
				for _, c := range n {
					if c > m {
						m, at = c, 0
					}
					if c == m {
						at++
					}
				}
				return m, at
			}
			if m, _ := most(counts("")); m <= cap {
				t.Fatalf("uncapped, the busiest client issued %d operations: the row cannot show a cap of %d", m, cap)
			}
			capped := counts(fmt.Sprintf(", ops_per_client: %d", cap))
			m, at := most(capped)
			if m != cap {
				t.Errorf("ops_per_client: %d: the busiest client issued %d operations (%v)", cap, m, capped)
			}
			if r.maxCount > 0 && at != r.maxCount {
				t.Errorf("ops_per_client: %d: %d clients reached it, want %d (%v)", cap, at, r.maxCount, capped)
			}
		})
	}
}
