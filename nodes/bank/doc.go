// Package bank is the bank workload and its checks, shared by every
// transaction protocol in Faultline (nodes/twopc, a Saga): accounts spread
// over shards, transfers between them, and whole-bank reads. Its scenario
// wiring (the "bank" workload kind and the checks as CheckKinds) is
// nodes/bank/bankkind.
//
// # The bank
//
// Accounts a0..a{N-1} (Bank.Accounts) each open with Bank.Initial; account
// i lives on server n(1 + i mod servers) (ShardOf). A transfer moves an
// amount from one account to another and aborts as a whole if it would make
// the source's balance negative: no overdraft. A whole-bank read returns
// every balance, "a0=100,a1=95,...".
//
// # Clients
//
// A Client runs one transaction at a time and sends it to the coordinator,
// the first server n1 (Workload.Route RouteCoordinator: 2PC), or to its
// home server n((i-1) mod N)+1 (RouteHome: the Saga, where every server
// orchestrates). It
// names each transaction uniquely (c3-17; c3e1-4 after a restart, whose
// session number it keeps in its store) and resends the same transaction
// id every Workload.AttemptTimeout until answered: the server dedups by
// that id, so a retry never moves money twice. In the history a transfer
// is a checker.OpTransfer ("transfer a1->a3=5 c3-17": amount, then
// transaction id) that ends OK if committed, Fail if aborted (certainly not
// applied) and Info if unanswered within Workload.Timeout; a read is an
// nodes.OpRead whose Output is the balances (Fail when unanswered: it had
// no effect). After the heal (Workload.ProbeAt) clients stop and read the
// whole bank until one read ends OK: the liveness probe, and the run's
// final read.
//
// # Checks
//
// The checks read the history and, through the Shard, Decider and
// InDoubtReporter interfaces, the servers' final states (Final):
//
//   - Conservation: every OK read sums to the total. Its anomaly share is
//     the measure of a protocol that lets reads see transfers half-done.
//   - NoMoneyCreated: no read and not the final balances exceed the total.
//   - Atomicity: every applied transfer was issued, took effect whole or not
//     at all, committed ones took effect and aborted ones did not, and each
//     shard's balances are its initial balances plus what it applied.
//   - Decided: nothing is undecided at the end of the heal window.
//   - InDoubt: how long participants were blocked in doubt (a measure).
//
// Each fails (or measures) with the operations it concerns named.
package bank
