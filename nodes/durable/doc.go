// Package durable is what a protocol that persists through nodes.Store
// needs and would otherwise write again: a checksummed record format, so a
// torn or flipped write is detected rather than trusted, and actions that
// wait until the store has made durable everything written before them.
//
// # Acting on durability
//
// A protocol must not acknowledge what its disk does not yet hold. Write,
// then ask Syncs to run the acknowledgement once it is durable:
//
//	env.Store().Write("state", durable.SealJSON(n.state))
//	n.syncs.After(env, func(env nodes.Env) { env.Send(client, reply) })
//
// and forward Node.Synced to Syncs.Synced. Syncs numbers the store's sync
// tags itself: issue every sync through it (a Store().Sync of your own
// would share its tags). Actions run in the order they were registered; a
// crash drops them with the node (its replacement starts with an empty
// Syncs, and rebuilds from what the store kept).
//
// # Records
//
// Seal puts a CRC-32 (IEEE) of the body, big-endian, in front of it; Open
// checks and strips it. SealJSON and OpenJSON do the same around
// encoding/json (which writes map keys sorted, so equal values seal
// equally).
//
// # Logs
//
// AppendJSON appends a sealed record to a file behind its length, one
// store write each; ReadLog reads the records back, stops at the first
// torn or corrupt one and cuts the file back to the records before it, so
// that what is appended after a recovery is not hidden behind a torn tail.
package durable
