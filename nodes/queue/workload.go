package queue

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
)

// The history's operation kinds (see the package doc for their fields).
const (
	// OpSend: a producer's send. Key is the partition ("p0"), Value the
	// message id ("c1-7"), Output the offset it got.
	OpSend nodes.OpKind = "send"
	// OpPoll: a consumer's fetch. Key is "group/partition", Value is
	// "FROM gen=G" (the offset fetched from and the member's generation),
	// Output the message ids it got from FROM on, space-separated.
	OpPoll nodes.OpKind = "poll"
	// OpCommit: a consumer's offset commit. Key as for poll, Value
	// "OFFSET gen=G".
	OpCommitOffset nodes.OpKind = "commit"
	// OpEffectApply: an idempotent consumer applies a message's effect at
	// its group's sink. Key is the group, Value the message id, Output
	// EffectApplied or EffectDuplicate.
	OpEffectApply nodes.OpKind = "effect"
	// OpSinkRead: the final read of a group's sink. Key is the group,
	// Output the message ids whose effects it applied, in order.
	OpSinkRead nodes.OpKind = "sink"
)

// The outputs of an OpEffectApply.
const (
	EffectApplied   = "applied"
	EffectDuplicate = "duplicate"
)

// PartitionName is partition p's name in histories ("p0").
func PartitionName(p int) string { return "p" + strconv.Itoa(p) }

// GroupName is the i-th consumer group's name (1-based: "g1").
func GroupName(i int) string { return "g" + strconv.Itoa(i) }

// PollKey is the Key of a poll or commit: "g1/p0".
func PollKey(group string, p int) string { return group + "/" + PartitionName(p) }

// ParsePollKey splits a poll key into group and partition name.
func ParsePollKey(key string) (group, partition string, ok bool) {
	return strings.Cut(key, "/")
}

// FormatAt renders a poll's or commit's Value: "3 gen=2".
func FormatAt(offset, gen uint64) string {
	return strconv.FormatUint(offset, 10) + " gen=" + strconv.FormatUint(gen, 10)
}

// ParseAt reads what FormatAt writes.
func ParseAt(s string) (offset, gen uint64, err error) {
	o, g, ok := strings.Cut(s, " gen=")
	if !ok {
		return 0, 0, fmt.Errorf("queue: %q: want \"OFFSET gen=G\"", s)
	}
	if offset, err = strconv.ParseUint(o, 10, 64); err == nil {
		gen, err = strconv.ParseUint(g, 10, 64)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("queue: %q: %v", s, err)
	}
	return offset, gen, nil
}

// Defaults for Workload's zero fields.
const (
	DefaultPartitions     = 3
	DefaultProducers      = 2
	DefaultGroups         = 2
	DefaultTimeout        = 2 * time.Second
	DefaultAttemptTimeout = 100 * time.Millisecond
	DefaultBackoffMin     = 2 * time.Millisecond
	DefaultBackoffMax     = 100 * time.Millisecond
	DefaultPollInterval   = 20 * time.Millisecond
	DefaultBatch          = 4
	DefaultRestartDelay   = 50 * time.Millisecond
)

