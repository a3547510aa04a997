// Package dynamo is a Dynamo-style replicated key-value store: consistent
// hashing with virtual nodes, N/R/W quorums coordinated by any server,
// sloppy quorums with hinted handoff, read repair and anti-entropy. It is
// written against Faultline's public API only (package nodes and nodes/kv's
// client protocol); its scenario wiring is dynamokind.
//
// # Design
//
// Ring. Every server knows the cluster (env.Peers() and env.ID()) and
// builds the same ring: each server sits at VNodes positions, the hash of
// "n3#vnode7"; a key sits at the hash of its name (FNV-1a, then a 64-bit
// finalizer so that names differing in one character spread over the ring). Walking clockwise from the
// key, the first N distinct servers are its preference list, the servers
// after them its stand-ins, nearest first.
//
// Coordination. A client may ask any server (route: any or fixed). The
// server forwards the request to the key's coordinator, the first server
// of the preference list it does not suspect (as Dynamo forwards to the
// top of the list); if no answer comes within OpTimeout+Timeout it
// suspects that server and coordinates the request itself. A coordinator
// runs one operation per key at a time (later ones queue), which is what
// makes a failure-free run linearizable, read-modify-writes included.
//
// Versions are last-writer-wins Lamport timestamps (counter, coordinator),
// ties between two different writes broken by value and writer, so every
// replica orders any two records the same way (no siblings are kept). Every
// operation first reads the key from R replicas of the list: a get
// answers the newest record; a put, append or cas applies its operation to
// the newest record with kv.Apply (the checkers' semantics) and writes the
// result as version (max(newest, own clock)+1, coordinator) to the list,
// answering after W acknowledgements. Reading before writing is how a
// write is versioned above every write acknowledged before it — the
// context a Dynamo client carries from its get — and how append and cas
// work at all.
//
// Read repair is blocking: when fewer than W of the replies hold the newest
// record durably, the coordinator writes it back (to the stale repliers,
// to the repliers whose copy is not synced yet, and to any that did not
// answer) and answers the get once W servers hold it durably; when enough
// already do, stale repliers are repaired without waiting. A replica's
// read reply says whether its record is synced (ReadResp.Unsynced): a
// copy still in memory is lost by a crash, and answering from it would
// let the next read quorum miss a value already answered.
//
// Sessions. Each record carries the key's session table (per client the
// highest Seq that wrote the key), inherited by every later version: an
// attempt of a client operation already applied — a retry through another
// server, a forward that outlived its timeout — reads it and answers OK
// without applying the operation again.
//
// Sloppy quorums (Sloppy). A preference-list server that does not answer
// within Timeout, or is suspected, is replaced for that operation by the
// next stand-in; the write it receives carries a hint naming the owner,
// which the stand-in keeps as its own durable file ("h:<owner>:<key>"),
// answers reads from, and re-sends to the owner every AntiEntropy until the
// owner acknowledges it durably; then it deletes the hint. A strict quorum
// instead retransmits to the silent server every Timeout, until the
// operation's OpTimeout, when the coordinator answers kv.StatusRetry.
//
// Anti-entropy. Every AntiEntropy a server sends a random peer a digest:
// (key, version, checksum) of every key it holds that the peer also
// replicates. The peer answers with its records of the keys that differ or
// that it holds and the digest lacked, and asks for the sender's records of
// the keys that differ or that it lacks; both merge by last-writer-wins.
// It is a per-key digest exchange, not a Merkle tree: it sends O(keys) per
// exchange, which is fine for the workloads' few keys and would not be at
// Dynamo's scale.
//
// Persistence. A replica's record of a key is the file "d:<key>" (owner,
// key, version, value, writer, session table, CRC-32). Every replica write
// and every hint is written and synced before it is acknowledged (in
// Synced); a coordinator's own write counts toward W only once synced too,
// and a read counts only synced copies toward W (above). Start rebuilds data, hints and the Lamport clock from the store alone.
// Nothing else is kept: in-flight operations die with the process.
//
// # Failure model
//
// Crash-recovery servers with fsync-on-request disks (no torn writes or
// bit flips: a corrupt record panics; a crash loses what was not synced);
// an asynchronous network that drops, delays, duplicates and reorders;
// partitions. Clocks are not used (only timers). Strict quorums stay safe
// under all of these, however many servers crash and however often —
// safety rests on synced copies only, never on a crash budget — and are
// available while R and W servers of a key's list are reachable and stay
// up long enough to sync; sloppy quorums stay available while any W
// servers are reachable.
//
// # Guarantees and known trade-offs
//
//   - Failure-free, every operation is linearizable (one coordinator per
//     key, serialising its operations).
//   - With strict quorums and R+W > N, under any of the faults above, no
//     stale answers: every read answers a version at least as new as every
//     operation answered before it arrived, and every write is versioned
//     above them, so last-writer-wins never discards an acknowledged write
//     for an older one (the invariant "no stale answers"). This is a
//     regular, not an atomic, register per key. It holds beyond the
//     recoverability budget too: under a crash loop of a majority, an
//     operation that cannot get W synced copies times out instead of
//     answering (the hunt's finding at seed 7000292 was a get answered
//     from a copy not yet synced).
//   - Not linearizable under faults: when the coordinator is suspected,
//     another server coordinates the same key concurrently, and two
//     read-modify-writes that read the same version both apply (one
//     append is lost, or a cas succeeds on a value already replaced);
//     a read may also see a write whose client is still waiting. The
//     session table does not help when two different clients race.
//   - Sloppy quorums (or R+W ≤ N) trade this for availability: a read
//     may miss an acknowledged write that lives only on the other side of
//     a partition or on stand-ins (stale reads; TestStaleReads counts
//     them), and a write coordinated there may be versioned below it and
//     lose to it after the heal.
//   - Acknowledged replica writes are durable (the invariant "durable
//     acks").
//   - Convergence: after the faults heal, hinted handoff and anti-entropy
//     bring every replica of a key to the same record and empty every
//     stand-in's hints. The stock convergence check compares one digest
//     per server, which expresses this only when every server replicates
//     every key (cluster size = N); for larger clusters dynamokind offers
//     the check replicas-agree.
//
// # Planted bugs
//
//   - AckBeforeSync (bugs: ack-before-sync): replicas (and stand-ins)
//     acknowledge a write as soon as it is written, before the sync. A
//     crash in between loses a write W servers promised; the durable-acks
//     invariant catches the replica that comes back without it.
//   - LocalClock (bugs: local-clock): a put skips the read round and is
//     versioned from the coordinator's own Lamport clock, which sees every
//     version that passes through the server. Failure-free the key's
//     coordinator is always the same server and its clock is ahead; after a
//     crash (the clock rebuilt from a store that missed writes) or when a
//     partition moves coordination, the new coordinator versions a write
//     below one already acknowledged, and last-writer-wins discards the
//     newer write. The no-stale-answers invariant catches it.
//
// # Coverage probes
//
// "dynamo: request forwarded to the key's coordinator", "dynamo: forward
// timed out, coordinating locally", "dynamo: quorum request retransmitted",
// "dynamo: sloppy quorum used a stand-in", "dynamo: hint stored", "dynamo:
// hint delivered", "dynamo: blocking read repair", "dynamo: read repair",
// "dynamo: anti-entropy found a difference", "dynamo: anti-entropy repaired
// a key", "dynamo: retried write found already applied", "dynamo: operation
// timed out at the coordinator", "dynamo: restarted with data".
package dynamo
