// Package sim is Faultline's deterministic simulator: a single-threaded,
// discrete-event world in which real protocol code (any nodes.Node) runs
// on virtual time, a simulated network, per-process clocks and disks, and
// nothing else. One seed fixes everything: the same seed, configuration and
// binary always produce the byte-identical trace, and its running hash.
//
// # The world
//
// New builds a Sim from a Config: servers n1..nN from Config.Node, clients
// c1..cM from Config.Client, the base network (latency distribution, drop
// and duplicate ratios), clock skew and drift, and disk sync latency. Run
// advances it until a deadline, until nothing is left to do, until the
// event budget is spent (a livelock ends, it never hangs) or until a
// failure: a node panic or a violated online invariant, reported as a
// Failure with seed, virtual time, node and event.
//
// # What a node sees
//
// A node touches the world only through the nodes.Env it is handed for one
// call: Now (a wall clock that can jump), Monotonic (an oscillator that
// drifts), Send (deep-copied messages), SetTimer, Rand (its own seeded
// stream), Store (writes durable only once a Sync completes) and Logf.
// Handlers run atomically, one at a time.
//
// # What a harness does
//
// The verbs on Sim are the faults and the observations: packet rules with
// Pass/Drop/Deliver/Hold verdicts (AddRule, RemoveRule), Crash, Restart,
// Pause, Resume, clock offsets, jumps and drift, disk faults, At for
// scheduled harness calls, Inject for messages from outside, Observe and
// AfterEachHandler for trace observers and online invariants.
// CheckDeterminism runs a seed twice and names the first diverging event.
//
// # Randomness
//
// Every subsystem (network, disk, nemesis, workload, clocks, each process)
// draws from its own named PCG stream derived from the seed (NewStream), so
// an extra draw in one never shifts another. Probabilities are exact
// integer Ratios.
//
// The simulator knows nothing of any protocol, checker or scenario file;
// docs/ARCHITECTURE.md shows where it sits.
package sim
