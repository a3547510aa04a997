package nemesis

import "time"

// Crash-on-send storms: contested elections with a voter that forgets.
// A vote granted before it is durable is lost only if the voter crashes
// right after sending it, restarts before a second candidate of the same
// term asks, and that second candidate exists at all. A crash-loop hits
// the first moment by chance (a fast loop does, in a few seeds of a
// hundred), and the hunt's election timeouts rarely make two candidates
// collide. The storm arranges all three: one server crashes right after
// every message it sends and is back within milliseconds (CrashOnSend),
// every link is slowed by a drawn delay so that a candidate's requests
// arrive after others have timed out too, and the leader is crashed
// again and again so that elections keep happening. The leader crashes
// and the crash-on-send server together may exceed the recoverability
// budget: install with Options.Unbounded, and judge safety only.

// Crash-on-send storm menus: the extra delay on every link (a fraction of
// the election timeouts the hunt draws, so candidates collide), how long
// the crash-on-send server stays down, how often the leader is crashed,
// and for how long.
var (
	sendStormDelays = []Range{Span(10*time.Millisecond, 50*time.Millisecond), Span(20*time.Millisecond, 100*time.Millisecond), Span(30*time.Millisecond, 150*time.Millisecond)}
	sendStormDowns  = []Range{Span(time.Millisecond, 5*time.Millisecond), Span(time.Millisecond, 10*time.Millisecond)}
	sendStormGap    = Span(300*time.Millisecond, 700*time.Millisecond)
	sendStormCrash  = Span(20*time.Millisecond, 100*time.Millisecond)
)

// crashOnSendStorm draws a crash-on-send storm from its own stream
// (gen/crash-on-send): from a drawn start (Start plus 100ms..1s) to the
// heal, CrashOnSend on one server and a delay on every link; and every
// 300..700ms the leader crashed for 20..100ms. A protocol without leaders
// gets "one" for the leader. Every draw is made whatever its outcome, so
// the storm of a seed depends only on the seed, Start and End.
func crashOnSendStorm(seed uint64, o *GenOptions) []Step {
	r := Stream(seed, "gen/crash-on-send")
	g := &genCtx{r: r, in: &o.Intensity, noLeader: o.NoLeader}
	delay := sendStormDelays[r.IntN(len(sendStormDelays))]
	down := sendStormDowns[r.IntN(len(sendStormDowns))]
	t := o.Start + Span(100*time.Millisecond, time.Second).sampleRounded(r, time.Millisecond)
	if t >= o.End {
		return nil
	}
	out := []Step{
		{At: t, Fault: CrashOnSend{Target: One, Down: down}},
		{At: t, Fault: Delay{Range: delay, Links: AllLinks}},
	}
	for {
		t += sendStormGap.sampleRounded(r, time.Millisecond)
		if t >= o.End {
			break
		}
		d := sendStormCrash.sampleRounded(r, time.Millisecond)
		st := Step{At: t, For: d, Fault: Crash{g.target(Leader)}}
		if t+d >= o.End {
			st.For = 0
		}
		out = append(out, st)
	}
	return out
}
