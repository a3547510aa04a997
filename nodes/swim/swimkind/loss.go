package swimkind

import (
	"math"
	"time"
)

// MaxExpectedFalsePositives bounds the false positives the correct
// protocol may be expected to make over a stretch of loss for the
// declarations made during it to be judged.
const MaxExpectedFalsePositives = 1e-3

// Loss is a stretch of lossy links: each message lost with probability
// Ratio (the network's own loss and every overlapping drop fault
// included).
type Loss struct {
	Span
	Ratio float64
}

// Probing is what the loss rule knows of the cluster's SWIM: its size,
// indirect probes, protocol period and suspicion timeout. The zero value
// stands for the all-to-all detectors.
type Probing struct {
	Members          int
	IndirectK        int
	ProbeInterval    time.Duration
	SuspicionTimeout time.Duration
}

// ProbeFails is the probability that one probe of a live member fails
// over links losing each message with probability p.
func (c Probing) ProbeFails(p float64) float64 {
	k := max(0, min(c.IndirectK, c.Members-2))
	direct := 1 - math.Pow(1-p, 2)
	indirect := 1 - math.Pow(1-p, 4)
	return direct * math.Pow(indirect, float64(k))
}

// ExpectedFalsePositives bounds the live members the correct protocol is
// expected to declare dead over span of links losing each message with
// probability p. It is a model, an upper bound rather than an exact
// figure:
//
//   - a probe of a live member fails with probability
//     q = (1−(1−p)²) · (1−(1−p)⁴)^k′ (ProbeFails): the ping or its ack
//     lost, and so is one of the four messages of each of the
//     k′ = min(indirect_k, n−2) indirect probes (the SWIM paper, Das,
//     Gupta and Motivala 2002, §3.1);
//   - the suspicion that follows lasts R = suspicion timeout /
//     probe_interval periods, and becomes a declaration only if none of
//     them carries the suspicion to the member and its refutation back;
//     each period is taken as one round trip, lost with probability
//     d = 1−(1−p)², so a suspicion becomes a declaration with
//     probability at most d^R (the refutation rides on every message
//     between the two and through every member that hears it, and does
//     better);
//   - each of the n members probes once a period, over the span and the
//     suspicion timeout after it (a suspicion started at its end):
//     E = n · (span + suspicion timeout) / probe_interval · q · d^R.
//
// Measured against the correct SWIM (2,000 seeds of a 2s drop on every
// link, docs/BENCHMARKS.md, issue 16 swimrule), E overestimates the
// share of stretches with a false positive 9–34× at drop 1/5 and
// 10–21× at drop 1/3, on 3, 4, 5 and 8 members.
func (c Probing) ExpectedFalsePositives(p float64, span time.Duration) float64 {
	periods := float64(c.SuspicionTimeout) / float64(c.ProbeInterval)
	probes := float64(c.Members) * float64(span+c.SuspicionTimeout) / float64(c.ProbeInterval)
	roundTrip := 1 - math.Pow(1-p, 2)
	return probes * c.ProbeFails(p) * math.Pow(roundTrip, periods)
}

// Judged reports whether the declarations of live members during l count
// against max_false_positives.
func (c Probing) Judged(l Loss) bool {
	if c.Members == 0 || c.ProbeInterval <= 0 {
		return l.Ratio < 0.5
	}
	return c.ExpectedFalsePositives(l.Ratio, l.To-l.From) <= MaxExpectedFalsePositives
}
