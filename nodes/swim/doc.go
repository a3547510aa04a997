// Package swim is a membership protocol: every member keeps a view of the
// cluster — each other member alive, suspect or dead, at an incarnation
// number — and a failure detector keeps it up to date. Three detectors
// are built in, chosen by Config.Detector, so that one scenario can
// compare them under the same faults:
//
//   - SWIM (Das, Gupta and Motivala, 2002), the default: a member probes
//     one other member per protocol period; if the direct ping is not
//     acknowledged within ProbeTimeout it asks IndirectK others to probe
//     for it (ping-req), and if no acknowledgement arrives by the end of
//     the period it marks the member suspect. A suspect that does not
//     refute within the suspicion timeout (SuspicionMult × max(1, log10 n)
//     periods) is declared dead. News (alive, suspect, dead, each with an
//     incarnation) is piggy-backed on the pings and acks, each item on
//     RetransmitMult × ceil(log2(n+1)) messages. Targets are chosen in a
//     randomised round robin, so every member is probed within two
//     passes. The message load per member is constant in the cluster size.
//   - All-to-all heartbeats judged by a fixed timeout (fd.Heartbeat): each
//     member heartbeats every peer each HeartbeatInterval and declares a
//     peer dead after HeartbeatTimeout of silence. Load per member grows
//     linearly with the cluster.
//   - The same heartbeats judged by φ-accrual (fd.Phi).
//
// # Incarnations and refutation
//
// A member's incarnation orders what is said about it. A member that
// hears itself suspected or declared dead at its own incarnation (or
// above) refutes: it raises its incarnation past the claim and
// disseminates "alive" at the new one, which overrides the claim
// everywhere. Updates merge by incarnation first; at equal incarnations
// dead beats suspect beats alive. A member declared dead that comes back
// (a restart, a healed partition) is alive again once its higher
// incarnation arrives: dead members are still probed, and every message
// to a member that is not alive carries what the sender believes of it,
// so it can refute at once.
//
// # Durability and recovery
//
// The incarnation is the only durable state. It is written (checksummed,
// alternating between two files so that a torn write leaves the other)
// and announced only once the sync completes. Start rebuilds from the
// store alone: the highest incarnation that survived, plus one, persisted
// before the member joins in — so a restarted member always refutes what
// was said of its previous life. A member that (re)joins believes every
// peer alive at incarnation 0 until a push-pull exchange (Sync: the whole
// view each way, sent at join until answered and every PushPullPeriods
// periods) tells it better; the same exchange repairs what lossy gossip
// missed.
//
// A member that (re)joins pushes its view to IndirectK members at once,
// until one answers, so the news spreads from several places.
//
// # Leaving
//
// A member told to leave (nodes.Leaver, the nemesis's leave fault) tells
// every peer it has Left — a fourth state, ranked above dead at the same
// incarnation — then stops probing, heartbeating and refuting until it is
// stopped. It rejoins, if it does, by a restart at a higher incarnation.
//
// # Stalls
//
// A member that was paused handles what queued up meanwhile only after
// its overdue timers. The all-to-all modes judge no one in a round whose
// timer fired late (Cassandra's local-pause guard); SWIM defers an
// overdue suspicion timeout by one period, so a refutation queued behind
// it can arrive.
//
// # Failure model
//
// Members crash and restart (crash-recovery with a durable incarnation),
// pause, and sit behind a network that delays, loses, duplicates and
// partitions messages. The membership is the static set of servers
// (env.Peers). Detection is eventually complete: a member that stays
// crashed is declared dead by every live, connected member. It is not
// accurate, and cannot be: a member paused, partitioned or behind links
// lossy enough for long enough is declared dead although live — a false
// positive, which its refutation undoes once it is heard. The detection
// checks of swimkind measure both against what the simulator knows
// happened.
//
// # What the checks see
//
// Every member records its view changes in order (Node.Changes); View is
// the current view and Incarnation the last announced incarnation.
//
// # Planted bugs
//
// Bugs switches on mistakes a careful implementer could make:
// NoRefute (a suspected member never raises its incarnation: suspicion
// without refutation), NoIndirect (a failed direct ping leads straight to
// suspicion), and NoRetransmit (each update rides on one message only).
// scenarios/bugs/swim-*.yaml catch each.
//
// # Clients
//
// Client is the membership workload's client: it asks a random member for
// a summary of its view (ViewQuery, answered at once by any member). The
// members' own traffic is the load; the checks judge the members.
package swim
