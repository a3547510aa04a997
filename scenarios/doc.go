// Package scenarios is Faultline's runner: it reads scenarios (YAML or Go
// values), builds a world for each seed from registered protocols,
// workloads and checks, runs the safety phase under faults, heals, runs the
// liveness phase, and judges the run; it sweeps seeds on parallel workers
// into resumable results, replays and explains a failing seed, and shrinks
// it to a small scripted scenario.
//
// # Plug-ins
//
// The runner knows no protocol. A protocol is a NodeKind (typed parameters,
// minimum size, the workloads it speaks, what it can feed: leader, digest,
// invariants), a workload a WorkloadKind (operations, mix, parameters,
// model, liveness probe), a check a CheckKind (a verdict over the finished
// run, safety or liveness). They are registered before any scenario loads:
//
//	scenarios.RegisterNode(raftkvkind.Kind())
//	for _, w := range kvkind.Workloads() {
//		scenarios.RegisterWorkload(w)
//	}
//	sc, err := scenarios.LoadFile("partitions.yaml")
//	out := scenarios.RunSeed(sc, 17, scenarios.RunOptions{})
//
// A scenario is checked against what its kinds declare when it loads: an
// unknown field, a bad value, or a check the protocol cannot feed is an
// *Error naming the file, line, column and field.
//
// # Outcomes
//
// Each seed's Outcome has a Status (valid, unknown, liveness, invalid,
// panic, in rising severity, with one exit code each) derived from the
// checks' three-valued checker.Verdicts and their classes; a check that
// panics or runs out of budget is unknown, never valid.
//
// # Around the runner
//
// Sweep runs seed ranges (resumable, interruptible, keeping what finished);
// Replay and WriteOutcome write a failing seed's artifacts; Shrink reduces
// it; ApplySwarm lets a seed draw its own knobs. Subpackages faultlinetest
// (scenarios as go test subtests) and nodetest (a protocol's contract in
// one call) build on it; docs/SCENARIOS.md is the file format's reference.
package scenarios
