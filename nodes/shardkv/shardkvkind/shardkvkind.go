// Package shardkvkind plugs nodes/shardkv into the scenario runner: the
// "shardkv" node kind, its typed parameters and planted bugs, and the
// online "one-owner" check. It uses the runner's public API only.
//
//	cluster: {node: shardkv, size: 12, params: {groups: 3, group_size: 3, ctrl_size: 3,
//	          schedule: "join 1 2; join 3; leave 1"}}
package shardkvkind

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/nodes/shardkv"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugServeBeforeData  = "serve-before-data"
	BugNoSessionMove    = "no-session-move"
	BugConfigOutOfOrder = "config-out-of-order"
)

// BugNames lists the planted bugs.
var BugNames = []string{BugServeBeforeData, BugNoSessionMove, BugConfigOutOfOrder}

// CheckOneOwner is the online check that no shard is served by two groups
// in one configuration.
const CheckOneOwner = "one-owner"

// Kind is the "shardkv" node kind; its servers speak the kv workload.
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "shardkv",
		Help: "sharded KV (nodes/shardkv): Raft replica groups, a replicated shard controller, shard migration with sessions on join/leave",
		Params: []scenarios.ParamSpec{
			{Key: "groups", Type: scenarios.ParamInt, Default: "0", Help: "replica groups (0: as many as cluster.size holds after the controller)"},
			{Key: "group_size", Type: scenarios.ParamInt, Positive: true, Default: fmt.Sprint(shardkv.DefaultGroupSize), Help: "servers per replica group"},
			{Key: "ctrl_size", Type: scenarios.ParamInt, Positive: true, Default: fmt.Sprint(shardkv.DefaultCtrlSize), Help: "servers of the shard controller (n1..)"},
			{Key: "shards", Type: scenarios.ParamInt, Positive: true, Default: fmt.Sprint(shardkv.DefaultShards), Help: "shards keys hash into"},
			{Key: "schedule", Type: scenarios.ParamString, Help: `the controller's join/leave events, ';'-separated ("join 1 2; join 3; leave 1"); default: every group joins at once`},
			{Key: "schedule_gap", Type: scenarios.ParamDuration, Positive: true, Default: shardkv.DefaultScheduleGap.String(), Help: "time between schedule events, on the controller leader's clock"},
			{Key: "poll", Type: scenarios.ParamDuration, Positive: true, Default: shardkv.DefaultPollInterval.String(), Help: "how often a group leader polls the controller and retries shard transfers"},
			{Key: "election_timeout", Type: scenarios.ParamRange, Positive: true, Default: "150ms..300ms", Help: "Raft election timeout of every group"},
			{Key: "snapshot_every", Type: scenarios.ParamInt, Positive: true, Default: "1000", Help: "applied entries between Raft snapshots"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs, comma-separated"},
		},
		// The controller and one replica group of the default sizes.
		MinSize:   shardkv.DefaultCtrlSize + shardkv.DefaultGroupSize,
		Workloads: []string{"kv"},
		Ops:       []string{"get", "put", "append", "cas"},
		Leader:    true,
		Checks:    []scenarios.CheckKind{OneOwnerCheck(), ReconfiguredCheck()},
		// The planted bugs live in shard migration: two groups, and a
		// schedule that moves shards between them.
		BugNeeds: map[string]scenarios.BugNeed{
			BugServeBeforeData:  huntMoves,
			BugNoSessionMove:    huntMoves,
			BugConfigOutOfOrder: huntMoves,
		},
		// At load the cluster size is not known yet: the schedule and the
		// Raft settings are checked, the layout at Build.
		Validate: func(p scenarios.Params) error {
			_, err := config(p, sizeUnknown)
			return err
		},
		Build: func(p scenarios.Params, size int) (*scenarios.Protocol, error) {
			cfg, err := config(p, size)
			if err != nil {
				return nil, err
			}
			return &scenarios.Protocol{Factory: shardkv.New(cfg)}, nil
		},
	}
}

// huntMoves is what the planted bugs need in a generic hunt: the
// controller and two groups, and a schedule that moves shards back and
// forth early in the hunt's 5 s of load, so that they are done by the end
// of the heal.
var huntMoves = scenarios.BugNeed{
	Params: "schedule=join 1; join 2; leave 1; join 1,schedule_gap=400ms",
	Size:   shardkv.DefaultCtrlSize + 2*shardkv.DefaultGroupSize,
}

// sizeUnknown tells config to check what it can without the cluster size.
const sizeUnknown = -1

