// Package kv is the client side of any key-value protocol in Faultline:
// the request and reply messages a KV node speaks, and the simulated
// clients (workloads) that issue operations, retry them, and record the
// history the checkers judge.
//
// A protocol is a KV store for Faultline's purposes if its nodes accept
// Request from clients and answer with Reply. Nothing here knows which
// protocol is behind the messages, so the same workload drives Raft KV
// today and other protocols later.
//
// # Workloads
//
// A [Workload] describes what the clients do; [Workload.Factory] builds
// them for sim.Config.Client. Every field has a default, so the zero
// Workload is a sensible KV load:
//
//	wl := kv.Workload{Keys: 10, MaxOps: 200}
//	if err := wl.Validate(); err != nil { ... }  // user input: an error, not a panic
//	w, _ := sim.New(sim.Config{Nodes: 5, Node: raft, Clients: 5, Client: wl.Factory(), ...})
//	rec := checker.NewRecorder(wl.Model())         // "kv" or "register"
//
// KindKV issues get, put, append and cas over keys k1..kN; KindRegister
// issues read, write and cas on the single key "". Mix weighs the kinds.
//
// In ModeClosed (the default) each client has one operation at a time and
// invokes the next when it ends, after an optional think time. In ModeOpen
// operations arrive every Interval whether or not earlier ones ended, so a
// slow system piles up outstanding operations (at most PendingMax per
// client; later arrivals are skipped and counted) and latency includes the
// wait — open loop does not hide slowness the way closed loop does.
//
// # Sessions: one request in flight, Seq only grows
//
// A server keeps exactly-once semantics with a session table: per client,
// the highest Seq applied and its result. That table is only correct if a
// client's requests reach it in Seq order, so a client never has two
// requests in flight: even in open-loop mode the operations it has invoked
// wait in a queue and are sent one after another. Several operations are
// outstanding in the history (they are concurrent, which is what open loop
// means); one is on the wire. To load a server harder, add clients.
//
// Seq numbers a client's operations from 1 and a retry keeps its Seq. A
// restarted client (Start called again; the nemesis never does this, but a
// harness may) begins a fresh session: it counts its sessions in its own
// store ([SessionFile]) and numbers the operations of session s from
// s<<32 | 1, above every Seq it used before, so no server mistakes a new
// operation for a retry of an old one. It waits for that count to be
// durable before its first operation. Operations cut off by the crash stay
// pending in the history, which the checker treats as indeterminate.
//
// # Session context
//
// A server may return a Context with an OK reply; the client keeps the
// latest and sends it with every later request, retries included and
// whichever server they go to (Request.Context). The client never reads
// it. A store whose guarantees follow the client from server to server —
// a causal store's dependencies, a session's last-seen version — carries
// them there, so a client that moves after a timeout brings its causal
// past along. A restarted client starts with an empty context. Protocols
// that set none see no change.
//
// # Outcomes
//
//	reply / event                       history outcome
//	StatusOK                            ok (get/read: Output = Value, Exists; cas: Output "true")
//	StatusCASMismatch                   fail — or ok with Output "false" if CASMismatchOK
//	StatusUnsupported                   fail (the server never performs this kind)
//	Timeout, never sent                 fail (it cannot have taken effect)
//	Timeout, sent, read                 fail (a read has no effect, whatever happened)
//	Timeout, sent, write/append/cas     info (it may or may not have taken effect)
//	client crashed                      stays pending (treated as info)
//
// A reply whose Seq is not the operation in flight (a late answer to an
// earlier operation, a duplicate) is ignored.
//
// # Retries and leader discovery
//
// A client starts at a random server. A StatusNotLeader reply with a
// Leader hint is followed at once (at most once per server in a row, so
// two confused servers cannot bounce a request forever); without a hint
// the client tries the next server after a backoff. StatusRetry waits a
// backoff and resends to the same server (or to the hinted leader). A
// server that does not answer within AttemptTimeout is passed over for
// the next one. The n-th consecutive backoff of an operation is a uniform
// draw from [d/2, d], d = BackoffMin·2ⁿ capped at BackoffMax; the jitter
// keeps clients from retrying in lockstep after a leader change. All of
// it stops at the operation's Timeout.
//
// That is Workload.Route's default, RouteLeader, for protocols with a
// leader or primary. Protocols in which any server coordinates choose
// RouteFixed (every attempt goes to the client's home server) or RouteAny
// (every attempt to a server drawn from the client's random stream); both
// ignore hints, and backoffs and timeouts work the same.
//
// # Values
//
// With ValuesUnique (the default) every written value names its writer,
// "c3-17" (client c3's 17th value; "c3e1-4" in its second session), so a
// read says which write it saw, which keeps Porcupine's search short.
// Appended values end in ";" so a key's value reads as a list. A cas
// expects the last value the client saw or wrote for the key; if it knows
// none, it reads the key instead. A cas never expects "", so a server's
// choice of what a missing key compares as does not matter. ValuesSmall
// writes "0".."ValueRange-1", as Jepsen's register tests do.
//
// # Bounding the history, and liveness
//
// MaxOps bounds the operations per client and Stop the time at which
// clients stop invoking; [Client.StopIssuing] does the same from a
// harness at any moment (from a sim.At callback). Keep the operations
// concurrent on one key modest — clients × PendingMax ÷ keys — or the
// linearizability check may run out of budget and answer Unknown.
//
// Info operations cost the checker most: each may take effect at any point
// after its invocation, so the search grows exponentially with their number
// per key (measured: 5 never-applied Info writes per key check in 40 ms,
// 10 exhaust a 3 s budget). Two knobs keep them rare: a long Timeout (the
// default 5 s outlives most outages, and a write retried with the same Seq
// then ends OK), and InfoMaxPerKey, after which a client only reads a key
// it has left that many Info writes on.
//
// For the liveness phase, set ProbeAt to the time the harness heals the
// cluster: at that time clients c1..cProbeClients stop ordinary operations
// and write (one at a time, retrying for up to ProbeFor) until a write
// ends OK. [Client.Probe] then reports whether and when it did:
//
//	c := w.Node(nodes.ClientID(1)).(*kv.Client)
//	if p := c.Probe(); !p.OK || p.Latency > window { ... no recovery ... }
//
// Probe writes are ordinary operations in the history, so the checker
// judges them too. [Client.Stats] counts every client's outcomes.
//
// Stop and ProbeAt are read on the client's monotonic clock, which is
// virtual time since the client started: clients start at time zero and
// have no clock skew or drift unless a caller injects it.
//
// # Determinism
//
// A client draws everything (its first server, operations, keys, values,
// backoffs, open-loop phase) from env.Rand(), its own stream of the run's
// seed, and keeps no map whose order could matter: the same seed gives the
// same history.
package kv
