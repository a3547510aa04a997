package shardkv

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// ShardState is where a shard stands in a group for the group's current
// configuration.
type ShardState uint8

const (
	// Serving: owned, data present, old owner has let go.
	Serving ShardState = iota + 1
	// Pulling: owned in the current configuration, data not yet arrived.
	Pulling
	// Handoff: owned in the previous configuration, not in this one; the
	// frozen data waits for the new owner to take it.
	Handoff
	// Cleanup: owned, data installed, the old owner not yet told it may
	// delete its copy. Served.
	Cleanup
)

func (s ShardState) String() string {
	switch s {
	case Serving:
		return "serving"
	case Pulling:
		return "pulling"
	case Handoff:
		return "handoff"
	case Cleanup:
		return "cleanup"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Session is a client's entry in a shard's session table: the highest Seq
// applied to the shard for the client, and its reply.
type Session struct {
	Seq   uint64
	Reply kv.Reply
}

// Shard is one shard's data and session table in a group.
type Shard struct {
	State    ShardState
	Data     map[string]string
	Sessions map[nodes.ID]Session
}

func (s *Shard) clone() *Shard {
	c := &Shard{State: s.State, Data: map[string]string{}, Sessions: map[nodes.ID]Session{}}
	for k, v := range s.Data { //faultline:orderless copying a map
		c.Data[k] = v
	}
	for k, v := range s.Sessions { //faultline:orderless copying a map
		c.Sessions[k] = v
	}
	return c
}

// Group operation kinds, proposed by a group's leader.
const (
	// OpConfig installs configuration Value (JSON).
	OpConfig nodes.OpKind = "skv-config"
	// OpInstall installs shard Key's data (Value: JSON transfer).
	OpInstall nodes.OpKind = "skv-install"
	// OpDelete drops shard Key handed off in configuration Value.
	OpDelete nodes.OpKind = "skv-delete"
	// OpCleaned marks shard Key, installed in configuration Value,
	// released by its old owner.
	OpCleaned nodes.OpKind = "skv-cleaned"
)

// Transfer carries a shard between groups.
type Transfer struct {
	Num      int
	Shard    int
	Data     map[string]string
	Sessions map[nodes.ID]Session
}

// KeyShard returns the shard of key among n.
func KeyShard(key string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}

// groupSM is a replica group's replicated state: its configuration, the
// one before it, and its shards.
type groupSM struct {
	env   nodes.Env // the current handler's, for probes; nil outside one
	cfg   Config
	gid   int
	Cur   ShardConfig
	Prev  ShardConfig
	Owned map[int]*Shard
}

func newGroupSM(cfg Config, gid int) *groupSM {
	return &groupSM{cfg: cfg, gid: gid, Owned: map[int]*Shard{},
		Cur: ShardConfig{Shards: make([]int, cfg.Shards)}, Prev: ShardConfig{Shards: make([]int, cfg.Shards)}}
}

// stable reports whether no shard is in transit: the group may move to
// the next configuration.
func (g *groupSM) stable() bool {
	for _, s := range g.Owned { //faultline:orderless all-of
		if s.State != Serving {
			return false
		}
	}
	return true
}

// servable reports whether the group serves shard s now.
func (g *groupSM) servable(s int) bool {
	sh := g.Owned[s]
	if sh == nil || g.Cur.Owner(s) != g.gid {
		return false
	}
	return sh.State == Serving || sh.State == Cleanup || (g.cfg.Bugs.ServeBeforeData && sh.State == Pulling)
}

// hint is a server of shard s's owner, for a client's redirect.
func (g *groupSM) hint(s int) nodes.ID {
	if o := g.Cur.Owner(s); o != 0 && o != g.gid {
		return g.cfg.Members(o)[0]
	}
	return 0
}

func (g *groupSM) Apply(client nodes.ID, seq uint64, op nodes.Op) kv.Reply {
	switch op.Kind {
	case OpConfig:
		var c ShardConfig
		if err := json.Unmarshal([]byte(op.Value), &c); err != nil {
			panic(fmt.Sprintf("shardkv: group %d: config command: %v", g.gid, err))
		}
		g.installConfig(c)
		return kv.Reply{Status: kv.StatusOK}
	case OpInstall:
		var t Transfer
		if err := json.Unmarshal([]byte(op.Value), &t); err != nil {
			panic(fmt.Sprintf("shardkv: group %d: install command: %v", g.gid, err))
		}
		if sh := g.Owned[t.Shard]; t.Num == g.Cur.Num && sh != nil && sh.State == Pulling {
			sh.Data = t.Data
			if g.cfg.Bugs.NoSessionMove {
				t.Sessions = nil
			}
			sh.Sessions = t.Sessions
			if sh.Data == nil {
				sh.Data = map[string]string{}
			}
			if sh.Sessions == nil {
				sh.Sessions = map[nodes.ID]Session{}
			}
			sh.State = Cleanup
			g.logf("group %d installed shard %d of configuration %d", g.gid, t.Shard, t.Num)
			g.reached("shardkv: shard installed from its previous owner")
		}
		return kv.Reply{Status: kv.StatusOK}
	case OpDelete, OpCleaned:
		s, _ := strconv.Atoi(op.Key)
		num, _ := strconv.Atoi(op.Value)
		sh := g.Owned[s]
		if num != g.Cur.Num || sh == nil {
			return kv.Reply{Status: kv.StatusOK}
		}
		if op.Kind == OpDelete && sh.State == Handoff {
			delete(g.Owned, s)
			g.logf("group %d deleted shard %d handed off in configuration %d", g.gid, s, num)
			g.reached("shardkv: handed-off shard garbage-collected")
		}
		if op.Kind == OpCleaned && sh.State == Cleanup {
			sh.State = Serving
		}
		return kv.Reply{Status: kv.StatusOK}
	}
	if !kv.Known(op.Kind) {
		return kv.Reply{Status: kv.StatusUnsupported}
	}
	s := KeyShard(op.Key, g.cfg.Shards)
	if !g.servable(s) {
		if g.Cur.Owner(s) == g.gid {
			return kv.Reply{Status: kv.StatusRetry} // arriving
		}
		return kv.Reply{Status: kv.StatusNotLeader, Leader: g.hint(s)}
	}
	sh := g.Owned[s]
	if ss, ok := sh.Sessions[client]; ok {
		if seq == ss.Seq {
			g.reached("shardkv: retry answered from the shard's session table")
			return ss.Reply
		}
		if seq < ss.Seq {
			return kv.Reply{Status: kv.StatusRetry}
		}
	}
	r := kv.Apply(sh.Data, op)
	rep := kv.Reply{Status: r.Status, Value: r.Value, Exists: r.Exists}
	sh.Sessions[client] = Session{Seq: seq, Reply: rep}
	return rep
}

// installConfig moves to configuration c if it is the next one and no
// shard is in transit (ConfigOutOfOrder: even while some are).
func (g *groupSM) installConfig(c ShardConfig) {
	if c.Num != g.Cur.Num+1 || !(g.stable() || g.cfg.Bugs.ConfigOutOfOrder) {
		return
	}
	g.Prev, g.Cur = g.Cur, c
	g.logf("group %d installed configuration %d %v", g.gid, c.Num, c.Shards)
	g.reached("shardkv: configuration installed")
	g.sometimes(c.Num == g.cfg.lastConfig(), "shardkv: the schedule's last configuration installed")
	for s := range g.cfg.Shards {
		was, now := g.Prev.Owner(s) == g.gid, c.Owner(s) == g.gid
		switch {
		case now && g.Owned[s] != nil && g.Owned[s].State != Handoff:
			// kept
		case now && g.Prev.Owner(s) == 0:
			g.Owned[s] = &Shard{State: Serving, Data: map[string]string{}, Sessions: map[nodes.ID]Session{}}
		case now:
			g.Owned[s] = &Shard{State: Pulling, Data: map[string]string{}, Sessions: map[nodes.ID]Session{}}
		case was && g.Owned[s] != nil:
			g.Owned[s].State = Handoff
		}
	}
}

func (g *groupSM) Snapshot() []byte {
	b, err := json.Marshal(g)
	if err != nil {
		panic(err)
	}
	return b
}

func (g *groupSM) Restore(b []byte) error {
	n := newGroupSM(g.cfg, g.gid)
	if err := json.Unmarshal(b, n); err != nil {
		return fmt.Errorf("shardkv: group %d snapshot: %w", g.gid, err)
	}
	*g = *n
	return nil
}

func (g *groupSM) reached(name string) {
	if g.env != nil {
		g.env.Reached(name)
	}
}

func (g *groupSM) sometimes(cond bool, name string) {
	if g.env != nil {
		g.env.Sometimes(cond, name)
	}
}

func (g *groupSM) logf(format string, args ...any) {
	if g.env != nil {
		g.env.Logf(format, args...)
	}
}
