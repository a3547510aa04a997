// Package queuekind plugs nodes/queue into the scenario runner: the
// "queue" node kind (the replicated broker, its parameters and planted
// bugs), the "queue" workload kind (producers and consumer groups), and the
// queue checks no-lost-acked, unique-effects, partition-order and
// delivery-latency (nodes/queue/queuecheck), registered with the node kind.
// It uses the runner's public API only.
//
//	scenarios.RegisterNode(queuekind.Kind())
//	scenarios.RegisterWorkload(queuekind.Workload())
package queuekind

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/queue"
	"github.com/faultline/faultline/nodes/queue/queuecheck"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs (the broker's)
// and workload.bugs (the consumers').
const (
	BugAckBeforeDurable    = "ack-before-durable"
	BugDedupNotPersisted   = "dedup-not-persisted"
	BugCommitBeforeProcess = "commit-before-process"
)

// BrokerBugs and ConsumerBugs list the planted bugs.
var (
	BrokerBugs   = []string{BugAckBeforeDurable, BugDedupNotPersisted}
	ConsumerBugs = []string{BugCommitBeforeProcess}
)

// Hunt is the generic hunt's shape for the queue: a heal long enough for
// the consumers to drain what a partition or a crash held back (at the
// hunt's 3s, 92% of the correct queue's seeds ended undecided; at 15s, 1
// in 100), and the producers plus a consumer in every group (with fewer
// clients a group has no consumer and nothing judges it).
var Hunt = scenarios.HuntShape{
	Heal:       15 * time.Second,
	MinClients: queue.DefaultProducers + queue.DefaultGroups,
}

// Name is the node kind's and the workload kind's name.
const Name = "queue"

// Kind is the "queue" node kind.
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: Name,
		Help: "replicated partitioned queue (nodes/queue): primary-backup with views over every partition, consumer groups with generations, idempotent producers and a deduplicating sink",
		Params: []scenarios.ParamSpec{
			{Key: "heartbeat", Type: scenarios.ParamDuration, Positive: true, Default: queue.DefaultHeartbeat.String(), Help: "ping interval between brokers, and the period of every resend"},
			{Key: "view_timeout", Type: scenarios.ParamDuration, Positive: true, Default: queue.DefaultViewTimeout.String(), Help: "silence from the primary before a backup suspects it (at least two heartbeats)"},
			{Key: "session_timeout", Type: scenarios.ParamDuration, Positive: true, Default: queue.DefaultSessionTimeout.String(), Help: "silence from a group member before its partitions are reassigned (the visibility timeout)"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BrokerBugs, Help: "planted broker bugs, comma-separated"},
		},
		MinSize:   3,
		Workloads: []string{Name},
		Leader:    true,
		Checks:    Checks(),
		Hunt:      Hunt,
		Validate:  func(p scenarios.Params) error { _, err := config(p); return err },
		Build: func(p scenarios.Params, _ int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: queue.New(cfg)}, nil
		},
	}
}

func config(p scenarios.Params) (queue.Config, error) {
	c := queue.Config{
		Heartbeat:      p.Duration("heartbeat"),
		ViewTimeout:    p.Duration("view_timeout"),
		SessionTimeout: p.Duration("session_timeout"),
		Bugs: queue.Bugs{
			AckBeforeDurable:  p.Has("bugs", BugAckBeforeDurable),
			DedupNotPersisted: p.Has("bugs", BugDedupNotPersisted),
		},
	}
	if err := c.Validate(); err != nil {
		key := "view_timeout"
		if strings.Contains(err.Error(), "session_timeout") {
			key = "session_timeout"
		}
		return c, p.Errorf(key, "%s", strings.TrimPrefix(err.Error(), "queue: "))
	}
	return c, nil
}

// Workload is the "queue" workload kind.
func Workload() scenarios.WorkloadKind {
	d := func(v time.Duration) string { return v.String() }
	return scenarios.WorkloadKind{
		Name:       Name,
		Help:       "producers (c1..cP) send unique messages to random partitions; the other clients form consumer groups that poll, apply effects (idempotent groups) and commit offsets",
		Ops:        []string{queue.OpSend.String()},
		DefaultMix: []scenarios.MixEntry{{Op: queue.OpSend.String(), Weight: 1}},
		Liveness:   true,
		Params: []scenarios.ParamSpec{
			{Key: "partitions", Type: scenarios.ParamInt, Positive: true, Default: strconv.Itoa(queue.DefaultPartitions), Help: "partitions of the topic"},
			{Key: "producers", Type: scenarios.ParamInt, Positive: true, Default: strconv.Itoa(queue.DefaultProducers), Help: "clients c1..cP produce; the rest consume"},
			{Key: "groups", Type: scenarios.ParamInt, Positive: true, Default: strconv.Itoa(queue.DefaultGroups), Help: "consumer groups (pub/sub: each gets every message)"},
			{Key: "idempotent_groups", Type: scenarios.ParamInt, Default: "1", Help: "the last this many groups apply effects at a deduplicating sink"},
			{Key: "attempt_timeout", Type: scenarios.ParamDuration, Positive: true, Default: d(queue.DefaultAttemptTimeout), Help: "how long a client waits for one broker before trying the next"},
			{Key: "backoff_min", Type: scenarios.ParamDuration, Default: d(queue.DefaultBackoffMin), Help: "first retry backoff"},
			{Key: "backoff_max", Type: scenarios.ParamDuration, Default: d(queue.DefaultBackoffMax), Help: "retry backoff cap"},
			{Key: "think_min", Type: scenarios.ParamDuration, Default: "10ms", Help: "a producer's pause between sends, lower bound"},
			{Key: "think_max", Type: scenarios.ParamDuration, Default: "30ms", Help: "a producer's pause between sends, upper bound"},
			{Key: "poll_interval", Type: scenarios.ParamDuration, Positive: true, Default: d(queue.DefaultPollInterval), Help: "a consumer's pause after a round of empty fetches"},
			{Key: "batch", Type: scenarios.ParamInt, Positive: true, Default: strconv.Itoa(queue.DefaultBatch), Help: "most messages per fetch"},
			{Key: "crash", Type: scenarios.ParamRatio, Help: "chance a consumer crashes after processing a batch, before committing it"},
			{Key: "restart_delay", Type: scenarios.ParamDuration, Positive: true, Default: d(queue.DefaultRestartDelay), Help: "how long a crashed consumer stays away"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: ConsumerBugs, Help: "planted consumer bugs, comma-separated"},
		},
		Build: buildWorkload,
	}
}