// config reads the parameters for a cluster of size servers.
func config(p scenarios.Params, size int) (shardkv.Config, error) {
	et := p.Range("election_timeout")
	c := shardkv.Config{
		Shards: p.Int("shards"), Groups: p.Int("groups"), GroupSize: p.Int("group_size"), CtrlSize: p.Int("ctrl_size"),
		ScheduleGap: p.Duration("schedule_gap"), PollInterval: p.Duration("poll"),
		Raft: raftkv.Config{ElectionTimeoutMin: et.Min, ElectionTimeoutMax: et.Max, SnapshotThreshold: p.Int("snapshot_every")},
		Bugs: shardkv.Bugs{
			ServeBeforeData:  p.Has("bugs", BugServeBeforeData),
			NoSessionMove:    p.Has("bugs", BugNoSessionMove),
			ConfigOutOfOrder: p.Has("bugs", BugConfigOutOfOrder),
		},
	}
	if p.Given("schedule") {
		evs, err := shardkv.ParseSchedule(p.String("schedule"))
		if err != nil {
			return c, p.Errorf("schedule", "%s", strings.TrimPrefix(err.Error(), "shardkv: "))
		}
		c.Schedule = evs
	}
	switch {
	case c.Groups < 0:
		return c, p.Errorf("groups", "want a positive number of groups (or 0 for as many as cluster.size holds), got %d", c.Groups)
	case size == sizeUnknown && c.Groups == 0:
		c.Groups = 1 // the schedule's groups may all exist
		for _, e := range c.Schedule {
			c.Groups = max(c.Groups, slices.Max(e.Groups))
		}
	case size == sizeUnknown:
	case c.CtrlSize+c.GroupSize > size:
		return c, p.Errorf("ctrl_size", "the controller (%d) and one group of group_size %d need %d servers; cluster.size is %d", c.CtrlSize, c.GroupSize, c.CtrlSize+c.GroupSize, size)
	case c.Groups == 0 && (size-c.CtrlSize)%c.GroupSize != 0:
		return c, p.Errorf("group_size", "cluster.size %d less ctrl_size %d is not a whole number of groups of %d", size, c.CtrlSize, c.GroupSize)
	case c.Groups == 0:
		c.Groups = (size - c.CtrlSize) / c.GroupSize
	case c.Size() != size:
		return c, p.Errorf("groups", "ctrl_size %d + groups %d × group_size %d is %d servers; cluster.size is %d", c.CtrlSize, c.Groups, c.GroupSize, c.Size(), size)
	}
	if err := c.Validate(); err != nil {
		key := "schedule"
		if strings.HasPrefix(err.Error(), "raftkv") {
			key = "election_timeout"
		}
		return c, p.Errorf(key, "%s", strings.TrimPrefix(err.Error(), "shardkv: "))
	}
	return c, nil
}

// StatusSource is what the one-owner check reads of a live group server
// (shardkv.Server implements it).
type StatusSource interface {
	Group() int
	Status() (num int, serving []int)
}

// OneOwner is the online invariant over one run: no shard is served
// (accepting operations) by two groups in the same configuration number.
// It remembers, for every (configuration, shard), the first group seen
// serving it, and fails at the first server of another group that serves
// it in that configuration.
type OneOwner struct {
	node  func(nodes.ID) StatusSource
	owner map[[2]int]owner
}

type owner struct {
	group int
	by    nodes.ID
}

// NewOneOwner returns the invariant of one run.
func NewOneOwner(node func(nodes.ID) StatusSource) *OneOwner {
	return &OneOwner{node: node, owner: map[[2]int]owner{}}
}

// Check reads server id's status after one of its handlers.
func (o *OneOwner) Check(id nodes.ID) error {
	src := o.node(id)
	if src == nil {
		return nil
	}
	num, serving := src.Status()
	g := src.Group()
	for _, s := range serving {
		k := [2]int{num, s}
		if w, ok := o.owner[k]; ok && w.group != g {
			return fmt.Errorf("shardkv: shard %d served by two groups in configuration %d: group %d (%v) and group %d (%v)", s, num, w.group, w.by, g, id)
		} else if !ok {
			o.owner[k] = owner{group: g, by: id}
		}
	}
	return nil
}

// OneOwnerCheck is the "one-owner" check kind.
func OneOwnerCheck() scenarios.CheckKind {
	return scenarios.CheckKind{
		Name:  CheckOneOwner,
		Help:  "online: no shard is served by two replica groups in the same configuration (shardkv)",
		Class: scenarios.Safety,
		Supported: func(node *scenarios.NodeKind, _ *scenarios.WorkloadKind) string {
			if node.Name != "shardkv" {
				return "one-owner judges shardkv servers only"
			}
			return ""
		},
		Online: func(f *scenarios.Finished) func(nodes.ID) error {
			return NewOneOwner(func(id nodes.ID) StatusSource {
				if s, ok := f.Node(id).(StatusSource); ok {
					return s
				}
				return nil
			}).Check
		},
	}
}
