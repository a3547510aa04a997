package scenarios_test

import (
	"fmt"

	"github.com/faultline/faultline/scenarios"
)

// A scenario names its protocol and workload kinds (registered by the
// binary or the test: here by this package's test init), and each seed's
// run is judged by the checks it lists.
func ExampleRunSeed() {
	sc, err := scenarios.Parse("example.yaml", []byte(`
name: no-sessions-under-partitions
cluster: {node: raftkv, size: 3, params: {bugs: no-sessions}}
workload: {kind: kv, clients: 4, keys: 2, mix: {get: 40, append: 60}, timeout: 1s}
nemesis:
  generate: {faults: [partition, crash], interval: 500ms..1s, duration: 500ms..1s}
run: {duration: 5s, heal: 2s}
check: [linearizable, invariants, liveness]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	out := scenarios.RunSeed(sc, 1, scenarios.RunOptions{})
	fmt.Println(out.Status)
	for _, c := range out.Checks {
		fmt.Println(c.Name, c.Verdict)
	}
	// Output:
	// invalid
	// invariants valid
	// liveness valid
	// linearizable(kv) invalid
}

// A scenario that asks for what its protocol cannot feed fails to load at
// the field that asks.
func ExampleParse_unsupportedCheck() {
	_, err := scenarios.Parse("bad.yaml", []byte(`name: bad
cluster: {node: digestless, size: 3}
check: [linearizable, convergence]
`))
	fmt.Println(err)
	// Output:
	// scenarios: bad.yaml:3:23: check[1]: convergence cannot be checked: node kind "digestless" reports no state digest
}
