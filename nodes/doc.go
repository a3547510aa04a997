// Package nodes is the interface distributed protocols are written against.
//
// A protocol is a [Node]: a pure state machine with four entry points. The
// simulator calls them one at a time, each at a single instant of virtual
// time, and each runs to completion before anything else happens (a handler
// is atomic). Everything a node may touch comes through the [Env] handed to
// each call: its identity and peers, its local clocks, the network, timers, a
// random source drawn from its own seeded stream, a durable [Store] and a
// logger whose lines go into the trace.
//
// # Rules for node code
//
// Node code never reads the wall clock, never uses the global math/rand or
// crypto/rand, never starts goroutines, never uses select, and never lets
// map iteration order reach a decision or a message (iterate sorted keys).
// These rules are what make a seed reproduce a run byte for byte; they are
// enforced by sim/lint as part of go test ./... .
//
// # Messages do not alias
//
// A message handed to [Env.Send] is deep-copied at the moment of sending
// (and each duplicate gets its own copy), so a receiver never observes a
// later mutation by the sender and the sender never observes the receiver's.
// The copy is made by reflection; a message type that implements [Cloner]
// supplies its own copy instead (faster, and the author promises it is deep).
// Messages should be plain data: exported fields, no pointers to shared
// state, no channels or functions. Their %+v rendering appears in the trace,
// so a message with pointer fields should implement fmt.Stringer.
//
// A message is named by its Go type (AppendEntries) in the trace and in
// message-targeted faults (drop-type AppendEntries). A protocol that sends
// one envelope type for every kind of message — an encoded frame, a
// protobuf message with a type field — implements [Envelope], and each
// message is named by its kind instead (etcdraft's RaftMessage: MsgApp,
// MsgVote, ...).
//
// # Recycled messages
//
// A type that implements [Recycler] (a pointer type, as *AppendEntries)
// is copied on send into a delivered copy of the same type that its
// handler has finished with, instead of into new memory: the simulator
// keeps the delivered copies of each world, per type, and hands them back
// to CloneInto. A protocol sends such a message from a scratch value it
// reuses (Send copies at once) and, on the receiving side, copies out what
// it keeps before the handler returns. It is an opt-in for the few
// messages that dominate a protocol's traffic; everything else is copied
// into fresh memory and may be kept forever.
//
// # Crash and restart
//
// A crash discards the Node value and all its timers. A restart builds a new
// Node with the same factory and calls [Node.Start]; the only thing that
// survives is what the node synced to its [Store]. Start is also what runs
// on a fresh node (the store is then empty), so one code path recovers.
//
// # Durability
//
// Store writes are visible to reads at once but volatile until a
// [Store.Sync] completes: the completion arrives later, in virtual time, as
// a call to [Node.Synced]. A node that acknowledges a write before that call
// has the classic "ack before fsync" bug, and a crash in between loses the
// write — the simulator makes that observable.
//
// nodes imports nothing from the simulator: a protocol written here can be
// driven by any host that implements Env.
package nodes
