// Package saga is the Saga pattern over a sharded bank (nodes/bank): a
// transfer is a sequence of local steps with compensations, not an atomic
// commit. No locks are held across servers, so the bank stays available
// when a server is down, and reads see transfers half-done. Its scenario
// wiring is nodes/saga/sagakind.
//
// # Design
//
// Every server is a participant holding a shard (account i on
// n(1 + i mod N)) and the orchestrator of the sagas its clients send it
// (workload route: home: client ci always uses server n((i-1) mod N)+1,
// which dedups its transaction ids). A transfer's saga:
//
//  1. The orchestrator appends a begin record to its saga log and syncs.
//  2. Debit the source (step txn/debit): refused if it would overdraw it
//     (no overdraft) — the saga ends aborted, nothing to compensate.
//  3. Credit the destination (txn/credit), retried every Retransmit.
//  4. If the credit is not answered within StepTimeout, the orchestrator
//     asks its participant to cancel it instead (retried until answered):
//     the answer is either the credit's result (it was applied: the saga
//     commits) or "cancelled", after which a late credit is refused, and
//     the orchestrator compensates the debit (txn/undo, crediting the
//     source back) and ends the saga aborted.
//  5. An end record (committed or aborted) is appended and synced before
//     the client is answered; a retried request is answered from it.
//
// Every step is idempotent: a participant records each step's result
// (applied, refused, cancelled) durably under its step id before it
// answers, and answers a repeated step with the recorded result. So
// recovery is simple: a restarted orchestrator re-drives every saga with a
// begin and no end record from its first step, and the participants'
// records make it take the same path again.
//
// A whole-bank read asks every shard for its balances, with no locks: it
// may see a debit without its credit (less money) or, across shards read
// at different moments, a credit without its debit (more). That isolation
// anomaly is the Saga's trade-off; the bank's conservation check measures
// it (the share of reads that do not sum to the total) under the promise
// eventual, while atomicity at the end, no money created in the final
// balances, and every saga decided after the heal are required.
//
// # Failure model
//
// Crash-recovery of any server with the loss of unsynced writes and a torn
// last record (framed, checksummed records; reading stops at the first bad
// frame), message loss, duplication and delay, partitions, pauses, clock
// skew. A saga touching a server that is down waits for it (it holds no
// locks, so nothing else does); an orchestrator that is down delays only
// its own clients' sagas.
//
// # Planted bug
//
// compensation-not-idempotent: a participant dedups debits and credits by
// step id but applies a compensation each time it arrives. A compensation
// whose answer is lost is resent and credits the money back twice: money
// created, which bank.NoMoneyCreated (and bank.Atomicity) report.
package saga
