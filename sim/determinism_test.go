package sim_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// gossip is a busy protocol for determinism tests: it broadcasts on a
// jittered timer, appends what it hears to its disk, syncs, acknowledges
// after the sync, logs, and recovers its counter from disk at start.
type gossip struct {
	nodes.Base
	count   uint64
	pending []nodes.ID
}

type Rumor struct {
	N    uint64
	Seen []uint64
}
type Ack struct{ N uint64 }

func (g *gossip) Start(env nodes.Env) {
	if b, err := env.Store().Read("count"); err == nil && len(b) == 8 {
		g.count = binary.LittleEndian.Uint64(b)
	}
	env.Logf("start count=%d", g.count)
	g.arm(env)
}

func (g *gossip) arm(env nodes.Env) {
	env.SetTimer(time.Duration(5+env.Rand().IntN(20))*time.Millisecond, 0)
}

func (g *gossip) Timer(env nodes.Env, _ nodes.TimerID, _ uint64) {
	g.count++
	peers := env.Peers()
	env.Send(peers[env.Rand().IntN(len(peers))], &Rumor{N: g.count, Seen: []uint64{g.count, uint64(env.Now().UnixNano() % 1000)}})
	g.arm(env)
}

func (g *gossip) Message(env nodes.Env, from nodes.ID, m nodes.Message) {
	switch m := m.(type) {
	case *Rumor:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], m.N)
		env.Store().Append("log", b[:])
		env.Store().Write("count", b[:])
		g.pending = append(g.pending, from)
		env.Store().Sync(m.N)
	case Ack:
		if m.N%7 == 0 {
			env.Logf("ack %d from %v", m.N, from)
		}
	}
}

func (g *gossip) Synced(env nodes.Env, tag uint64) {
	for _, p := range g.pending {
		env.Send(p, Ack{N: tag})
	}
	g.pending = g.pending[:0]
}

type dropAll struct{ side map[nodes.ID]bool }

func (d dropAll) Judge(p *sim.Packet, _ *rand.Rand) sim.Verdict {
	if d.side[p.From] != d.side[p.To] {
		return sim.Verdict{Action: sim.Drop}
	}
	return sim.Verdict{}
}
func (d dropAll) String() string { return "partition" }

// busyWorld builds a 5-node world with loss, duplication, skew and drift,
// and scripts faults from the seed's nemesis stream: partitions, crashes
// and restarts, pauses, clock jumps and drift changes, torn writes and
// bit flips.
func busyWorld(seed uint64, hook func(*sim.Sim)) (*sim.Sim, error) {
	return busyWorldRecord(seed, false, hook)
}

func busyWorldRecord(seed uint64, record bool, hook func(*sim.Sim)) (*sim.Sim, error) {
	w, err := sim.New(sim.Config{
		Seed: seed, Record: record, Nodes: 5, Node: func(nodes.ID) nodes.Node { return &gossip{} },
		Network: sim.Network{Latency: sim.ParetoDist(200*time.Microsecond, 1.5, 50*time.Millisecond),
			Drop: sim.Ratio{Num: 1, Den: 20}, Duplicate: sim.Ratio{Num: 1, Den: 30}},
		Disk:   sim.Disk{SyncLatency: sim.UniformDist(100*time.Microsecond, 2*time.Millisecond)},
		Clocks: sim.Clocks{Skew: 50 * time.Millisecond, DriftPPM: 200},
	})
	if err != nil {
		return nil, err
	}
	if hook != nil {
		hook(w)
	}
	r := sim.NewStream(seed, sim.StreamNemesis)
	at := time.Duration(0)
	for at < 900*time.Millisecond {
		at += time.Duration(20+r.IntN(80)) * time.Millisecond
		id := nodes.NodeID(1 + r.IntN(5))
		switch r.IntN(6) {
		case 0:
			side := map[nodes.ID]bool{id: true}
			w.At(at, func() {
				h := w.AddRule(dropAll{side})
				text := "isolate " + id.String()
				fault := w.StartFault(0, "partition", text)
				w.After(60*time.Millisecond, func() { w.RemoveRule(h); w.StopFault(fault, 0, "partition", text) })
			})
		case 1:
			w.At(at, func() {
				w.Crash(id)
				w.After(30*time.Millisecond, func() { w.Restart(id) })
			})
		case 2:
			w.At(at, func() {
				w.Pause(id)
				w.After(40*time.Millisecond, func() { w.Resume(id) })
			})
		case 3:
			j := time.Duration(r.IntN(400)-200) * time.Millisecond
			w.At(at, func() { w.JumpClock(id, j) })
		case 4:
			ppm := int64(r.IntN(20000) - 10000)
			w.At(at, func() { w.SetDrift(id, ppm) })
		case 5:
			w.At(at, func() {
				w.SetDiskFaults(id, sim.DiskFaults{Tear: sim.Ratio{Num: 1, Den: 2}, Flip: sim.Ratio{Num: 1, Den: 50}})
			})
		}
	}
	return w, nil
}

