package nemesis

import "time"

// Crash storms: schedules beyond the recoverability budget. A run inside
// the budget never has more than a minority down, so it cannot exercise
// what happens when every server crashes and recovers over and over; but
// safety must hold under any number of crash-recoveries with persisted
// state (a vote a restarted server forgot, an entry acknowledged before
// its sync). A storm is only meaningful in a world installed with
// Options.Unbounded: the budget would skip most of it.

// Storm menus: how fast the loop crashes and restarts (fast loops most
// often: a voter must crash between two candidates' requests to forget
// its vote), how often the storm hits, and for how long.
var (
	stormLoopPeriods = []Range{Span(time.Millisecond, 10*time.Millisecond), Span(time.Millisecond, 10*time.Millisecond), Span(10*time.Millisecond, 50*time.Millisecond)}
	stormGaps        = []Range{Span(200*time.Millisecond, 500*time.Millisecond), Span(500*time.Millisecond, time.Second)}
	stormDown        = Span(20*time.Millisecond, 100*time.Millisecond)
)

// storm draws a crash storm from its own stream (gen/storm): a crash-loop
// over a minority or a majority, drawn period, from the first gap to the
// heal; and, every drawn gap, for 20..100ms, one of: the leader crashed,
// every server crashed at once (they restart together, so their election
// timers race), or the leader power-lost (disk-lose). A protocol without
// leaders gets "one" for the leader. Every draw is made whatever its
// outcome, so the storm of a seed depends only on the seed, Start and End.
func storm(seed uint64, o *GenOptions) []Step {
	r := Stream(seed, "gen/storm")
	g := &genCtx{r: r, in: &o.Intensity, noLeader: o.NoLeader, leaderFallback: o.LeaderFallback}
	loop := []Target{Minority, Majority}[r.IntN(2)]
	period := stormLoopPeriods[r.IntN(len(stormLoopPeriods))]
	gap := stormGaps[r.IntN(len(stormGaps))]
	var out []Step
	t := o.Start + gap.sampleRounded(r, time.Millisecond)
	if t < o.End {
		out = append(out, Step{At: t, Fault: CrashLoop{Target: loop, Period: period}})
	}
	for {
		t += gap.sampleRounded(r, time.Millisecond)
		if t >= o.End {
			break
		}
		d := stormDown.sampleRounded(r, time.Millisecond)
		hits := []Fault{Crash{g.target(Leader)}, Crash{All}, DiskLose{g.target(Leader)}}
		st := Step{At: t, For: d, Fault: hits[r.IntN(len(hits))]}
		if t+d >= o.End {
			st.For = 0
		}
		out = append(out, st)
	}
	return out
}
