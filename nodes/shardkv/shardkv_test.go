package shardkv

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

func TestParseSchedule(t *testing.T) {
	for _, c := range []struct {
		in, want, err string
	}{
		{in: "join 1 2; join 3; leave 1", want: "join 1 2;join 3;leave 1"},
		{in: " join 1 ;; ", want: "join 1"},
		{in: "join", err: `schedule event "join": name at least one group`},
		{in: "join 1; move 2", err: `schedule event "move 2": want join or leave`},
		{in: "leave x", err: `group "x" is not a positive number`},
		{in: "join 0", err: `group "0" is not a positive number`},
	} {
		evs, err := ParseSchedule(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseSchedule(%q) = %v, want error with %q", c.in, err, c.err)
			}
			continue
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.String())
		}
		if err != nil || strings.Join(got, ";") != c.want {
			t.Errorf("ParseSchedule(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ev := func(s string) []Event {
		e, err := ParseSchedule(s)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, c := range []struct {
		sched, err string
	}{
		{"join 1 2; join 3; leave 1; join 1", ""},
		{"join 4", "no group 4 (there are 3)"},
		{"join 1; join 1", "group 1 has already joined"},
		{"join 1; leave 2", "group 2 is not a member"},
		{"join 1; leave 1", "no group would be left"},
	} {
		err := Config{Groups: 3, Schedule: ev(c.sched)}.Validate()
		if (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("schedule %q: Validate() = %v, want %q", c.sched, err, c.err)
		}
	}
}

// TestRebalance: every configuration spreads the shards evenly over the
// member groups (counts differ by at most one), moves as few as it must
// (only a leaving group's shards, or just enough to fill a new one), and
// owns nothing without groups.
func TestRebalance(t *testing.T) {
	c := ShardConfig{Shards: make([]int, 10)}
	for i, step := range []struct {
		e     Event
		count map[int]int
		moved int
	}{
		{Event{Join, []int{1}}, map[int]int{1: 10}, 10},
		{Event{Join, []int{2}}, map[int]int{1: 5, 2: 5}, 5},
		{Event{Join, []int{3}}, map[int]int{1: 3, 2: 4, 3: 3}, 3},
		{Event{Leave, []int{1}}, map[int]int{2: 5, 3: 5}, 3},
		{Event{Join, []int{1, 4}}, map[int]int{1: 2, 2: 3, 3: 3, 4: 2}, 4},
		{Event{Leave, []int{2, 3}}, map[int]int{1: 5, 4: 5}, 6},
	} {
		n := c.next(step.e, 10)
		count, moved := map[int]int{}, 0
		for s, g := range n.Shards {
			count[g]++
			if g != c.Shards[s] {
				moved++
			}
		}
		if n.Num != c.Num+1 || !mapsEqual(count, step.count) || moved != step.moved {
			t.Errorf("step %d (%v): config %d, counts %v, %d moved; want config %d, %v, %d moved", i+1, step.e, n.Num, count, moved, c.Num+1, step.count, step.moved)
		}
		c = n
	}
	if n := c.next(Event{Leave, []int{1, 4}}, 10); slices.ContainsFunc(n.Shards, func(g int) bool { return g != 0 }) {
		t.Errorf("no groups left, but shards are owned: %v", n.Shards)
	}
}

func mapsEqual(a, b map[int]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a { //faultline:orderless comparing
		if b[k] != v {
			return false
		}
	}
	return true
}

// migration drives two groups' state machines through a move of every
// shard from group 1 to group 2, the way the servers' leaders would, and
// returns them with the client's write applied at group 1 before.
func migration(t *testing.T, bugs Bugs) (g1, g2 *groupSM, put nodes.Op) {
	t.Helper()
	cfg := Config{Groups: 2, Shards: 2, Bugs: bugs}.WithDefaults()
	g1, g2 = newGroupSM(cfg, 1), newGroupSM(cfg, 2)
	c1 := ShardConfig{Num: 1, Shards: []int{1, 1}, Groups: []int{1}}
	c2 := ShardConfig{Num: 2, Shards: []int{2, 2}, Groups: []int{2}}
	for _, g := range []*groupSM{g1, g2} {
		apply(t, g, nodes.Op{Kind: OpConfig, Value: js(c1)})
	}
	put = nodes.Op{Kind: nodes.OpAppend, Key: "k1", Value: "x;"}
	if r := g1.Apply(nodes.ClientID(1), 7, put); r.Status != kv.StatusOK {
		t.Fatalf("group 1 refused the append in config 1: %v", r.Status)
	}
	for _, g := range []*groupSM{g1, g2} {
		apply(t, g, nodes.Op{Kind: OpConfig, Value: js(c2)})
	}
	s := KeyShard("k1", 2)
	if st := g1.Owned[s].State; st != Handoff {
		t.Fatalf("group 1's shard %d after config 2: %v, want handoff", s, st)
	}
	if st := g2.Owned[s].State; st != Pulling {
		t.Fatalf("group 2's shard %d after config 2: %v, want pulling", s, st)
	}
	return g1, g2, put
}

func apply(t *testing.T, g *groupSM, op nodes.Op) {
	t.Helper()
	if r := g.Apply(nodes.NodeID(4), 0, op); r.Status != kv.StatusOK {
		t.Fatalf("group %d: %v: %v", g.gid, op.Kind, r.Status)
	}
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func transfer(g1 *groupSM, s int) string {
	c := g1.Owned[s].clone()
	return js(Transfer{Num: g1.Cur.Num, Shard: s, Data: c.Data, Sessions: c.Sessions})
}

// TestMigration: the shard moves with its data and session table, so a
// retry at the new owner is answered from the cache; the old owner stops
// serving at the new configuration and drops its copy when released, and
// the next configuration waits for all of it.
func TestMigration(t *testing.T) {
	g1, g2, put := migration(t, Bugs{})
	s := KeyShard("k1", 2)
	c3 := js(ShardConfig{Num: 3, Shards: []int{2, 2}, Groups: []int{2}})
	apply(t, g2, nodes.Op{Kind: OpConfig, Value: c3})
	if g2.Cur.Num != 2 {
		t.Fatalf("group 2 installed config 3 with shard %d still pulling", s)
	}
	if r := g2.Apply(nodes.ClientID(2), 1, nodes.Op{Kind: nodes.OpGet, Key: "k1"}); r.Status != kv.StatusRetry {
		t.Errorf("group 2 answered a get before the data arrived: %v %q", r.Status, r.Value)
	}
	if r := g1.Apply(nodes.ClientID(2), 1, nodes.Op{Kind: nodes.OpGet, Key: "k1"}); r.Status != kv.StatusNotLeader || r.Leader != g1.cfg.Members(2)[0] {
		t.Errorf("group 1 after handing off: %v leader %v, want not-leader with a hint to group 2", r.Status, r.Leader)
	}
	apply(t, g2, nodes.Op{Kind: OpInstall, Value: transfer(g1, s)})
	if r := g2.Apply(nodes.ClientID(1), 7, put); r.Status != kv.StatusOK || g2.Owned[s].Data["k1"] != "x;" {
		t.Errorf("retried append at the new owner: %v, value %q; want the cached ok and x; once", r.Status, g2.Owned[s].Data["k1"])
	}
	apply(t, g1, nodes.Op{Kind: OpDelete, Key: "0", Value: "2"})
	apply(t, g1, nodes.Op{Kind: OpDelete, Key: "1", Value: "2"})
	if len(g1.Owned) != 0 {
		t.Errorf("group 1 kept %d shards after their release", len(g1.Owned))
	}
	apply(t, g2, nodes.Op{Kind: OpCleaned, Key: "0", Value: "2"})
	apply(t, g2, nodes.Op{Kind: OpCleaned, Key: "1", Value: "2"})
	// The other shard was empty and came over the same way; install it.
	other := 1 - s
	if g2.Owned[other].State == Pulling {
		apply(t, g2, nodes.Op{Kind: OpInstall, Value: js(Transfer{Num: 2, Shard: other})})
		apply(t, g2, nodes.Op{Kind: OpCleaned, Key: js(other), Value: "2"})
	}
	apply(t, g2, nodes.Op{Kind: OpConfig, Value: c3})
	if g2.Cur.Num != 3 {
		t.Errorf("group 2 did not move to config 3 once stable: at %d, shards %v", g2.Cur.Num, g2.Owned)
	}
	// A snapshot restores the same state.
	r := newGroupSM(g2.cfg, 2)
	if err := r.Restore(g2.Snapshot()); err != nil || string(r.Snapshot()) != string(g2.Snapshot()) {
		t.Errorf("snapshot round trip: %v", err)
	}
}

// TestBugs: each planted bug does what its comment says in the same steps.
func TestBugs(t *testing.T) {
	s := KeyShard("k1", 2)
	t.Run("no-session-move", func(t *testing.T) {
		g1, g2, put := migration(t, Bugs{NoSessionMove: true})
		apply(t, g2, nodes.Op{Kind: OpInstall, Value: transfer(g1, s)})
		g2.Apply(nodes.ClientID(1), 7, put)
		if v := g2.Owned[s].Data["k1"]; v != "x;x;" {
			t.Errorf("retried append at the new owner gave %q, want it applied twice (x;x;)", v)
		}
	})
	t.Run("serve-before-data", func(t *testing.T) {
		_, g2, _ := migration(t, Bugs{ServeBeforeData: true})
		if r := g2.Apply(nodes.ClientID(2), 1, nodes.Op{Kind: nodes.OpGet, Key: "k1"}); r.Status != kv.StatusOK || r.Exists {
			t.Errorf("get at the pulling owner: %v exists=%v, want ok and missing (stale)", r.Status, r.Exists)
		}
	})
	t.Run("config-out-of-order", func(t *testing.T) {
		_, g2, _ := migration(t, Bugs{ConfigOutOfOrder: true})
		apply(t, g2, nodes.Op{Kind: OpConfig, Value: js(ShardConfig{Num: 3, Shards: []int{1, 1}, Groups: []int{1}})})
		if g2.Cur.Num != 3 || g2.Owned[s].State != Handoff || len(g2.Owned[s].Data) != 0 {
			t.Errorf("group 2 should hand off the shard it never received: config %d, %+v", g2.Cur.Num, g2.Owned[s])
		}
	})
}