func buildWorkload(s scenarios.WorkloadSpec) (*scenarios.Clients, error) {
	p := s.Params
	crash := p.Ratio("crash")
	w := queue.Workload{
		Partitions:          p.Int("partitions"),
		Producers:           p.Int("producers"),
		Groups:              p.Int("groups"),
		IdempotentGroups:    p.Int("idempotent_groups"),
		Timeout:             s.Timeout,
		AttemptTimeout:      p.Duration("attempt_timeout"),
		BackoffMin:          p.Duration("backoff_min"),
		BackoffMax:          p.Duration("backoff_max"),
		ThinkMin:            p.Duration("think_min"),
		ThinkMax:            p.Duration("think_max"),
		PollInterval:        p.Duration("poll_interval"),
		Batch:               p.Int("batch"),
		CrashNum:            int(crash.Num),
		CrashDen:            int(crash.Den),
		RestartDelay:        p.Duration("restart_delay"),
		MaxSends:            s.OpsPerClient,
		ProbeAt:             s.Duration,
		FinalReadAt:         s.Duration + s.Heal*3/4,
		CommitBeforeProcess: p.Has("bugs", BugCommitBeforeProcess),
	}
	if s.Rate > 0 {
		// workload.rate: each producer sends Rate messages a second.
		w.ThinkMin = time.Duration(float64(time.Second) / s.Rate)
		w.ThinkMax = w.ThinkMin
	}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "queue: "))
	}
	if s.Clients <= w.WithDefaults().Producers {
		return nil, fmt.Errorf("%d clients leave no consumers after %d producers", s.Clients, w.WithDefaults().Producers)
	}
	return &scenarios.Clients{
		Factory: w.Factory(),
		Probe: func(n nodes.Node) bool {
			c, ok := n.(*queue.Client)
			return !ok || c.Probe()
		},
	}, nil
}

// groups reads the consumer groups from the run's clients.
func groups(f *scenarios.Finished) queuecheck.Groups {
	var g queuecheck.Groups
	for _, id := range f.ClientIDs {
		c, ok := f.Node(id).(*queue.Client)
		if !ok {
			continue
		}
		if r := c.Role(); !r.Producer {
			all, idem := c.Groups()
			g.All, g.Idempotent = all, idem
			break
		}
	}
	return g
}

func needsQueue(_ *scenarios.NodeKind, w *scenarios.WorkloadKind) string {
	if w.Name != Name {
		return fmt.Sprintf("workload %q is not the queue workload", w.Name)
	}
	return ""
}

// Checks returns the queue checks.
func Checks() []scenarios.CheckKind {
	return []scenarios.CheckKind{
		{
			Name: queuecheck.NameNoLostAcked, Class: scenarios.Safety, Supported: needsQueue,
			Help: "every send acknowledged before the heal reaches every group by the end: in some poll of a plain group, in the final sink read of an idempotent one",
			Check: func(f *scenarios.Finished, opts checker.Options) checker.Result {
				return checker.Run(queuecheck.NoLostAcked(groups(f), f.Scenario.Run.Duration), f.History, opts)
			},
		},
		{
			Name: queuecheck.NameUniqueEffects, Class: scenarios.Safety, Supported: needsQueue,
			Help: "no idempotent group's sink applies a message twice; duplicate deliveries are counted",
			Check: func(f *scenarios.Finished, opts checker.Options) checker.Result {
				return checker.Run(queuecheck.UniqueEffects(groups(f)), f.History, opts)
			},
		},
		{
			Name: queuecheck.NamePartitionOrder, Class: scenarios.Safety, Supported: needsQueue,
			Help: "one log per partition, appended in real-time order; each consumer's polls continue within a generation; no poll starts below a committed offset",
			Check: func(f *scenarios.Finished, opts checker.Options) checker.Result {
				return checker.Run(queuecheck.PartitionOrder(), f.History, opts)
			},
		},
		{
			Name: queuecheck.NameDeliveryLatency, Class: scenarios.Safety, Measure: true, Supported: needsQueue,
			Help: "measures the time from a send's acknowledgement to its first delivery, per group (p50, p99, max); never fails a run",
			Check: func(f *scenarios.Finished, opts checker.Options) checker.Result {
				return checker.Run(queuecheck.DeliveryLatency(), f.History, opts)
			},
		},
	}
}
