// Package multileader is an active-active (multi-leader) key-value store:
// every replica accepts reads and writes, applies a write locally and
// durably before acknowledging it, and replicates asynchronously. Two
// conflict policies reconcile concurrent writes: last-writer-wins by the
// accepting replica's wall clock (Config.Conflicts LWW) or version vectors
// with siblings (Vectors). It imports only nodes and nodes/kv; its
// scenario wiring is multileaderkind.
//
// # Design
//
// Clients speak nodes/kv's protocol with the kv workload's route: fixed:
// client ci always talks to its home replica n((i-1) mod N)+1 and, if the
// home is down or cut off, retries there until the operation times out.
// Fixed routing is the choice because the session table (client → its
// latest write and the reply) is per replica and not replicated: a retry
// that reached another replica would apply the write twice (a double
// append). No replica is a leader; none answers StatusNotLeader.
//
// A get is answered at once from the replica's durable state (never from
// a write still waiting for its sync). A put, append or cas is applied
// with kv.Apply to the key's current value (under Vectors, the siblings
// joined by nodes.JoinSiblings, so a cas compares against what a get shows);
// a rejected cas is answered at once. An accepted write becomes a new
// version of the key:
//
//   - LWW: stamped (wall-clock milliseconds by env.Now(), replica id, the
//     replica's own write counter) and merged like any arriving version:
//     the larger stamp wins, ties between replicas go to the larger id.
//     A write stamped below the key's current stamp (its replica's clock
//     is behind) loses at once, though it is acknowledged.
//   - Vectors: its vector is the replica's causal context for the key (the
//     join of every vector it has merged or made) plus one at its own
//     entry. It dominates exactly what the replica has seen, so it
//     replaces the siblings held there: the client sent no context, so a
//     write cannot supersede versions its replica has not received.
//     Merging keeps every version no other version descends from:
//     concurrent writes become siblings, and a get returns them all, as
//     nodes.JoinSiblings. Siblings are resolved by a later write at a replica
//     that has seen them all (its vector dominates each), not by a merge
//     on read: reads never write.
//
// The replica then writes its whole state — per key the versions, the
// causal contexts, its write counter, the session table — to one file
// behind a CRC and syncs it; syncs are group commits (changes made while
// one is in flight go out together in the next). Only in Synced does it
// acknowledge the writes the sync covers, make that state the one reads
// and peers see, and push the locally written keys' versions to every
// peer (best effort: a Delta, no answer expected). A replica never shows
// a peer anything a crash could take back, so a version that exists
// anywhere survives in its origin's store, and a restarted replica never
// reuses a write counter or vector entry someone has seen.
//
// Anti-entropy repairs what pushes missed (drops, partitions, crashes):
// every anti_entropy interval (default 100ms, monotonic clock) a replica
// sends its next peer, round robin, a Digest: one FNV-64a hash per key of
// the canonical rendering of its durable versions. The peer answers with a
// Delta holding its versions of every key whose hash differs or that only
// one side has, and a Want listing those keys; the first replica merges
// them and answers the Want with its own versions of those keys. One round
// thus repairs both directions for every differing key, and merging is
// idempotent, commutative and associative, so duplicated, reordered and
// stale deltas do no harm. Once faults heal and writes stop, every pair of
// replicas exchanges digests within N-1 rounds, and all converge.
//
// A restart rebuilds everything from the state file (sessions read back
// are complete: the file was synced); a replica starts serving at once.
//
// # Failure model
//
// Crash-recovery replicas with fsync-on-request disks (a crash loses
// unsynced writes; a torn or bit-flipped state file is detected by its CRC
// and panics: disk-tear and disk-flip are outside the model), an
// asynchronous network that drops, delays, duplicates and reorders,
// partitions of any shape, pauses, and clocks that skew, drift and jump.
// Any replica that is up accepts writes, whatever the partition: the
// system is available for writes under every partition (AP), and a
// replica alone is enough. Clock faults never affect safety under
// Vectors; under LWW they decide which writes survive (below).
//
// # Guarantees and known trade-offs
//
//   - Acknowledged writes are durable at the accepting replica: they
//     survive its crash and restart.
//   - Convergence: after the faults heal and writes stop, all replicas
//     reach the same state (equal digests) within a few anti-entropy
//     rounds.
//   - Vectors: no acknowledged write is silently lost. Each is either
//     among the final siblings or dominated by a write made at a replica
//     that had received it (a write that causally followed it).
//   - LWW: one value per key, but acknowledged writes are silently
//     discarded whenever a concurrent or even later write carries a larger
//     stamp: under clock skew or a backward jump, a write acknowledged
//     after another one completed can lose to it. That is the documented
//     trade-off of wall-clock LWW, not a bug; scenarios/multileader-lww-skew
//     shows it (TestLWWLosesWritesUnderClockFaults counts such writes).
//     Millisecond stamps also make ties real; they are broken by replica
//     id, the same way at every replica.
//   - Not promised: linearizability or sequential consistency (a read at
//     one replica misses a write acknowledged at another until the push or
//     anti-entropy arrives), nor session guarantees across replicas.
//     Scenarios check invariants, liveness and convergence, never
//     linearizable.
//
// # Planted bugs
//
// Config.Bugs (scenario parameter bugs), each caught by the online
// invariants (multileaderkind) under the generated nemesis:
//
//   - merge-not-commutative (lww): the merge compares stamps by their
//     clock alone and lets an arriving version win a tie. Two replicas
//     that stamp one key in the same millisecond swap values and disagree
//     forever; the invariant "a replica's stamp for a key never goes back"
//     fails at the first such merge.
//   - vector-compare-wrong (vectors): "a descends from b" iterates a's
//     entries only, so a version concurrent with a held one looks already
//     included and is dropped (or drops the held one). The invariants "a
//     held version disappears only under one that descends from it" and
//     "the siblings join to the causal context" fail.
//   - apply-before-sync: a write is acknowledged when applied, before its
//     state is durable; a crash in between loses an acknowledged write,
//     and the invariant "acknowledged versions survive a restart" fails.
//
// # Coverage probes
//
// "multileader: write accepted", "multileader: lww write lost at once to
// a later stamp", "multileader: lww tie between replicas broken",
// "multileader: concurrent writes kept as siblings", "multileader:
// siblings resolved by a write", "multileader: anti-entropy repaired a
// key", "multileader: retried write answered from the session table",
// "multileader: recovered state from disk".
package multileader
