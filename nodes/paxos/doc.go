// Package paxos is a key-value store replicated by leader-based
// Multi-Paxos: ballots, one phase 1 for a whole window of slots, phase 2
// per slot, learners, gap filling with no-ops, durable promises and
// accepts, log compaction by snapshot and catch-up by snapshot. It applies
// chosen commands with nodes/kv's semantics (kv.Apply) and a session
// table, and speaks nodes/kv's client protocol; its scenario wiring is
// nodes/paxos/paxoskind (node kind "paxos").
//
// # Roles and ballots
//
// Every server n1..nN is proposer, acceptor and learner. A Ballot is a
// round number and the proposer's id, ordered in that order, so no two
// proposers share one. A server that has heard from no leader for a
// timeout drawn from env.Rand() in [election_timeout min, max] (on its
// monotonic clock) becomes a candidate for a ballot above every ballot it
// has heard of (its promise, Nacks, heartbeats).
//
// # Phase 1: one Prepare for the window
//
// The candidate sends Prepare(ballot, from) to every server, itself
// included, where from is its first unchosen slot: the Prepare covers
// every slot from there on, known or not. An acceptor that has promised
// no higher ballot promises this one, makes the promise durable, and only
// then answers Promise with every proposal it accepted in slots from from
// on (slot, ballot, command). An acceptor whose log no longer holds some
// of those slots (it compacted them: they are chosen, in its durable
// snapshot) adds its applied state (Snap). An acceptor that promised
// higher answers Nack, and the candidate gives up.
//
// With promises from a majority, the candidate is leader. It first
// installs the most advanced snapshot among them, if ahead of its own;
// then, for each slot from its first unchosen one up to the highest slot
// any promise reports, it skips the slots it has learned, re-proposes the
// command accepted with the highest ballot among the promises, and fills a
// slot no promise reports (a gap) with a no-op. New commands go after
// them.
//
// # Phase 2 and learning
//
// The leader proposes a client's command in the next free slot with
// Accept(ballot, entries) to every server, itself included. An acceptor
// accepts it unless it promised a higher ballot (accepting b promises b),
// appends the proposal to its log, and answers Accepted once that is
// durable. A proposal accepted by a majority is chosen: the leader learns
// it, sends Learn to every other server, and applies chosen slots in order.
// Unacknowledged proposals are resent every heartbeat. Heartbeats carry
// the leader's applied slot; a server that has not learned up to it asks
// the leader (CatchUp) and gets the chosen commands from the leader's
// log, or, if the leader has compacted past them, its snapshot
// (InstallSnapshot).
//
// A leader that has heard from no majority for election_timeout min steps
// down, failing the requests it holds with kv.StatusRetry (they may still
// be chosen; the session table makes the retry safe). So does a leader or
// candidate that hears of a higher ballot.
//
// # Clients, sessions and reads
//
// Only the leader serves; another server answers kv.StatusNotLeader with
// the leader it follows as hint, and a candidate holds requests until
// phase 1 ends. The session table (client → highest applied Seq and its
// result) is part of the replicated state: a retried command is applied
// once, and whichever leader sees the retry answers it from the table. A
// client is answered when the slot its command was proposed in is applied
// (StatusRetry if another command was chosen there).
//
// Reads (read_mode: log, the default) are commands like writes: chosen in
// a slot, answered when applied, linearizable whatever the clocks do. With
// read_mode: lease the leader answers reads from its applied state at once
// while it holds a lease: a majority acknowledged a heartbeat round sent
// less than election_timeout_min·(1−ρ)/(1+ρ) ago on the leader's monotonic
// clock (ρ = lease_drift_bound), and it has applied every slot its phase 1
// re-proposed. An acceptor that acknowledged a leader ignores every other
// proposer's Prepare for election_timeout_min of its own monotonic clock
// (a restarted one, for that long after it starts), so no other leader
// can exist before the lease ends while clocks drift less than ρ. Wall
// clocks (env.Now) are never read: skew and jumps do not matter.
//
// # Persistence and recovery
//
// Two pairs of alternating files (see AcceptorFiles and SnapshotFiles):
// the acceptor log — a base record (generation, promise, accepted
// proposals above the durable snapshot) followed by one record per promise
// and per batch of accepts, each length-prefixed and checksummed — and
// the snapshot (applied slot, hash chain, data, session table). A
// compaction, every snapshot_every applied slots, writes the snapshot into
// the file not holding the latest; once it is durable, the log's next base
// goes into the other acceptor file without the proposals it covers.
// Since only the last unsynced write can be torn, the other file of each
// pair stays readable. Start reads the snapshot with the highest slot and
// the log with the highest valid base up to its first torn record, and
// nothing else: chosen commands above the snapshot are learned again from
// the leader (a majority accepted them durably).
//
// # Failure model
//
// Crash-recovery servers whose disks make writes durable on Sync, and may
// lose unsynced writes or tear the first of them at a crash (checksums
// detect it, and the alternating files keep the durable state readable);
// not disks that flip bits in durable data (disk-flip: a flipped record is
// taken for a torn one, and what followed it is lost); an asynchronous network
// that drops, delays, duplicates and reorders messages; partitions of any
// shape, pauses, and clocks that skew, drift and jump. Safety needs
// nothing; progress needs a majority up and connected for a few election
// timeouts. Lease reads also need every clock's drift below
// lease_drift_bound.
//
// # What it guarantees
//
//   - At most one command is chosen per slot; replicas that applied the
//     same prefix hold the same state.
//   - Linearizable get, put, append and cas (and register read, write,
//     cas), exactly-once under client retries.
//   - After faults heal, one leader is elected and every server catches up
//     to the same state.
//
// # Planted bugs
//
// Config.Bugs (scenario parameter bugs), each caught by a scenario under
// scenarios/bugs/:
//
//   - PromiseNotPersisted (promise-not-persisted): an acceptor answers a
//     Prepare at once and never writes its promise. After a crash it
//     promises and accepts ballots below the one it promised; its own next
//     candidacy starts again from round 1. The invariants see an acceptor
//     answer a ballot below one it answered before.
//   - SkipPhase1Unlearned (skip-phase1-unlearned): a new leader's Prepare
//     starts above the highest slot it accepted or learned itself, and it
//     fills the unlearned slots below with no-ops without asking anyone. A
//     leader back from a partition overwrites commands chosen meanwhile:
//     two values chosen for one slot.
//   - OwnValue (own-value): a new leader re-proposes its own accepted
//     command for a slot, when it has one, instead of the highest-ballot
//     one the promises report: a stale proposal overwrites a chosen one.
//
// # Coverage probes
//
// The Probe* constants: a leader elected, phase 1 adopting an accepted
// value, a gap filled with a no-op, a new leader caught up from a
// promise's snapshot, a snapshot installed, the log compacted, a lease
// read, a retry answered from the session table, a proposer preempted, a
// leader stepping down or losing its quorum.
package paxos
