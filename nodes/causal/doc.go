// Package causal is a causally consistent key-value store in the style of
// COPS (Lloyd et al., SOSP 2011): every replica serves its clients
// locally, acknowledges a write once its own disk holds it, and
// replicates it to every other replica asynchronously, with its
// dependencies; a replica makes a remote write visible only once the
// writes it depends on are visible there. It imports only nodes,
// nodes/kv, nodes/durable and nodes/vclock.
//
// # Design
//
// Sessions. A client's causal past travels with it in the kv session
// context (kv.Request.Context, [Context]): a Lamport time and, per key,
// the highest version stamp in its causal past — what it has read or
// written and, transitively, what those versions depend on (a read adds
// the version's dependencies to the context, so the context stays closed
// and a write that overwrites a key still depends on the past of the
// version it overwrites). Every OK reply
// returns the context grown by what the operation saw, so a client that
// moves to another replica after a timeout (the kv workload's route:
// leader sticks to a replica and moves on) brings its past along. A
// replica serves a request only when the client's past is visible there —
// its version of every key in the context is at least the context's
// stamp — and parks it until then (the client's attempt timeout moves it
// on if the writes do not come). A context the replica itself returned
// last needs no check: as in COPS, where a client's local cluster is
// causally consistent by itself, the replica's visible state is causally
// closed and holds everything it has shown the client. So the check costs
// nothing while a client stays put, and read-your-writes, monotonic reads,
// monotonic writes and writes-follow-reads hold across replicas.
//
// Writes. A write's [Stamp] is (context time + 1, client, seq): above
// every version in the writer's causal past, unique, and derived from the
// request alone, so a retry at another replica or a late duplicate makes
// the same version and a write takes effect once (the stamp is the
// dedup: no session table is needed). Its dependencies are the context's
// per-key stamps (its own key left out: the write overtakes it). The
// accepting replica installs it if it is newer than its version of the
// key, writes its state file, and once the sync completes acknowledges
// the client and sends an [Update] to every peer. Concurrent writes to a
// key are resolved by the stamp, last writer wins, the same way
// everywhere, so replicas converge.
//
// Causal delivery. An Update whose dependencies are not all visible is
// buffered, and delivered when they are (every install re-examines the
// buffer). Updates are not acknowledged or retransmitted one by one:
// anti-entropy repairs what the network lost. Every AntiEntropy interval
// a replica sends its whole visible state to the next peer, round robin,
// as a [Snapshot]. A replica's visible state is causally closed (every
// version's dependencies are visible too), and the key-by-key newest of
// two closed states is closed, so a snapshot is merged at once with no
// dependency check — which is also what lets buffered updates whose
// dependencies were overwritten before they were sent be delivered.
//
// Lamport clock. Each replica keeps a [vclock.Lamport] clock that
// observes every version it installs — its clients' and its peers' — and
// every client context it receives. A reply's context time is at least
// the clock, so it covers every version the replica could have shown.
//
// Reads are answered once the store has synced what they return, so no
// client's causal past includes a version that a crash could take from
// every replica.
//
// cas and append are answered kv.StatusUnsupported: an atomic
// read-modify-write needs agreement between replicas, which a store that
// stays available under partitions cannot have. Scenarios use get and put.
//
// # Failure model
//
// Crash-recovery replicas (Start rebuilds everything from the state file:
// versions and clock; buffered updates and parked requests are lost and
// come back through anti-entropy and client retries), a network that
// loses, duplicates, delays and reorders messages, and partitions of any
// shape. A client can always be served by a replica that holds its
// causal past — its home replica, in particular, while it can reach it —
// so the store stays available on every side of a partition for clients
// that stay put; a client that moves to a replica lacking its past waits
// until that replica catches up. After the heal anti-entropy converges
// all replicas to the same versions (the convergence check's digest).
// The disk loses unsynced writes on a crash (disk-lose included); a torn
// or flipped state file (disk-tear, disk-flip) is outside the model: the
// checksummed file (nodes/durable) turns it into a panic at restart,
// never a silently wrong state.
//
// # Guarantees
//
// Causal consistency with convergence (causal+): no read misses a write in
// its causal past, across keys (checker.Causal), the session guarantees,
// and identical replicas after the heal. Not linearizable or
// sequentially consistent: a read may be stale, and concurrent writes are
// ordered by stamp, not real time (a write can lose to a concurrent one
// from a client with a higher Lamport time).
//
// # Planted bugs
//
//   - deliver-before-deps: an Update is installed on arrival, its
//     dependencies unchecked. A client that reads the new write at that
//     replica and then a key it depends on sees the old value (the
//     replica trusts its own state, so no context check stops it).
//   - lamport-no-observe: the replica's clock is not advanced by writes it
//     receives from peers. A client reading a peer's write gets a context
//     time below that write's, so its next write to the key has a lower
//     stamp than the version it read and loses to it: the client then
//     reads the older value back.
package causal
