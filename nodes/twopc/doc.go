// Package twopc is two-phase commit over a sharded bank (nodes/bank):
// transfers between accounts on different servers commit atomically, and
// whole-bank reads are consistent snapshots. Its scenario wiring is
// nodes/twopc/twopckind.
//
// # Design
//
// Every server is a participant holding a shard, account i on
// n(1 + i mod N); n1 is also the coordinator, and the bank clients send it
// every transaction (workload route: coordinator). A transaction runs as
// an attempt, numbered epoch<<32 | counter, where epoch counts the
// coordinator's incarnations (its epoch log, synced before it serves):
//
//   - Prepare. The coordinator sends each shard involved its part — a
//     transfer's debit and credit with exclusive locks, a read's accounts
//     with shared locks — and resends to the silent ones every Retransmit.
//     A participant refuses (votes no) on a lock conflict (no-wait
//     locking: no deadlocks, the client sees an abort and moves on) or if
//     the debit would overdraw the account (no overdraft: the transfer
//     aborts as a whole). Otherwise it appends a prepare record, syncs, and
//     only then votes yes: it is now in doubt, its locks held.
//   - Decision. All yes: the coordinator appends the commit to its
//     decision log, syncs, and only then sends it and answers the client.
//     A no or a missing vote after PrepareTimeout: abort, sent at once and
//     logged (synced before the client hears of it, so a late duplicate of
//     the request gets the same answer). A read logs nothing: once every
//     shard voted it answers with the balances the votes carry (a
//     snapshot: shared locks on every account were held at once) and
//     releases the locks.
//   - Termination. A participant in doubt asks the coordinator every
//     Inquiry. The coordinator answers with the logged decision of that
//     attempt, stays silent while it is still deciding it, and otherwise
//     answers abort: presumed abort — no decision logged means no commit
//     was ever sent, and none will be (a retried request runs as a new
//     attempt, which an old attempt's locks make vote no). There is no
//     cooperative termination among participants: while the coordinator is
//     down, a participant that voted yes stays blocked, and the in-doubt
//     time it reports (bank.InDoubtReporter) is the measure of that.
//
// A participant's commit or abort record is appended without a sync of its
// own (the next prepare's sync covers it; a crash before it leaves the
// attempt prepared and in doubt, which asking resolves). Dedup: the
// decision log answers a retried transfer; a participant never prepares an
// attempt of a transfer it already applied.
//
// # Failure model
//
// Crash-recovery of any server (the coordinator's too) with the loss of
// unsynced writes and a torn last record (each log record is framed and
// checksummed by nodes/durable; reading stops at the first bad frame);
// message loss, duplication, delay and reordering; partitions; pauses;
// clock skew (no clock is read for decisions). Not tolerated: bit flips in
// the middle of a log (a flipped record ends the log there), and a
// coordinator that never comes back (participants block forever: that is
// 2PC). Start rebuilds everything from the store alone.
//
// # Planted bugs
//
//   - forget-decision: recovery reads the epoch log but not the decision
//     log, so a restarted coordinator answers inquiries about committed
//     attempts by presumed abort; one shard applies the transfer, the other
//     drops it.
//   - unilateral-abort: a participant in doubt for longer than
//     PrepareTimeout aborts on its own ("like the coordinator would"),
//     although it voted yes.
//   - vote-before-durable: a participant votes yes before its prepare
//     record is synced; a crash in the sync window loses the record and the
//     locks, and the commit that follows finds nothing to apply.
//
// Each leaves a transfer half-applied, which bank.Atomicity reports; the
// first two also break twopckind's online invariant (an attempt committed
// at one participant and aborted at another) at the step it happens.
package twopc
