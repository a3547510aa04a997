package scenarios

import (
	"slices"

	"github.com/faultline/faultline/sim"
)

// StrategyCrashOnSend: a run that fired crash-on-send — a seed given a
// crash-on-send storm (swarm.send_storm, nemesis.GenOptions.SendStorm),
// or a corpus mutant that kept one. The storm crashes one server right
// after each message it sends and brings it back within milliseconds,
// slows every link so candidates collide, and crashes the leader again
// and again: what a vote granted before it is durable needs to be
// forgotten and granted again in the same term (raftkv
// vote-not-persisted, etcdraft hardstate-not-synced), which crash-loops
// and crash storms reach only by chance. The storm's seeds are labelled
// beyond the budget: safety is judged, a liveness failure excused.
const StrategyCrashOnSend Strategy = "crash-on-send"

// HuntSendStorm is the share of a generated hunt's seeds given a
// crash-on-send storm (swarm.send_storm), drawn from its own stream, so
// the other seeds are as they were without it.
var HuntSendStorm = sim.Ratio{Num: 1, Den: 8}

func init() {
	AddStrategy(StrategyCrashOnSend, func(sc *Scenario, o *Outcome) bool {
		if g := ApplySwarm(sc, o.Seed).Nemesis.Generate; g != nil && g.SendStorm {
			return true
		}
		// A replication storm's crash-on-send is its own strategy's.
		return slices.Contains(o.Faults, "crash-on-send") && !replicationStormRun(sc, o.Seed)
	})
}
