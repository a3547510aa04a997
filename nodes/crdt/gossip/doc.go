// Package gossip is a replica of one state-based CRDT from nodes/crdt — a
// G-counter, a PN-counter, an add-wins OR-set, a last-writer-wins register
// or a multi-value register (Config.Type) — replicated by gossip over any
// membership. It speaks nodes/kv's client protocol (kv.Request, kv.Reply)
// with the operations of nodes/crdt (add, remove) and nodes' read and
// write; its clients are nodes/crdt/crdtclient (counter, set) and the kv
// register workload (registers). Its scenario wiring is
// nodes/crdt/crdtkind.
//
// # Design
//
// Every replica holds the whole object and serves every request alone,
// with no coordination: a read answers the local object; an update
// applies to it (an add on a counter raises this replica's own entry; an
// add on the set creates a dot (replica, counter) and answers it, a
// remove deletes the dots it has observed and answers them; a register
// write is stamped with max(local wall clock, current stamp + 1) for lww,
// or with a version vector above every version seen for mvreg). The
// state, with the client sessions, is then written to the one file
// "crdt-state" behind a CRC, and the reply is sent only once that write
// is durable (nodes/durable.Syncs).
//
// Replication is anti-entropy by full state: every GossipInterval (with a
// random phase per replica) a replica sends its object to Fanout peers
// drawn at random, which merge it; what merges changed is written at
// the replica's next gossip round (or with its next update), and shown
// to others once durable. After an update, once durable, the replica also
// pushes it to Fanout random peers at once: a counter pushes its new
// entry (Push: origin and entry, merged as a maximum), the other types
// their whole object. Merges are commutative, associative and idempotent,
// so lost, duplicated, delayed and reordered messages change only how
// soon replicas converge, never to what.
//
// A replica only ever shows others its durable object (Node.Shared, as of
// the last completed sync). Were it to gossip a state its crash could
// lose, its restart could reuse a counter value or a dot peers already
// hold for different operations, and merge would then drop real updates
// as duplicates of the lost ones.
//
// # Sessions
//
// A replica records, per client, the Seq of its latest update and the
// reply; a retry of that Seq gets the same reply (once durable), an older
// Seq is dropped. The clients resend a counter update and a set remove
// to the same replica only (an increment applied by two replicas counts
// twice; a remove applied by two removes dots its one reply cannot
// report), and let reads and set adds go to another one (a second dot of
// an add is harmless). Sessions are per replica and not replicated.
//
// # Failure model
//
// Crash-recovery replicas with durable, fsync-on-request disks (no lost
// disks; a torn or flipped state file is detected by its CRC and panics
// the replica rather than being trusted), an asynchronous network that
// drops, delays, duplicates and reorders, partitions of any shape, clock
// skew, drift and jumps (only lww reads the wall clock: it decides
// between concurrent writes, and a replica whose clock is behind loses
// writes it made later in real time — the design's known trade-off, not
// a fault), pauses. No Byzantine replicas. Every replica that is up
// serves every request (availability under any partition); replicas that
// can reach each other converge once gossip has run between them, so
// after the heal every live replica holds the same object.
//
// # Guarantees
//
//   - Eventual consistency (strong eventual consistency: replicas that
//     have merged the same updates are equal).
//   - No acknowledged update is lost: it is durable at its replica before
//     the reply, and merges only ever add to what a replica knows.
//   - A counter read lies between what the updates invoked before it can
//     add up to; after convergence it counts every acknowledged update
//     exactly once (crdtkind.CounterBounds states the bounds).
//   - The set is add-wins: a remove deletes only the adds it observed,
//     so an add concurrent with a remove of its element survives it.
//   - No linearizability, no session guarantees across replicas: a read
//     at one replica misses an update acknowledged at another until
//     gossip brings it.
//
// # Planted bugs
//
// Config.Bugs (scenario parameter bugs):
//
//   - merge-not-idempotent (PushAddsDelta): a counter push is applied by
//     adding the increment it announces instead of merging the origin's
//     entry. A push delivered twice, or after anti-entropy has already
//     brought the entry, counts the increment twice: a read shows more
//     than every add invoked before it (counter-bounds).
//   - keyed-by-client (KeyedByClient): a counter entry per client instead
//     of per replica, raised by whichever replica serves the client. Two
//     replicas raise the same entry from the same value, merge keeps the
//     larger, and an acknowledged add is lost (counter-bounds, final
//     reads).
//   - count-resets (CountResets): a counter replica sets its own entry
//     from a running total of the increments it has made, kept in memory
//     and not rebuilt by Start from the stored entry. After a restart the
//     total starts from zero, the merge keeps the larger stored entry,
//     and the increments made since vanish until the total catches up
//     (counter-bounds, final reads: the G-counter keyed by a
//     per-incarnation count).
//   - remove-unseen (RemoveUnseen): the set merge reads an element
//     missing on one side as removed there, without asking that side's
//     causal context whether it has seen the add: adds that have not
//     reached a peer yet are deleted by its gossip (set-add-wins).
//
// # Coverage probes
//
// "crdt: gossip brought news", "crdt: push brought news", "crdt: retried
// update answered from the session", "crdt: remove found the element
// absent", "crdt: lww write stamped past a clock that is behind", "crdt:
// operation refused as unsupported by the type", "crdt: replica recovered
// its state from disk".
package gossip
