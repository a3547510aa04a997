// Package causal is the operation-based add-wins set with causal delivery:
// replicas exchange operations, not states (the "crdt" kind's type
// orset-op; its wiring is nodes/crdt/crdtkind, its clients the set
// workload of nodes/crdt/crdtclient, over nodes/kv's client protocol).
//
// # Design
//
// A replica applies a client's add or remove at once, as an operation
// Op named (Origin, Seq), Seq counting the origin's operations from 1. An
// add's dot is (Origin, Seq); a remove carries the dots of its element
// the replica has delivered, the adds it observed. Every operation
// carries Deps, the version vector of what its origin had delivered when
// it issued it. The replica appends the operation, with the client's
// session record, to its delivery log (LogFile: length-prefixed records
// behind a CRC), replies once that is durable, and then broadcasts the
// operation to every peer.
//
// A replica delivers an operation from another exactly once, after every
// operation it depends on: when Seq is the next of its origin and Deps is
// covered by what it has delivered. Others wait in a buffer. Delivered in
// causal order, add and remove effectors of concurrent operations commute
// (a remove names only dots its origin observed, never a concurrent
// add's), so replicas that delivered the same operations hold the same
// set, and an add concurrent with a remove of its element survives it.
//
// Broadcasts may be lost, so every GossipInterval a replica sends Have
// (what it has delivered) to Fanout random peers; a peer answers with the
// operations of its log beyond it (at most DefaultMaxOpsPerAnswer, in log
// order, which is a causal order). A replica never sends its own
// operation before it is durable: a crash would otherwise let it reuse
// the Seq for another operation that peers would drop as a duplicate.
// Operations from others it may forward at once: their origin made them
// durable before it sent them.
//
// Start replays the log (a torn last record, a write the crash
// interrupted, is dropped; an earlier corrupt record panics). Delivered
// operations from others that were not yet synced may be lost in a crash
// and come back through anti-entropy. The log grows with every operation
// (no garbage collection: the runs are short).
//
// # Failure model
//
// As nodes/crdt/gossip: crash-recovery replicas with durable disks (a
// torn tail is tolerated), an asynchronous network that drops, delays,
// duplicates and reorders, partitions, pauses; no clocks are read.
// Every replica that is up serves every request; replicas that can
// reach each other converge once anti-entropy has run between them.
//
// # Planted bug
//
//   - fifo-delivery (Bugs.FIFOOnly): an operation is delivered once it is
//     the next of its origin, whatever it depends on from other replicas.
//     A remove that observed an add from a third replica can arrive first
//     (the network's latency alone reorders them), removes nothing, and
//     the add, delivered later, leaves the element at that replica only:
//     replicas never converge (the convergence check).
//
// # Coverage probes
//
// "crdt: op-based replica buffered an operation for its dependencies",
// "crdt: op-based anti-entropy resent operations", "crdt: op-based
// replica replayed its log", "crdt: op-based replica dropped a torn log
// tail", "crdt: retried update answered from the session", "crdt:
// operation refused as unsupported by the type".
package causal