// TestDeterminism runs 200 seeds of the busy world twice each and
// compares every event record.
func TestDeterminism(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 20
	}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		err := sim.CheckDeterminism(seed, func(seed uint64, hook func(*sim.Sim)) error {
			w, err := busyWorld(seed, hook)
			if err != nil {
				return err
			}
			if res := w.Run(time.Second); res.Outcome != sim.OutcomeDeadline {
				return fmt.Errorf("seed %d ended %v: %v", seed, res.Outcome, res.Failure)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestHashIndependentOfRecording: a sweep runs without recording and a
// replay with it; both must agree on the hash.
func TestHashIndependentOfRecording(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		a, _ := busyWorld(seed, nil)
		b, _ := busyWorldRecord(seed, true, func(w *sim.Sim) { sim.Record(w) })
		ra, rb := a.Run(time.Second), b.Run(time.Second)
		if ra.Hash != rb.Hash || ra.Events != rb.Events {
			t.Fatalf("seed %d: hash %v/%v events %d/%d", seed, ra.Hash, rb.Hash, ra.Events, rb.Events)
		}
		c, _ := busyWorld(seed+100, nil)
		if rc := c.Run(time.Second); rc.Hash == ra.Hash {
			t.Fatalf("seeds %d and %d give the same hash", seed, seed+100)
		}
	}
}

// TestCheckDeterminismReportsDivergence plants nondeterminism (state
// shared across runs) and expects the first diverging event.
func TestCheckDeterminismReportsDivergence(t *testing.T) {
	leak := 0
	err := sim.CheckDeterminism(1, func(seed uint64, hook func(*sim.Sim)) error {
		leak++
		n := leak
		w, err := sim.New(sim.Config{Seed: seed, Nodes: 2, Node: func(nodes.ID) nodes.Node {
			return &probe{start: func(env nodes.Env) {
				env.SetTimer(time.Millisecond, 0)
				env.SetTimer(time.Duration(n)*time.Millisecond+time.Microsecond, 1)
			}}
		}})
		if err != nil {
			return err
		}
		hook(w)
		w.Run(time.Second)
		return nil
	})
	d, ok := err.(*sim.Divergence)
	if !ok {
		t.Fatalf("got %v, want a divergence", err)
	}
	if d.A == nil || d.B == nil || d.A.At == d.B.At && d.A.String() == d.B.String() {
		t.Fatalf("divergence lacks both records: %v", d)
	}
	if !strings.Contains(d.Error(), "diverge at event") {
		t.Fatal(d.Error())
	}
}

func TestBusyWorldIsBusy(t *testing.T) {
	w, err := busyWorld(9, func(w *sim.Sim) { sim.Record(w) })
	if err != nil {
		t.Fatal(err)
	}
	rec := sim.Record(w)
	w.Run(time.Second)
	for _, k := range []trace.Kind{trace.Send, trace.Deliver, trace.Drop, trace.Duplicate, trace.Crash, trace.Restart, trace.DiskSynced, trace.Clock, trace.Log} {
		if count(rec, k) == 0 {
			t.Errorf("no %v events: the determinism world does not exercise it", k)
		}
	}
	t.Logf("%d events", len(rec.Events))
}
