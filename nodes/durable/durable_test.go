package durable_test

import (
	"errors"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
	"github.com/faultline/faultline/sim"
)

func TestRecords(t *testing.T) {
	type st struct{ A map[string]int }
	b := durable.SealJSON(st{A: map[string]int{"y": 2, "x": 1}})
	var got st
	if err := durable.OpenJSON(b, &got); err != nil || got.A["x"] != 1 || got.A["y"] != 2 {
		t.Fatalf("%v %v", got, err)
	}
	b[len(b)-2] ^= 1
	if err := durable.OpenJSON(b, &got); !errors.Is(err, durable.ErrCorrupt) {
		t.Errorf("a flipped bit: %v", err)
	}
	if _, err := durable.Open([]byte{1, 2}); !errors.Is(err, durable.ErrCorrupt) {
		t.Errorf("a torn record: %v", err)
	}
}

// acker writes, then acknowledges only once the write is durable.
type acker struct {
	nodes.Base
	syncs durable.Syncs
	order []string
}

func (a *acker) Start(env nodes.Env) {
	env.Store().Write("x", durable.Seal([]byte("1")))
	a.syncs.After(env, func(nodes.Env) { a.order = append(a.order, "first") })
	a.syncs.After(env, nil)
	a.syncs.After(env, func(nodes.Env) { a.order = append(a.order, "third") })
	if a.syncs.Pending() != 3 {
		panic("pending")
	}
}

func (a *acker) Synced(env nodes.Env, tag uint64) { a.syncs.Synced(env, tag) }

// Actions run in order, after their syncs, and not before.
func TestSyncs(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 1, Node: func(nodes.ID) nodes.Node { return &acker{} },
		Disk: sim.Disk{SyncLatency: sim.Const(time.Millisecond)}})
	if err != nil {
		t.Fatal(err)
	}
	w.Run(500 * time.Microsecond)
	a := w.Node(nodes.NodeID(1)).(*acker)
	if len(a.order) != 0 {
		t.Fatalf("ran before the sync: %v", a.order)
	}
	w.Run(time.Second)
	if len(a.order) != 2 || a.order[0] != "first" || a.order[1] != "third" || a.syncs.Pending() != 0 {
		t.Fatalf("order %v, pending %d", a.order, a.syncs.Pending())
	}
}
