// Package pb is a primary-backup key-value store with views, failover by a
// majority-confirmed view change, and two replication modes: synchronous
// (a write is acknowledged once every backup of the view holds it) and
// asynchronous (once the primary's own disk does). It speaks nodes/kv's
// client protocol; its scenario wiring is nodes/pb/pbkind (node kind "pb",
// parameter mode: sync|async). The view change is ported from
// examples/pbkv, which stays an outside example.
//
// # Views
//
// Servers n1..nN run in views. A view has a number (the epoch), a primary
// and members; every server that is not its primary is a backup. The
// primary answers kv.Request from clients; any other server answers
// kv.StatusNotLeader with the primary as the Leader hint.
//
// A view change works as in Viewstamped Replication. A candidate proposes
// view v (above every view it has heard of) with itself as primary. A
// server accepts a proposal for a view above every view it accepted,
// persists that promise, and only then answers with its state (Accept). A
// candidate holding a majority of Accepts (its own included) adopts the
// most recent state among them — the highest (last normal view, op
// number) — waits up to a heartbeat for the other live servers to answer,
// and starts the view: the servers whose Accepts it counted are the
// view's members, and it sends the adopted state to every server
// (StartView). Since a server promises one primary per view and keeps the
// promise on disk, at most one server wins a view.
//
// A backup that has heard nothing from an active primary of its view for
// view_timeout (monotonic clock) suspects it; if it hears from a majority
// other than the suspect and is the lowest id among them (or has waited
// longer, in id order, so a lost candidate is replaced), it proposes.
//
// # Synchronous mode: the view's membership changes by view change
//
// mode: sync. The primary handles one write at a time: the next op number,
// applied to its state, persisted, and sent to every server (Prepare). A
// server in the view applies Prepares in op-number order, persists, and
// answers PrepareOK after the sync. The primary acknowledges the write
// only when every member of the view holds it durably. A new primary is
// active (serves) once every member has installed its start state.
//
// A backup that stops answering would block every write, so the choice
// here is that the view's membership shrinks by a majority-confirmed
// reconfiguration, which is an ordinary view change: when a member has not
// acknowledged the op the primary waits for within backup_timeout, the
// primary proposes view v+1 with itself as primary, and the servers that
// accept promptly are the members of v+1 — the silent backup is left out.
// A server outside the view still gets the view's state and its writes
// (StartView, Prepare) and acknowledges them; once it holds everything the
// primary holds, the primary changes view again to let it back in.
// Members are always the Accepts of a majority, so an acknowledged write is
// on the disks of a majority, and the majority of Accepts of any later view
// includes a server that holds it: the adopted state contains every
// acknowledged write. Sync mode is linearizable.
//
// # Asynchronous mode
//
// mode: async. The primary acknowledges a write once its own disk holds it
// and replicates it in the background (Prepare, with resends on every
// heartbeat and state transfer for a backup too far behind); it moves on to
// the next write without waiting for any backup. A new primary is active
// once a majority holds its start state. The trade-off is documented, not
// a bug: on failover the new primary adopts the most recent state of a
// majority, which may lack writes the old primary acknowledged — those it
// had not replicated when it crashed, and those it acknowledged while cut
// off from the others. The old primary discards them when it rejoins (it
// installs the new view's state), so the replicas converge. The window is
// bounded: a primary that has heard from no majority for half a view
// timeout starts no write (both modes), so a primary cut off acknowledges
// writes for that long at most, besides its replication lag.
//
// # Reads
//
// The primary answers a read after confirming its view with a majority,
// not with a lease: the clocks play no part in safety. Each read waits for
// a confirmation round that starts after it arrives: the primary sends
// Confirm(view, round) to every server, and a server that still follows
// this primary in this view (it has promised no later view) answers
// ConfirmOK. With a majority, itself included, the primary answers from
// committed state — when no write is in flight. A later view needs
// promises from a majority, one of which would come from a server that
// confirmed, after its confirmation: so no write of a later view was
// acknowledged before the read arrived.
//
// # Sessions
//
// The session table (client → highest write Seq and its result) is part of
// the replicated state, applied with each write on every server, so a
// retried write is applied once, and whichever primary sees the retry
// answers it from the table.
//
// # Persistence and recovery
//
// Each server keeps one file, "pb-state": the accepted view and its
// primary, the last view whose state it holds, the op number, a hash chain
// over the ops (the last 64 values), the data and the session table, behind
// a CRC. It writes the file after every change and acts on it (accepts,
// acknowledges, sends its state) only once it is durable (Synced), so a
// restarted server recovers from its disk alone. A restarted backup
// resumes in its view; a restarted primary does not: the cluster changes
// view (often back to it, as the lowest id), and it adopts the most recent
// state, its own included.
//
// # Failure model
//
// Crash-recovery servers with durable, fsync-on-request disks (no torn
// writes or bit flips: a corrupt state file panics), an asynchronous
// network that drops, delays, duplicates and reorders, partitions, pauses,
// and clocks that skew, drift and jump (only the monotonic clock is read,
// for timeouts). Progress needs a majority up and connected; safety needs
// nothing.
//
// # What it guarantees
//
//   - At most one primary per view, in both modes.
//   - Sync mode: linearizable get, put, append and cas (and register
//     read, write, cas), exactly-once writes under client retries, and no
//     acknowledged write is missing from the primary of a later view.
//   - Async mode: writes acknowledged by a primary that stays up and
//     connected until they are replicated survive, the replicas converge
//     after faults heal, reads are confirmed as in sync mode; a failover
//     may lose acknowledged writes (not linearizable).
//   - After faults heal, the lowest-id live server (or the next) is
//     primary, every server is back in the view, and all hold one state.
//
// # Planted bugs
//
// Config.Bugs (scenario parameter bugs), each caught by a scenario under
// scenarios/bugs/:
//
//   - AckBeforeBackup (ack-before-backup, sync mode only): the primary
//     acknowledges a write once its own disk holds it, as async mode does,
//     while promising sync. Crashing or isolating the primary loses
//     acknowledged writes: the invariants see a new primary without them,
//     the linearizability check sees reads without them.
//   - ViewNotPersisted (view-not-persisted): a server answers a view change
//     (and a candidate counts itself) before its promise is durable. A
//     server that accepts, crashes and restarts can promise the same view
//     to another candidate: two primaries win one view.
//   - StalePrimaryReads (stale-primary-reads): the primary answers reads
//     from its local state at once, without a confirmation round. A
//     primary cut off in a minority keeps answering reads the new
//     primary's writes have made stale.
//
// # Coverage probes
//
// "pb: view change proposed", "pb: new primary active", "pb: primary
// adopted a backup's newer state", "pb: deposed primary stepped down",
// "pb: backup caught up by state transfer", "pb: view change excludes an
// unresponsive backup", "pb: view change readmits a caught-up backup",
// "pb: read answered after its view was confirmed", "pb: retried write
// answered from the session table".
package pb
