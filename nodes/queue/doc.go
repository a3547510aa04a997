// Package queue is a replicated, partitioned message queue with consumer
// groups, in the style of Kafka, written against Faultline's public API
// (package nodes and nodes/durable) as an outside author would. Its node
// kind, workload kind and checks are wired in nodes/queue/queuekind; the
// checks themselves are nodes/queue/queuecheck.
//
// # Design
//
// The brokers n1..nN replicate one state machine by primary-backup with
// views (Viewstamped Replication's view change, as examples/pbkv): every
// partition of the topic is led by the view's primary and replicated to
// every broker, so "the leader of a partition" is the primary of the
// current view. The state holds, per partition, the log of message ids;
// per consumer group, its members, its generation and its committed offset
// per partition; per idempotent group, its sink (the effects applied, in
// order) and the sink's dedup table; and the session table.
//
// The primary replicates one batch at a time (group commit): it takes
// the queued operations (up to MaxBatch), gives each the next op number,
// applies them, appends them to its operation log and sends one Prepare
// to every backup; a backup applies Prepares in op-number order in its
// view, logs, and answers PrepareOK after the sync. The primary answers
// the clients once a majority (itself included, after its own sync) holds
// the batch: a message is acknowledged only when durable on a
// majority, and so is every commit and every effect. Fetches and sink
// reads go through the same pipeline, so a deposed primary cannot serve
// them. View changes are pbkv's: a backup that hears nothing from an
// active primary for view_timeout proposes view v+1 if it reaches a
// majority; a majority of Accepts (each a promise made durable first)
// gives the new primary the most recent state among them (highest last
// normal view, then op number), which it installs on the backups
// (StartView) before it serves.
//
// Producers are idempotent: a request carries the client and a sequence
// number that grows per client (persisted session number in the high
// bits), and the session table (client → highest Seq and its result) is
// part of the replicated state, so a retried send is appended once and a
// late duplicate of an older one is dropped, as Kafka's producer id and
// sequence numbers do.
//
// Consumer groups. A client joins its group (OpJoin); a membership change
// bumps the group's generation, and partition p belongs to the p-th member
// (mod the member count) in sorted order — the broker assigns. A member
// fetches from an offset (OpFetch) and commits offsets (OpCommit) only for
// partitions it owns in the generation it names; otherwise the broker
// answers Fenced and the consumer rejoins, starting again from the
// committed offsets. A fresh incarnation joins with generation 0, which
// bumps the generation too, fencing whatever its previous incarnation
// still had in flight. The primary keeps, in memory, the last time it
// heard from each member; a member silent for session_timeout (the
// visibility timeout) is removed by an OpExpire the primary puts through
// the log, and its partitions move to the others. A new primary starts
// every member's clock when it becomes active. What a member fetched and
// did not commit is redelivered to the partition's next owner:
// at-least-once.
//
// The idempotent consumer's downstream state is a server-side sink: the
// consumer sends each message's effect (OpEffect) to the brokers, and the
// effect and its dedup-table entry change in one operation of the
// replicated state — one log record, one sync, atomically — so a
// redelivered message is recognised and not applied again.
//
// Pub/sub: every group has its own members, generation and offsets over
// the same partition logs, so each gets every message.
//
// # Persistence
//
// Each broker keeps three files: queue-view (the accepted view and its
// primary), queue-snapshot (the state machine with a snapshot epoch) and
// queue-log (operations applied since the snapshot, each a length-prefixed
// record with a CRC, tagged with the epoch). Every CompactEvery operations,
// and whenever the state is replaced by a view change, the broker writes a
// new snapshot and empties the log. A restart reads the view and the
// snapshot and replays the log entries of its epoch; a torn last record
// (never synced, so never acknowledged) is dropped. The broker acts —
// acknowledges, accepts, answers PrepareOK — only once the writes behind
// it are durable (durable.Syncs).
//
// # Failure model
//
// Crash-recovery brokers with fsync-on-request disks (no bit flips; a
// corrupt view or snapshot panics), an asynchronous network that drops,
// delays, duplicates and reorders, partitions (of brokers, and of clients
// with their home broker), pauses and clock jumps (only the monotonic
// clock is used, for timeouts). Progress needs a majority of brokers up
// and connected; safety holds with any number down. Consumers crash
// (the workload's crash ratio, or an operation that times out) and
// restart with nothing but their group's committed offsets.
//
// # What it guarantees
//
//   - No acknowledged send is lost: it is in the log of a majority, and
//     every view change adopts a state that contains it.
//   - One log per partition: an offset never changes its message and a
//     message is appended once; sends acknowledged one after the other
//     get increasing offsets.
//   - At-least-once delivery to every group, in log order within a
//     generation, never from below a committed offset.
//   - Exactly-once effects at an idempotent group's sink.
//
// # The workload
//
// Workload builds the clients: c1..cP produce unique message ids
// ("c1-7") to random partitions; the others are consumers, spread over the
// groups round robin, the last IdempotentGroups of which apply effects.
// A consumer loops over its partitions: fetch a batch, apply the effects
// (idempotent groups), commit; with probability crash it crashes between
// processing and committing. At the heal producers stop and send probes
// until one is acknowledged; consumers go on draining, and three quarters
// into the heal window the idempotent consumers read their sink once.
// MaxSends (workload.ops_per_client) caps a producer's ordinary sends; the
// consumers are never capped, since the checks require them to consume
// every acknowledged send. History operations: send, poll, commit, effect and sink (see OpSend and
// the others).
//
// # The planted bugs
//
//   - Bugs.AckBeforeDurable (ack-before-durable): the primary answers an
//     effect once it has applied it, before a majority holds it. The
//     consumer commits the offset; a new primary has the commit (made
//     through it) but not the effect. no-lost-acked catches it.
//   - Bugs.DedupNotPersisted (dedup-not-persisted): the dedup tables are
//     left out of the snapshot and of the state a view change transfers.
//     After a failover or restart a redelivered message's effect is
//     applied again. unique-effects catches it.
//   - Workload.CommitBeforeProcess (the workload's bugs:
//     commit-before-process): a consumer commits a batch's offset before
//     applying its effects; a crash in between loses them.
//     no-lost-acked catches it.
//
// # Coverage probes
//
// "queue: view change proposed", "queue: new primary active",
// "queue: primary adopted a backup's newer state", "queue: deposed primary
// stepped down", "queue: backup caught up by state transfer",
// "queue: retried request answered from the session table",
// "queue: member session expired", "queue: consumer crashed between
// processing and committing", "queue: primary replicated a batch of
// operations", "queue: recovery dropped a torn log record".
package queue
