package shardkv

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/raftkv"
)

// EventKind is a scheduled change of the set of replica groups.
type EventKind uint8

const (
	// Join adds groups to the configuration.
	Join EventKind = iota + 1
	// Leave removes groups from it; their shards move to the others.
	Leave
)

func (k EventKind) String() string {
	switch k {
	case Join:
		return "join"
	case Leave:
		return "leave"
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one step of the controller's schedule: groups join or leave.
type Event struct {
	Kind   EventKind
	Groups []int
}

func (e Event) String() string {
	s := e.Kind.String()
	for _, g := range e.Groups {
		s += " " + strconv.Itoa(g)
	}
	return s
}

// ParseSchedule reads events separated by ';', each "join G..." or
// "leave G...", as Schedule's String writes them.
func ParseSchedule(s string) ([]Event, error) {
	var evs []Event
	for part := range strings.SplitSeq(s, ";") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		var e Event
		switch f[0] {
		case "join":
			e.Kind = Join
		case "leave":
			e.Kind = Leave
		default:
			return nil, fmt.Errorf("shardkv: schedule event %q: want join or leave", strings.TrimSpace(part))
		}
		if len(f) == 1 {
			return nil, fmt.Errorf("shardkv: schedule event %q: name at least one group", strings.TrimSpace(part))
		}
		for _, w := range f[1:] {
			g, err := strconv.Atoi(w)
			if err != nil || g < 1 {
				return nil, fmt.Errorf("shardkv: schedule event %q: group %q is not a positive number", strings.TrimSpace(part), w)
			}
			e.Groups = append(e.Groups, g)
		}
		evs = append(evs, e)
	}
	return evs, nil
}

// Bugs are planted mistakes, off by default; see the package doc.
type Bugs struct {
	// ServeBeforeData: a group serves a shard as soon as a configuration
	// gives it the shard, before the shard's data has arrived from the
	// previous owner (reads miss earlier writes, writes are lost).
	ServeBeforeData bool
	// NoSessionMove: a shard moves without its session table, so a client
	// retrying a write that the old owner applied has it applied again by
	// the new owner (an append appears twice).
	NoSessionMove bool
	// ConfigOutOfOrder: a group installs the next configuration while
	// shards of the previous one are still in transit, so configuration
	// k+1's handoffs overtake configuration k's: a shard it was still
	// pulling is handed on empty to its next owner (lost writes).
	ConfigOutOfOrder bool
}

// Config lays out the cluster and configures every server.
type Config struct {
	// Shards is the number of shards keys hash into (default 10).
	Shards int
	// Groups and GroupSize: replica groups 1..Groups of GroupSize servers
	// each (defaults 3 and 3); CtrlSize servers run the controller
	// (default 3). Servers n1..nCtrlSize are the controller, then group 1,
	// group 2, ...
	Groups, GroupSize, CtrlSize int
	// Schedule is the controller's list of join and leave events, applied
	// in order, the first at once and each next one ScheduleGap after the
	// previous (default: every group joins at once).
	Schedule    []Event
	ScheduleGap time.Duration
	// PollInterval is how often a group's leader asks the controller for
	// the next configuration and retries shard transfers (default 100ms).
	PollInterval time.Duration
	// Raft configures every Raft group (its ReadMode is forced to
	// ReadLog: every command goes through the log).
	Raft raftkv.Config
	Bugs Bugs
	_    struct{}
}

// The defaults for zero Config fields.
const (
	DefaultShards       = 10
	DefaultGroups       = 3
	DefaultGroupSize    = 3
	DefaultCtrlSize     = 3
	DefaultScheduleGap  = time.Second
	DefaultPollInterval = 100 * time.Millisecond
)

// WithDefaults returns c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.Shards == 0 {
		c.Shards = DefaultShards
	}
	if c.Groups == 0 {
		c.Groups = DefaultGroups
	}
	if c.GroupSize == 0 {
		c.GroupSize = DefaultGroupSize
	}
	if c.CtrlSize == 0 {
		c.CtrlSize = DefaultCtrlSize
	}
	if c.Schedule == nil {
		e := Event{Kind: Join}
		for g := 1; g <= c.Groups; g++ {
			e.Groups = append(e.Groups, g)
		}
		c.Schedule = []Event{e}
	}
	if c.ScheduleGap == 0 {
		c.ScheduleGap = DefaultScheduleGap
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	c.Raft.ReadMode = raftkv.ReadLog
	return c
}

// Size is the number of servers the layout needs.
func (c Config) Size() int {
	c = c.WithDefaults()
	return c.CtrlSize + c.Groups*c.GroupSize
}

// Validate reports the first problem with c (after defaults): a schedule
// naming a group that does not exist, joining a member or removing a
// non-member, or leaving no group at all (the shards' data would have
// nowhere to go).
func (c Config) Validate() error {
	c = c.WithDefaults()
	if c.Shards < 1 || c.Groups < 1 || c.GroupSize < 1 || c.CtrlSize < 1 {
		return fmt.Errorf("shardkv: shards, groups, group_size and ctrl_size must be positive")
	}
	in := map[int]bool{}
	for i, e := range c.Schedule {
		for _, g := range e.Groups {
			switch {
			case g > c.Groups:
				return fmt.Errorf("shardkv: schedule event %d (%v): no group %d (there are %d)", i+1, e, g, c.Groups)
			case e.Kind == Join && in[g]:
				return fmt.Errorf("shardkv: schedule event %d (%v): group %d has already joined", i+1, e, g)
			case e.Kind == Leave && !in[g]:
				return fmt.Errorf("shardkv: schedule event %d (%v): group %d is not a member", i+1, e, g)
			}
			in[g] = e.Kind == Join
		}
		n := 0
		for _, v := range in { //faultline:orderless counting
			if v {
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("shardkv: schedule event %d (%v): no group would be left to hold the shards", i+1, e)
		}
	}
	if err := c.Raft.Validate(); err != nil {
		return err
	}
	return nil
}

// Ctrl lists the controller's servers.
func (c Config) Ctrl() []nodes.ID {
	c = c.WithDefaults()
	var ids []nodes.ID
	for i := 1; i <= c.CtrlSize; i++ {
		ids = append(ids, nodes.NodeID(i))
	}
	return ids
}

// Members lists group g's servers.
func (c Config) Members(g int) []nodes.ID {
	c = c.WithDefaults()
	var ids []nodes.ID
	for i := 1; i <= c.GroupSize; i++ {
		ids = append(ids, nodes.NodeID(c.CtrlSize+(g-1)*c.GroupSize+i))
	}
	return ids
}

// GroupOf returns the group of server id (0 for the controller).
func (c Config) GroupOf(id nodes.ID) int {
	c = c.WithDefaults()
	i := id.Index() - c.CtrlSize
	if i <= 0 {
		return 0
	}
	return (i-1)/c.GroupSize + 1
}

func others(all []nodes.ID, self nodes.ID) []nodes.ID {
	out := []nodes.ID{}
	for _, id := range all {
		if id != self {
			out = append(out, id)
		}
	}
	return out
}

// lastConfig is the number of the configuration the schedule ends in.
func (c Config) lastConfig() int { return len(c.Schedule) }
