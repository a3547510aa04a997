// Package shardkv is a sharded key-value store that moves shards between
// replica groups: the MIT 6.5840 ShardKV lab written as a Faultline
// protocol. Keys hash (FNV-1a) into Config.Shards shards; a replicated
// shard controller assigns shards to replica groups by numbered
// configurations; groups hand shards over, with their session tables,
// when a configuration moves them. Its scenario wiring is
// nodes/shardkv/shardkvkind (node kind "shardkv").
//
// # Layout
//
// One Faultline cluster holds every server: n1..nCtrlSize run the
// controller, then group 1 (GroupSize servers), group 2, and so on. Each
// is a Raft group of nodes/raftkv, reused through its StateMachine hook
// (raftkv.NewNode with a custom state machine and the group's members as
// peers): Raft orders and persists the commands (its WAL on env.Store(),
// snapshots of the state machine, crash recovery from the store alone);
// this package supplies the state machines. Every command, reads
// included, goes through the log (raftkv.ReadLog). Raft traffic stays
// within a group; groups talk to each other only to move shards, and to
// the controller only to ask for configurations.
//
// # The controller
//
// The controller's state machine holds every configuration: configuration
// 0 owns nothing, and each join or leave event makes the next one,
// rebalancing evenly with minimal movement (a leaving group's shards go to
// the emptiest groups, then single shards move from the fullest to the
// emptiest until counts differ by at most one; ties go to the lowest group
// number, so every replica computes the same). The events come from the
// scenario (Config.Schedule, parameter schedule): the controller's leader
// proposes event i once ScheduleGap of its monotonic clock has passed
// since it saw event i-1 applied (event 0 at once); proposing is
// idempotent (an event applies only as the next one), so leader changes
// and restarts neither skip nor repeat one. Queries (ctrl-query) go
// through the controller's log, so an answer reflects every event applied
// before it.
//
// # A group's shards
//
// A group's state machine holds its current configuration, the one
// before, and the shards it owns or still holds, each in one state:
//
//	serving   owned, data present, nothing in transit
//	pulling   owned in the current configuration, data not yet arrived
//	handoff   owned in the previous configuration only: frozen data waiting
//	          for the new owner to take it
//	cleanup   owned, data installed, the old owner not yet told it may
//	          delete its copy (served)
//
// A client operation is applied only if the shard of its key is serving or
// cleanup in the configuration applied before it in the log; otherwise it
// is answered kv.StatusNotLeader with a server of the owning group as hint
// (the kv client follows hints, so routing is key → shard → group by
// redirect, refreshed on every wrong-group answer), or kv.StatusRetry
// while the shard is arriving. Each shard has its own session table
// (client → highest Seq applied to the shard and its reply), so a retried
// write is applied once; the table moves with the shard.
//
// # Reconfiguration
//
// The leader of each group ticks every PollInterval. Strictly one
// configuration at a time: only when every shard it holds is serving does
// it ask the controller for configuration Cur+1, and it proposes it when
// the answer is exactly that. Applying configuration k moves each shard:
// kept (serving stays serving), gained from group 0 (the first
// configuration: serving, empty), gained from another group (pulling),
// lost (handoff: the group stops serving it at this point of its log).
//
// For each pulling shard the leader sends Pull(k, shard) to a server of
// the previous owner; any server of that group that has applied
// configuration k and holds the shard in handoff answers with its data and
// session table (frozen from that point of the log, so any replica's copy
// is the same). The new owner proposes the transfer; applying it (only in
// configuration k, only while pulling) installs data and sessions and
// moves the shard to cleanup, serving. The leader then sends Release(k,
// shard) to every server of the old owner, whose leader proposes the
// delete; once applied
// (or once the old owner has moved past k) it answers ReleaseAck, and the
// new owner proposes cleaned, moving the shard to serving. Every message is
// retried each tick until its effect is seen, and every command is
// idempotent, so loss, duplication, reordering and leader changes only
// delay a move.
//
// A group leaves configuration k only when its shards are all serving: it
// has installed everything it gained and the new owners of everything it
// lost have confirmed. So in every configuration a shard is served by at
// most one group (the one-owner check), and a shard changes hands only
// after its data and sessions arrived.
//
// # Failure model
//
// Crash-recovery servers with durable disks (a power loss may tear or
// drop unsynced writes, as raftkv's WAL handles), an asynchronous network
// that may drop, duplicate, delay and reorder messages and partition any
// set of servers, and clocks that skew and drift (used only for timeouts
// and the schedule's gaps). Safety (linearizability per key, one owner per
// shard and configuration) holds under all of these. Progress needs a
// majority of the controller and of every group involved in a move to be
// up and connected; a group stuck without a majority stalls every
// configuration change that moves its shards, and clients of its shards,
// until it recovers. A schedule must leave at least one group at every
// step (Validate), or the shards' data would have nowhere to go.
//
// # Planted bugs
//
// Config.Bugs switches on mistakes a careful implementer could make, each
// caught by a scenario in scenarios/bugs/shardkv-*.yaml:
//
//	ServeBeforeData   serve a shard as soon as the configuration gives it,
//	                  before the data arrived (stale reads, lost writes)
//	NoSessionMove     move a shard without its session table (a retried
//	                  append is applied twice)
//	ConfigOutOfOrder  install the next configuration while shards of the
//	                  previous one are in transit (a shard still being
//	                  pulled is handed on empty: lost writes)
package shardkv
