// Package pbkv is a primary-backup key-value store with failover by view
// change, written against Faultline's public API only (package nodes and
// nodes/kv's client protocol). It is the example a protocol author outside
// Faultline follows: the node here, its scenario wiring in pbkvkind, its
// binary in cmd/pbkv, its scenarios in scenarios/.
//
// # Design
//
// Servers n1..nN run in views. A view has a number and a primary; the other
// servers are its backups. The primary answers kv.Request from clients;
// a backup answers kv.StatusNotLeader with the primary as the Leader hint,
// so kv clients with route "leader" find it.
//
// The primary handles one client operation at a time: it gives it the next
// op number, applies it to its state, persists the state, and sends a
// Prepare to every backup of the view. A backup applies a Prepare only in
// op-number order and only in its current view, persists, and after the
// sync answers PrepareOK. The primary answers the client once a majority
// (itself included, after its own sync) has the operation: replication is
// majority-quorum, so 2f+1 servers tolerate f failures and an unreachable
// backup never blocks the primary. Reads go through the same pipeline (an
// op number, no change to the data), so the majority that acknowledges a
// read also confirms that the primary still held its view.
//
// Every server pings every other each heartbeat. A backup that has heard
// nothing from an active primary of its view for view_timeout (monotonic
// clock, env.SetTimer) suspects it. If it hears from a majority of the
// cluster other than the suspect, and is the lowest id among them (or has
// waited longer, in id order, so a lost candidate is replaced), it proposes
// view v+1 with itself as primary. A server accepts a proposal for a view
// above every view it accepted, persists the promise before it answers,
// and answers with its state (Accept). The candidate waits for a majority
// of Accepts (its own included), adopts the state with the highest (last
// normal view, op number) — the most recent one, exactly as Viewstamped
// Replication picks its log — and sends it to every backup (StartView).
// Only when a majority has installed that state is the new primary active
// and serves requests: whatever it adopted is then committed.
//
// Each server keeps one file, "pbkv-state": the accepted view and its
// primary, the last view whose state it holds, the op number, a hash chain
// over the ops, the data and the session table, behind a CRC. It writes it
// after every change and acts (acknowledges, sends its state) only in
// Synced, so a restarted server recovers from disk alone. A restarted
// backup resumes in its view; a restarted primary does not resume: the
// cluster changes view (often back to it, as the lowest id).
//
// The session table (client → highest Seq and its result) is part of the
// replicated state, so a retried write is applied once, by whichever
// primary sees the retry.
//
// # Failure model
//
// Crash-recovery servers with durable, fsync-on-request disks (no bit
// flips or torn writes: a corrupt state file panics), an asynchronous
// network that drops, delays, duplicates and reorders, partitions, and
// clocks that skew and drift (only the monotonic clock is used, for
// timeouts). At most a minority of servers down or cut off at a time for
// progress; any number for safety.
//
// # What it guarantees
//
//   - Linearizable get, put, append and cas, with exactly-once writes
//     under client retries.
//   - At most one primary per view (a majority accepted it, and a server
//     accepts one primary per view number).
//   - A committed operation survives every later view change: any
//     majority of Accepts contains a server that holds it.
//   - After faults heal, the lowest-id live server (or the next) becomes
//     primary, and backups catch up by state transfer (StartView).
//
// # The planted bug
//
// With Config.Bugs.StaleReads (scenario parameter bugs: stale-reads) the
// primary answers a get from its local state at once, without the round
// to a majority. A primary cut off in a minority partition does not know
// it has been replaced, and serves values the new primary has since
// overwritten: a stale read, which the linearizability check catches
// under partitions.
//
// # Coverage probes
//
// "pbkv: view change proposed", "pbkv: new primary active",
// "pbkv: primary adopted a backup's newer state", "pbkv: deposed primary
// stepped down", "pbkv: backup caught up by state transfer",
// "pbkv: retried request answered from the session table".
package pbkv
