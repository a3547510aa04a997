// Package raftkv is a Raft-replicated key-value store: the reference
// protocol of Faultline, written to be read. It follows the extended
// version of the Raft paper (Ongaro and Ousterhout, "In Search of an
// Understandable Consensus Algorithm (Extended Version)", 2014); section
// numbers below (§) refer to it unless they say "dissertation" (Ongaro's
// "Consensus: Bridging Theory and Practice", 2014).
//
// A node is a [nodes.Node]: a state machine driven by messages, timers and
// disk-sync completions, touching the world only through the [nodes.Env]
// it is handed. Nothing here knows about the simulator.
//
// # Map of the package
//
//	config.go        Config, ReadMode and the planted Bugs
//	node.go          the Node, its entry points, timers and role changes
//	election.go      §5.2 leader election, PreVote (dissertation §9.6),
//	                 ignoring vote requests while a leader is alive (§6)
//	replication.go   §5.3 AppendEntries with conflict hints, §5.4.2 the
//	                 commit rule, applying, §7 snapshots and InstallSnapshot
//	client.go        §8 client requests, leader hints, the session table
//	reads.go         §8 / dissertation §6.4 ReadIndex and lease reads
//	statemachine.go  the KV state machine and session table
//	log.go           the in-memory log after the snapshot
//	persist.go, wal.go  durability: what is written, when it is synced,
//	                 and how a restart recovers (§5, Figure 2 "persistent")
//	invariants.go    the safety properties of Figure 3, checked online
//	status.go        read-only status for checkers and viewers
//	hook.go          the StateMachine hook: NewNode runs Raft over another
//	                 protocol's state machine, in a group of given peers
//
// # Design notes
//
// Time. Election timeouts are drawn from the node's own random stream
// (env.Rand) between ElectionTimeoutMin and ElectionTimeoutMax each time
// the timer is reset. Timers run on the monotonic clock. The election
// timer is lazy: receiving a heartbeat only moves a deadline, and the timer
// re-arms itself if it fires early, so heartbeats cost no timer churn.
//
// Elections. A follower whose timer fires first runs a PreVote round (it
// asks whether a quorum would vote for it, without changing its term), so
// a node returning from a partition cannot force a healthy leader out by
// bumping the term. Nodes that heard from a leader within
// ElectionTimeoutMin refuse both pre-votes and votes; a leader that has
// not heard from a quorum for ElectionTimeoutMax steps down (CheckQuorum).
// With lease reads, a restarted node also behaves as if it had just heard
// from a leader, so that a follower restart cannot cut a lease short.
//
// Replication. The leader keeps, per follower, the next index to send and
// the highest index known to match. A follower that rejects an
// AppendEntries returns the term of its conflicting entry and the first
// index of that term (or its log length), so the leader skips a whole
// term per round trip (§5.3, "optimization"). While a follower's position
// is uncertain the leader probes it one batch at a time; once it matches,
// batches stream optimistically and a loss shows up as a rejection. The
// leader commits the highest index stored on a quorum only if that entry
// is from its own term (§5.4.2, Figure 8), and starts every term with a
// no-op entry so earlier entries commit promptly (§8).
//
// Durability. Term, vote and log are written to a write-ahead log on the
// node's Store as they change (small checksummed records appended to
// segment files; a new generation holds the snapshot); each handler that wrote ends with one Sync.
// Votes, acknowledgements of entries and vote requests wait until the
// Sync covering them completes, and the leader counts its own log towards
// a quorum only as far as it is durable. Records are checksummed; a torn
// tail record from a crash mid-append is dropped on recovery; restart
// reads the disk alone. See wal.go for the file layout.
//
// Snapshots. Once SnapshotThreshold applied entries accumulate, the node
// snapshots its state machine (data and session table), drops the log
// prefix and starts a new WAL generation holding the snapshot. A follower
// whose next entry is gone receives the snapshot in one InstallSnapshot.
//
// Clients. Any node accepts a kv.Request; a non-leader answers
// StatusNotLeader with the leader it knows. The leader appends writes to
// the log and answers once they are applied. The session table remembers
// each client's latest sequence number and result, so a retried write is
// applied once and answered from the cache (§8). Reads use ReadIndex by
// default: no log write, one quorum round. ReadLog sends them through the
// log; ReadLease trusts the leader's clock within LeaseDriftBoundPPM.
//
// # Reusing the consensus
//
// [NewNode] builds a server that applies committed commands to a
// [StateMachine] of the caller's (Apply, Snapshot, Restore) instead of the
// KV store, with its Raft group given as peers (several groups may share a
// cluster). Every request then goes through the log (ReadMode must be
// ReadLog) and the state machine does its own deduplication; a wrapping
// node proposes its own commands with [Node.Propose]. nodes/shardkv builds
// its replica groups and shard controller this way. [New] and every path
// of the built-in store are unchanged.
//
// # Planted bugs
//
// Config.Bugs switches on known mistakes, off by default, so that users can
// watch Faultline catch them: follower reads, an unbounded lease, a vote
// that is not persisted, the Figure 8 commit rule, acknowledging before
// the sync, and no session table. Each field's comment says what goes
// wrong and which faults expose it; the package tests show each caught.
//
// # Checking it
//
// [Invariants] checks Figure 3's properties after every handler. Together
// with the linearizability checker over client histories, it judges runs;
// the package tests replay the MIT 6.5840 Raft test battery in virtual
// time.
package raftkv
