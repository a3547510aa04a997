// Package checker judges what the clients of a run saw.
//
// A testbed is only as good as its judge: a simulator that injects every
// fault in the book finds nothing if the verdict at the end is wrong, or
// silently passes when it could not decide. This package holds the
// history that simulated clients record, the models that say what a
// correct system may answer, and the checkers that compare the two.
//
// # Histories
//
// A [History] is a list of client [Operation]s plus the faults injected
// meanwhile ([Annotation]s, kept only for display). Each operation has a
// client, what it asked, what came back, virtual invoke and return times,
// and an outcome in Jepsen's vocabulary: OK took effect, Fail certainly
// did not, Info may or may not have (a timeout, a lost connection, a
// crashed client). The distinction matters: treating a timed-out write
// as failed finds bugs that are not there, and treating it as done hides
// real ones.
//
// The simulator builds a history with a [Recorder] (Invoke, Complete,
// Annotate) from its client hooks. Histories are also read from files:
// Faultline's JSON Lines format ([ReadJSON], [WriteJSON], documented in
// docs/CHECKER.md) and the two formats of Porcupine's test data, Jepsen's
// etcd register logs ([ReadEtcdLog]) and Porcupine's KV logs
// ([ReadKVLog]). [CheckFile] detects the format and runs the default
// checkers; it is what "faultline check HISTORY" calls. Malformed input
// is an error that names the file and line.
//
// Checking histories that no one here wrote is the point of the golden
// test: Faultline's own readers and models must reproduce Porcupine's
// published verdicts on its 108 test histories, so a bug in a model or a
// reader shows up against real data rather than against our own
// assumptions.
//
// # Linearizability
//
// [Linearizable] checks a history against a [Model] with Porcupine:
// [RegisterModel] (read, write, cas), [KVModel] (get, put, append, cas,
// partitioned by key in sorted order so that output is the same on every
// run) and [SetModel] (add, read). Conversion follows Porcupine's
// semantics for indeterminate operations: they return at "+infinity"
// with an unknown output, so the model applies their effect at any point
// after the invocation, or never, and the client continues under a fresh
// process id. Fail operations are dropped.
//
// Every model sets Hash (the search's cache is many times slower without
// it) and the Describe hooks (the explanation and the HTML visualization
// are written with them), and every Step is a pure function.
//
// # Verdicts
//
// A [Result] carries a three-valued [Verdict]: Valid, Invalid or Unknown.
// Unknown is the zero value and is never a pass: a check that runs out of
// its time budget ([Options].Budget), or whose checker panics ([Run]),
// says Unknown with the reason. Linearizability checking is NP-hard and
// Porcupine's memory grows with the time it searches (a failing
// 2,000-operation history was seen to reach 22 GB), so every check has a
// budget. Verdicts compose with [Worst] and [All]: Invalid beats Unknown
// beats Valid.
//
// A history is first searched with observers first (reduce.go): an
// operation that never changes the state (a read, a cas that failed) and
// can be linearized next is linearized next, with no alternative tried —
// which loses no linearization, so the search stays exact. Under many
// concurrent clients per key it takes a tenth of the steps of
// Porcupine's order (50 clients on 10 keys: 10–16 steps per operation
// instead of 108–136). What it proves Valid is Valid; a history it finds
// illegal or cannot decide is searched again in Porcupine's order, with
// a budget of its own, so every verdict and explanation that search
// reaches is unchanged, and a partition either search decides is decided.
//
// A partition out of its step budget is searched again without its
// indeterminate operations (first those no operation could have observed,
// then all): an indeterminate operation returns at +infinity with an
// output every model accepts, so if the rest linearizes, the whole does,
// with them last, and the check is Valid. Otherwise it stays Unknown:
// this search proves only Valid (indeterminate.go).
//
// An Invalid linearizability result explains itself in a few lines of
// plain text — which key, the first operation no order can place and
// what it saw, the state when it was invoked and who set it, and the
// operations concurrent with it — and, given [Options].VisualizationPath,
// writes Porcupine's HTML visualization with the nemesis windows drawn as
// annotations. The search is Porcupine's algorithm in our own copy
// (wgl.go): it explores in exactly Porcupine's order and takes the same
// steps, so verdicts, explanations and budgets are Porcupine's, but its
// cache is flat and stores each linearized set as its window, it counts
// steps itself, and it finds the explanation's longest partial
// linearization without copying the stack at every backtrack — during the
// verdict's search for a history of one partition, by a second search of
// the failing partition otherwise. Porcupine's own verbose search runs only
// for the HTML visualization.
//
// # Other checkers
//
// [LostWrites], the four session guarantees ([SessionGuarantee]:
// read-your-writes, monotonic reads and writes, writes follow reads) and
// [Staleness] (k- and Δ-staleness, a measurement in Result.Metrics) judge
// KV histories with unique values by which writes each read reflects.
// [NoLostWrites] (the Jepsen set checker), [UniqueIDs], [Bank] (total
// conservation), [Convergence] and [ConvergenceWithin] (replicas agree,
// in time, after healing), and [Stats] (outcome rates over time and
// latency percentiles as plain data for plots). Online invariants — a
// predicate on trace events that stops the run at the exact event — live
// in the simulator; they report a [Violation].
package checker
