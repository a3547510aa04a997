// Package abd is a multi-writer ABD quorum register per key (Attiya,
// Bar-Noy and Dolev, with Lynch and Shvartsman's multi-writer extension)
// speaking nodes/kv's client protocol. There is no leader: every server
// replicates every key and coordinates whatever client request reaches
// it, so kv clients use route: any (or fixed). Its scenario wiring is
// nodes/abd/abdkind.
//
// # Design
//
// Each server holds, per key, one Version: a Tag, the value, and the
// write (client, seq) that wrote it. A Tag is (timestamp, coordinator id,
// coordinator counter), ordered lexicographically; a quorum is a
// majority, n/2+1. A coordinator runs an operation in phases, sending
// each phase's message to every server (itself included), acting on the
// first quorum of answers and resending to the silent ones every
// Config.Retransmit:
//
//   - Read: query a quorum for its versions and take the highest. If the
//     quorum agreed on it, answer; otherwise write it back (Store) to a
//     quorum first, then answer. The write-back is what makes reads
//     linearizable: once a read has returned a version, a quorum holds it,
//     so every later read sees it or a newer one.
//   - Write: query a quorum (phase 1); reserve the write's tag at a quorum
//     (phase 2, below); store the version at a quorum (phase 3); answer.
//     A fresh tag is (highest timestamp seen + 1, coordinator, counter+1);
//     the counter is persisted before the tag is sent, so neither another
//     coordinator nor this one after a restart ever issues the same tag.
//
// A server answers a Query once what it reports is durable, records a
// reservation and stores a version (when its tag is higher than the one
// it holds) before it acknowledges, and syncs before every answer:
// everything a server has said survives its crash. Its state — versions,
// session records and counter — is one file, "abd-state", behind a CRC;
// Start rebuilds from it alone. A coordinator's operations in flight are
// volatile: a crash forgets them and the client retries elsewhere.
//
// # Idempotence under retries at another coordinator
//
// A kv client that hears nothing within its attempt timeout resends the
// same (client, seq) to another server, while the first coordinator may
// still be working on it. Classic ABD assumes one coordinator per write;
// here two would choose two tags for the same value, and a read could see
// it, then a later write, then it again (bug no-reservation shows this
// happens in almost every seed of a lossy run). Storing (client, seq) in
// the version and adopting it when a retry finds it is not enough: a
// partial store of the first attempt may sit, unseen by the retry's query
// quorum, at a minority, and be read later.
//
// So a write's tag is fixed before any version carries it. Each server
// keeps a session record per client: the seq of its latest write and the
// tag reserved for it. Reserve(client, seq, tag) records the tag if the
// server has no record of that seq (first come), and answers with the
// tag it has recorded — possibly another coordinator's. A tag recorded by
// a quorum is the write's tag: records never change for a seq, and two
// quorums meet, so only one tag per write ever reaches a quorum, and only
// that tag is ever stored. A coordinator stores whichever tag reached a
// quorum (the value is the request's either way). A write's query phase
// also collects the records of (client, seq); a retry that finds one
// proposes it instead of a fresh tag, so attempts converge. If all n
// servers have answered and no tag has a quorum (three coordinators raced
// on one write in a 3-server cluster, or two split 2–2 in a 4-server
// one), no tag ever will — records never change — so the write is never
// stored: the coordinator answers kv.StatusFailed and the client ends it
// fail and moves on. (It used to answer StatusRetry, and the client
// retried the same seq until its timeout, which failed liveness when the
// timeout outlasted the heal: found by faultline hunt.) A record for a
// later seq makes any attempt of an earlier one stale (the client has
// moved on): it is dropped unanswered. A reservation round costs one
// round trip and one sync per write.
//
// # Read-modify-write
//
// An ABD register has no atomic read-modify-write (its consensus number
// is 1): cas and append would read one version and write another with
// any number of writes in between. The server answers them with
// kv.StatusUnsupported, which the kv client records as a definite
// failure, and abd's scenarios use mixes of get and put (read and write)
// only.
//
// # Failure model
//
// Crash-recovery servers with durable, fsync-on-request disks (no torn
// writes, bit flips or lost disks: a corrupt state file panics, and a
// server that came back empty would break quorum intersection), an
// asynchronous network that drops, delays, duplicates and reorders, and
// partitions. Clocks are never read (retransmits use timers). No
// Byzantine servers. Safety holds under any faults; an operation finishes
// while its coordinator reaches a majority, so the cluster serves while
// any minority is crashed, paused or cut off.
//
// # Guarantees and known trade-offs
//
//   - Linearizable get/put (read/write) per key, with exactly one tag per
//     write even when the client retries it at other coordinators.
//   - No leader, no election, no view change: any majority serves.
//   - Writes take three round trips (query, reserve, store), reads one or
//     two. There is no anti-entropy or read repair beyond the write-back:
//     a server outside the last quorums of a key keeps an older version
//     indefinitely, so servers need not converge (abdkind declares no
//     Digest), though every read returns the latest write.
//   - Session records grow with the number of clients (one per client),
//     versions with the number of keys; the whole state is rewritten on
//     every change, which suits the simulator's small keyspaces.
//   - cas and append are unsupported (above).
//
// # Planted bugs
//
// Config.Bugs (scenario parameter bugs), each caught by linearizability:
//
//   - no-write-back: a read answers the highest version of its query
//     without writing it back. A write stored at one server so far is
//     returned by a read that asks it and missed by a later read that
//     asks the others: a new-old inversion.
//   - tag-not-unique: a fresh tag is (highest timestamp + 1) with neither
//     coordinator id nor counter, as single-writer ABD has it. Two
//     coordinators writing one key concurrently choose the same tag for
//     different values; each server keeps the one that came first, and
//     reads disagree.
//   - minority-quorum: quorums of n/2 instead of n/2+1. Two quorums need
//     not meet, so a read misses a completed write.
//   - no-reservation: a write stores its fresh tag at once, skipping the
//     reservation round: a write retried at another coordinator is stored
//     under two tags.
//
// # Coverage probes
//
// "abd: read wrote back a newer version", "abd: read skipped the
// write-back, a quorum already agreed", "abd: read found the key never
// written", "abd: retried write adopted its reserved tag", "abd: write
// took the tag another coordinator reserved", "abd: reservation refused,
// the write has another tag", "abd: reservations split, no tag has a
// quorum", "abd: stale write dropped, the client has moved on", "abd:
// coordinator gave up on an operation", "abd: read-modify-write refused
// as unsupported", "abd: server recovered its state from disk".
package abd
