package scenarios

import "github.com/faultline/faultline/sim"

// StrategyCrashOnSend: a seed given a crash-on-send storm
// (swarm.send_storm, nemesis.GenOptions.SendStorm) — one server crashed
// right after each message it sends and back within milliseconds, every
// link slowed so candidates collide, the leader crashed again and again.
// It is what a vote granted before it is durable needs to be forgotten
// and granted again in the same term (raftkv vote-not-persisted, etcdraft
// hardstate-not-synced), which crash-loops and crash storms reach only by
// chance. Its seeds are labelled beyond the budget: safety is judged,
// a liveness failure excused.
const StrategyCrashOnSend Strategy = "crash-on-send"

// HuntSendStorm is the share of a generated hunt's seeds given a
// crash-on-send storm (swarm.send_storm), drawn from its own stream, so
// the other seeds are as they were without it.
var HuntSendStorm = sim.Ratio{Num: 1, Den: 8}

func init() {
	AddStrategy(StrategyCrashOnSend, func(sc *Scenario, o *Outcome) bool {
		g := ApplySwarm(sc, o.Seed).Nemesis.Generate
		return g != nil && g.SendStorm
	})
}