// Workload describes the queue clients: producers first (c1..cP), then
// consumers spread over the groups round robin.
type Workload struct {
	Partitions int
	Producers  int
	Groups     int
	// IdempotentGroups: the last this many groups are idempotent
	// consumers, which apply each message's effect at their sink.
	IdempotentGroups int
	// Timeout bounds one operation (then it ends Info, and a consumer
	// restarts as after a crash).
	Timeout, AttemptTimeout time.Duration
	BackoffMin, BackoffMax  time.Duration
	// ThinkMin..ThinkMax is a producer's pause between sends.
	ThinkMin, ThinkMax time.Duration
	// MaxSends, if positive, is the most ordinary sends a producer makes
	// (its liveness probes are not counted). Consumers are not capped:
	// they consume what was sent, which the checks require of them.
	MaxSends int
	// PollInterval is a consumer's pause after a round of empty fetches.
	PollInterval time.Duration
	// Batch is the most messages one fetch returns.
	Batch int
	// CrashNum/CrashDen is the chance that a consumer crashes after
	// processing a batch and before committing it; it restarts after
	// RestartDelay as a new incarnation (its uncommitted work redelivered).
	CrashNum, CrashDen int
	RestartDelay       time.Duration
	// ProbeAt: producers stop their ordinary sends and send probes until
	// one is acknowledged; consumers count a fetch after it as their probe.
	ProbeAt time.Duration
	// FinalReadAt: idempotent consumers stop and read their sink once.
	FinalReadAt time.Duration
	// CommitBeforeProcess is a planted consumer bug: commit a batch's
	// offset right after fetching it, before applying its effects.
	CommitBeforeProcess bool
}

// WithDefaults fills zero fields.
func (w Workload) WithDefaults() Workload {
	set := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setD := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	set(&w.Partitions, DefaultPartitions)
	set(&w.Producers, DefaultProducers)
	set(&w.Groups, DefaultGroups)
	set(&w.Batch, DefaultBatch)
	setD(&w.Timeout, DefaultTimeout)
	setD(&w.AttemptTimeout, DefaultAttemptTimeout)
	setD(&w.BackoffMin, DefaultBackoffMin)
	setD(&w.BackoffMax, DefaultBackoffMax)
	setD(&w.PollInterval, DefaultPollInterval)
	setD(&w.RestartDelay, DefaultRestartDelay)
	return w
}

// Validate reports a workload that cannot run.
func (w Workload) Validate() error {
	w = w.WithDefaults()
	switch {
	case w.Partitions < 1 || w.Producers < 1 || w.Groups < 1 || w.Batch < 1:
		return errors.New("queue: partitions, producers, groups and batch must be at least 1")
	case w.MaxSends < 0:
		return fmt.Errorf("queue: MaxSends %d is negative", w.MaxSends)
	case w.IdempotentGroups < 0 || w.IdempotentGroups > w.Groups:
		return fmt.Errorf("queue: idempotent_groups %d must be between 0 and groups (%d)", w.IdempotentGroups, w.Groups)
	case w.CrashDen < 0 || w.CrashNum < 0 || (w.CrashNum > 0 && w.CrashNum > w.CrashDen):
		return fmt.Errorf("queue: consumer crash ratio %d/%d is not a probability", w.CrashNum, w.CrashDen)
	case w.BackoffMax < w.BackoffMin || w.ThinkMax < w.ThinkMin:
		return errors.New("queue: a maximum is below its minimum (backoff, think)")
	}
	return nil
}

// Role is what a client does.
type Role struct {
	Producer   bool
	Group      string // consumers
	Idempotent bool   // consumers of an idempotent group
}

// RoleOf returns client i's role (1-based).
func (w Workload) RoleOf(i int) Role {
	w = w.WithDefaults()
	if i <= w.Producers {
		return Role{Producer: true}
	}
	g := (i-w.Producers-1)%w.Groups + 1
	return Role{Group: GroupName(g), Idempotent: g > w.Groups-w.IdempotentGroups}
}

// GroupNames lists the groups, and which of them are idempotent.
func (w Workload) GroupNames() (all, idempotent []string) {
	w = w.WithDefaults()
	for g := 1; g <= w.Groups; g++ {
		all = append(all, GroupName(g))
		if g > w.Groups-w.IdempotentGroups {
			idempotent = append(idempotent, GroupName(g))
		}
	}
	return all, idempotent
}

// Factory returns the client factory. It panics on an invalid workload.
func (w Workload) Factory() nodes.Factory {
	if err := w.Validate(); err != nil {
		panic(err)
	}
	w = w.WithDefaults()
	return func(id nodes.ID) nodes.Node { return &Client{w: w, role: w.RoleOf(id.Index())} }
}
