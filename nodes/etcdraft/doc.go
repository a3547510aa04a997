// Package etcdraft runs go.etcd.io/raft/v3 — etcd's Raft, a library
// nobody at Faultline wrote, pinned at v3.7.0 and unmodified — as a
// Faultline node, replicating a key-value store with client sessions. It
// is the proof that Faultline runs real node implementations: the same
// library etcd, CockroachDB and TiKV descend from, driven through its
// RawNode, a pure state machine that starts no goroutine and reads no
// clock, exactly the shape of nodes.Node.
//
// # Driving RawNode
//
//   - Time: a timer every Config.TickInterval calls RawNode.Tick. Election
//     and heartbeat timeouts are etcd raft's ElectionTick and HeartbeatTick
//     counts of those ticks (defaults: 10ms ticks, 15 and 5: a 150ms..300ms
//     election timeout, 50ms heartbeats).
//   - Messages: a peer's message (RaftMessage, the protobuf wire form,
//     named by its raft type through nodes.Envelope: MsgApp, MsgVoteResp)
//     is handed to RawNode.Step. A client's kv.Request is served (below).
//   - The Ready loop, in the order Ready documents: append the entries and
//     HardState (or install the snapshot) to the Storage and to the disk,
//     env.Store().Sync when Ready.MustSync says so (or a snapshot came),
//     and only when Synced reports it durable send Ready.Messages, apply
//     Ready.CommittedEntries, serve Ready.ReadStates, then Advance. While
//     a Ready waits for its sync the node keeps stepping messages and
//     ticking; the next Ready is taken after Advance. A Ready that needs
//     no sync (a commit index moved) completes at once.
//   - Snapshots: once the log holds Config.SnapshotThreshold applied
//     entries the node snapshots its state machine (data and session
//     table) at the applied index and compacts the log. A leader's MsgSnap
//     is reported finished as soon as it is sent (the simulated network
//     gives no delivery report); a lost one is sent again when the
//     follower's answer shows it still lags.
//   - Options: PreVote and CheckQuorum are node parameters; reads use
//     ReadOnlySafe.
//
// # Serving clients
//
// A follower answers kv.StatusNotLeader with etcd raft's leader hint. The
// leader proposes a write as an entry carrying (client, Seq, op); applying
// it runs nodes/kv's Apply through a session table (the highest Seq
// applied per client and its result), so a retried write is applied once
// and answered from the table. A read is confirmed with RawNode.ReadIndex
// and answered from the applied state once the applied index reaches the
// read's index (linearizable, no log entry). A leader that steps down
// answers what it had in hand with kv.StatusRetry.
//
// # Storage and recovery
//
// Storage is our raft.Storage: the HardState, the latest snapshot and the
// entries after it, in memory, mirroring what the node wrote to its disk
// (disk.go: generations of a checksummed base file and an append-only wal,
// a torn tail ignored, a re-read on a bad checksum). Start rebuilds it
// from env.Store() alone, with the state machine from the snapshot's data
// and Config.Applied at the snapshot's index, and etcd raft replays the
// committed entries after it.
//
// # Failure model
//
// Crash-recovery servers (crashes, restarts, pauses, power losses that
// drop unsynced writes, torn last writes) on an asynchronous network that
// drops, duplicates, delays and reorders; clocks may skew, drift and jump
// (etcd raft never reads a clock; only the tick timer follows the node's
// oscillator). Safety holds with any number of failures; progress needs a
// majority up and connected (of the voters of the current
// configuration).
//
// # Membership
//
// Every server bootstraps from the same zero snapshot whose ConfState
// names the first Config.InitialVoters servers (all of them when 0) as
// voters, the way etcd raft's own tests start a cluster. Membership then
// changes by ConfChangeV2 entries, one change each — single-step by
// default, or, with Config.JointConsensus, through a joint configuration
// (the JointImplicit transition: C_old,new, which etcd raft leaves by
// itself for C_new): a server that is not a voter in its applied ConfState —
// one started late by the nemesis's join, or one removed — sends a
// MemberRequest to every peer every ElectionTicks ticks; the leader adds
// it as a learner (AddLearnerNode) and, once the learner's Match reaches
// the commit index, promotes it (AddNode). A server told to leave
// (nodes.Leaver) asks the same way to be removed (RemoveNode); a leader
// removing itself steps down (StepDownOnRemoval). A leader proposes one
// change at a time (etcd raft refuses a second pending one anyway) and
// never removes the last voter. Committed changes go through
// RawNode.ApplyConfChange; the ConfState is persisted by the log (the
// entries, replayed after a restart) and by every snapshot, which
// carries the ConfState applied at its index. A restarted server that
// was told to leave asks to join again (the nemesis restarts it when the
// leave ends). With InitialVoters set, a voter that knows no leader also
// asks (it may have been removed while down and no leader would contact
// it; the leader ignores a voter's request).
//
// # Determinism: etcd raft's crypto/rand
//
// etcd raft v3.7.0 draws each randomized election timeout from
// crypto/rand.Reader (raft.go: lockedRand.Intn calls rand.Int(rand.Reader,
// ...)), which no seed reproduces. Rather than modify the library, every
// call into RawNode that can step its state machine (NewRawNode, Tick,
// Step, Propose, ReadIndex, ReportSnapshot, Advance) runs with
// crypto/rand.Reader swapped for a reader drawing from env.Rand()
// (entropy.go), restored when the call returns, under one process-wide
// mutex so that a sweep's parallel workers cannot see each other's reader.
// The draws then come from the node's own stream of the seed, at points
// fixed by the node's events. The swap is the one place in simulated code
// allowed to import crypto/rand, through the lint's
// //faultline:seeded-entropy directive, which allows only the Reader
// variable. The price: etcd raft's own work in concurrent runs of one
// process is serialised (measured in docs/BENCHMARKS.md); and a process
// that uses crypto/rand for real work on another goroutine while a run is
// going would read the seeded reader: do not link this package into one.
//
// etcd raft's logger is Config.Logger set to a logger writing through the
// running handler's env.Logf (into the trace, formatted only when the
// trace is recorded, with no host timestamp); debug lines are dropped.
//
// # Probes
//
// ProbeLeaderChanged, ProbeBecameLeader, ProbeSnapshotTaken,
// ProbeSnapshotSent, ProbeSnapshotApplied, ProbeReadIndexServed,
// ProbeRetriedWrite, ProbeRecovered, ProbeTornBase and the membership
// probes (ProbeConfChangeProposed, ProbeConfChangeApplied,
// ProbeLearnerAdded, ProbeLearnerPromoted, ProbeRemoved) mark etcd raft's
// moments of interest for a sweep's coverage report.
//
// # Planted bugs
//
// Bugs plants mistakes in our integration (never in etcd raft):
// HardStateNotSynced (MustSync read as "has entries": a vote goes out
// before it is durable), ReadWithoutReadIndex (the leader reads its
// applied state without confirming it still leads) and
// SnapshotWithoutSessions (snapshots drop the session table, so a retry
// after a restart applies twice). Each has a scenario in scenarios/bugs/.
package etcdraft
