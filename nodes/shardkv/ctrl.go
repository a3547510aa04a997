package shardkv

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/nodes/raftkv"
)

// ShardConfig is one configuration of the controller: which group owns
// each shard (0: none), and the member groups. Configuration 0 owns
// nothing; each join or leave makes the next one.
type ShardConfig struct {
	Num    int
	Shards []int
	Groups []int
}

// Owner returns the group owning shard s (0 if none).
func (c *ShardConfig) Owner(s int) int {
	if s < len(c.Shards) {
		return c.Shards[s]
	}
	return 0
}

// next returns the configuration after c with event e applied, shards
// rebalanced evenly with minimal movement: the shards of groups that left
// (and unowned ones) go to the groups with fewest, then single shards move
// from the fullest group to the emptiest until they differ by at most one.
// Ties go to the lowest group number, so every replica computes the same.
func (c *ShardConfig) next(e Event, nShards int) ShardConfig {
	n := ShardConfig{Num: c.Num + 1, Shards: make([]int, nShards), Groups: slices.Clone(c.Groups)}
	copy(n.Shards, c.Shards)
	for _, g := range e.Groups {
		if e.Kind == Join && !slices.Contains(n.Groups, g) {
			n.Groups = append(n.Groups, g)
		}
		if e.Kind == Leave {
			n.Groups = slices.DeleteFunc(n.Groups, func(x int) bool { return x == g })
		}
	}
	slices.Sort(n.Groups)
	if len(n.Groups) == 0 {
		clear(n.Shards)
		return n
	}
	count := map[int]int{}
	var free []int
	for s, g := range n.Shards {
		if slices.Contains(n.Groups, g) {
			count[g]++
		} else {
			free = append(free, s)
		}
	}
	fewest := func() int {
		best := n.Groups[0]
		for _, g := range n.Groups {
			if count[g] < count[best] {
				best = g
			}
		}
		return best
	}
	most := func() int {
		best := n.Groups[0]
		for _, g := range n.Groups {
			if count[g] > count[best] {
				best = g
			}
		}
		return best
	}
	for _, s := range free {
		g := fewest()
		n.Shards[s] = g
		count[g]++
	}
	for {
		hi, lo := most(), fewest()
		if count[hi]-count[lo] <= 1 {
			break
		}
		for s, g := range n.Shards {
			if g == hi {
				n.Shards[s] = lo
				break
			}
		}
		count[hi]--
		count[lo]++
	}
	return n
}

// Controller operation kinds (the ops servers send the controller).
const (
	// OpCtrlEvent applies schedule event number Key (0-based), if it is
	// the next one.
	OpCtrlEvent nodes.OpKind = "ctrl-event"
	// OpCtrlQuery asks for configuration number Key; a number past the
	// latest (or -1) gets the latest. The reply's Value is its JSON.
	OpCtrlQuery nodes.OpKind = "ctrl-query"
)

// ctrlSM is the controller's replicated state: every configuration so far.
type ctrlSM struct {
	nShards  int
	schedule []Event
	Configs  []ShardConfig
}

func newCtrlSM(cfg Config) *ctrlSM {
	return &ctrlSM{nShards: cfg.Shards, schedule: cfg.Schedule, Configs: []ShardConfig{{Shards: make([]int, cfg.Shards)}}}
}

func (s *ctrlSM) latest() *ShardConfig { return &s.Configs[len(s.Configs)-1] }

// applied is the number of schedule events applied.
func (s *ctrlSM) applied() int { return len(s.Configs) - 1 }

func (s *ctrlSM) Apply(_ nodes.ID, _ uint64, op nodes.Op) kv.Reply {
	i, err := strconv.Atoi(op.Key)
	if err != nil {
		return kv.Reply{Status: kv.StatusUnsupported}
	}
	switch op.Kind {
	case OpCtrlEvent:
		if i == s.applied() && i < len(s.schedule) {
			s.Configs = append(s.Configs, s.latest().next(s.schedule[i], s.nShards))
		}
		return kv.Reply{Status: kv.StatusOK}
	case OpCtrlQuery:
		c := s.latest()
		if i >= 0 && i < len(s.Configs) {
			c = &s.Configs[i]
		}
		b, _ := json.Marshal(c)
		return kv.Reply{Status: kv.StatusOK, Value: string(b), Exists: true}
	}
	return kv.Reply{Status: kv.StatusUnsupported}
}

func (s *ctrlSM) Snapshot() []byte {
	b, err := json.Marshal(s.Configs)
	if err != nil {
		panic(err)
	}
	return b
}

func (s *ctrlSM) Restore(b []byte) error {
	var cs []ShardConfig
	if err := json.Unmarshal(b, &cs); err != nil {
		return fmt.Errorf("shardkv: controller snapshot: %w", err)
	}
	s.Configs = cs
	return nil
}

// Timer tags of the wrappers (raftkv's own are small numbers).
const tagTick uint64 = 1 << 40

// Controller is one server of the replicated shard controller: a Raft
// group whose state machine holds the configurations. Its leader walks
// the schedule: it proposes event i once ScheduleGap of its own
// monotonic clock has passed since it saw event i-1 applied.
type Controller struct {
	cfg    Config
	raft   *raftkv.Node
	sm     *ctrlSM
	seen   int           // events applied when lastAt was taken
	lastAt time.Duration // monotonic time seen was first observed
}

var (
	_ nodes.Node           = (*Controller)(nil)
	_ nodes.LeaderReporter = (*Controller)(nil)
)

func (c *Controller) Start(env nodes.Env) {
	c.raft.Start(env)
	c.seen, c.lastAt = -1, 0
	env.SetTimer(c.cfg.PollInterval, tagTick)
}

// Message hands Raft's messages and the groups' queries to the Raft node.
// A client's key-value request is not the controller's to serve: it is
// redirected to a server of the group owning the key in the latest
// configuration this server knows (or, if none owns it yet, told to look
// elsewhere).
func (c *Controller) Message(env nodes.Env, from nodes.ID, msg nodes.Message) {
	if m, ok := msg.(kv.Request); ok && kv.Known(m.Op.Kind) {
		var hint nodes.ID
		if o := c.sm.latest().Owner(KeyShard(m.Op.Key, c.cfg.Shards)); o != 0 {
			hint = c.cfg.Members(o)[0]
		}
		env.Send(from, kv.Reply{Seq: m.Seq, Status: kv.StatusNotLeader, Leader: hint})
		return
	}
	c.raft.Message(env, from, msg)
}

func (c *Controller) Synced(env nodes.Env, tag uint64) { c.raft.Synced(env, tag) }

func (c *Controller) Timer(env nodes.Env, id nodes.TimerID, tag uint64) {
	if tag != tagTick {
		c.raft.Timer(env, id, tag)
		return
	}
	env.SetTimer(c.cfg.PollInterval, tagTick)
	now := env.Monotonic()
	if a := c.sm.applied(); a != c.seen {
		c.seen, c.lastAt = a, now
	}
	if !c.raft.IsLeader() || c.seen >= len(c.cfg.Schedule) {
		return
	}
	if c.seen > 0 && now-c.lastAt < c.cfg.ScheduleGap {
		return
	}
	c.raft.Propose(env, nodes.Op{Kind: OpCtrlEvent, Key: strconv.Itoa(c.seen)})
}

// IsLeader reports whether this controller server leads its Raft group.
func (c *Controller) IsLeader() bool { return c.raft.IsLeader() }

// Latest returns the latest configuration this server has applied.
func (c *Controller) Latest() ShardConfig { return *c.sm.latest() }
