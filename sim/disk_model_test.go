package sim_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// diskModelOp is one write the model replays: an append, a rewrite or a delete
// of the one file "f".
type diskModelOp struct {
	kind byte // 'a' append, 'w' write, 'd' delete
	data []byte
}

// diskModel is the test's own account of file "f": its contents at the
// last restart and the writes issued since; state(k) applies the first k.
type diskModel struct {
	base    []byte
	exists  bool
	ops     []diskModelOp
	synced  map[uint64]int // sync tag -> writes it covers
	durable int            // writes known durable
}

func (m *diskModel) state(k int) ([]byte, bool) {
	b, ok := append([]byte(nil), m.base...), m.exists
	for _, op := range m.ops[:k] {
		switch op.kind {
		case 'a':
			b, ok = append(b, op.data...), true
		case 'w':
			b, ok = append([]byte(nil), op.data...), true
		case 'd':
			b, ok = nil, false
		}
	}
	return b, ok
}

// TestDiskMatchesAModelAcrossCrashes drives one file with random appends,
// rewrites, deletes and syncs, crashing the node often: every read must
// see every write issued, and after each crash exactly the synced ones.
// The simulator's Append keeps one copy of the data, in the view, shared
// with the pending write (sim/disk.go): this is the test that it never
// lets one write's bytes change another's.
func TestDiskMatchesAModelAcrossCrashes(t *testing.T) {
	m := &diskModel{synced: map[uint64]int{}}
	var tag uint64
	check := func(st nodes.Store, k int, when string) {
		t.Helper()
		want, wantOK := m.state(k)
		got, err := st.Read("f")
		if (err == nil) != wantOK || !bytes.Equal(got, want) {
			t.Fatalf("%s: f reads %q (err %v), want %q (exists %v)", when, got, err, want, wantOK)
		}
	}
	node := func(nodes.ID) nodes.Node {
		return &probe{
			start: func(env nodes.Env) {
				check(env.Store(), m.durable, "after a restart")
				m.base, m.exists = m.state(m.durable)
				m.ops, m.durable, m.synced = nil, 0, map[uint64]int{}
				env.SetTimer(100*time.Microsecond, 0)
			},
			timer: func(env nodes.Env, _ uint64) {
				st, r := env.Store(), env.Rand()
				switch x := r.IntN(20); {
				case x < 14:
					data := make([]byte, 1+r.IntN(40))
					for i := range data {
						data[i] = byte(r.IntN(256))
					}
					st.Append("f", data)
					m.ops = append(m.ops, diskModelOp{'a', slices.Clone(data)})
					data[0] ^= 0xff // the store copied it: this must not show
				case x < 16:
					data := []byte{byte(r.IntN(256)), byte(r.IntN(256))}
					st.Write("f", data)
					m.ops = append(m.ops, diskModelOp{'w', data})
				case x < 17:
					st.Delete("f")
					m.ops = append(m.ops, diskModelOp{'d', nil})
				default:
					tag++
					m.synced[tag] = len(m.ops)
					st.Sync(tag)
				}
				check(st, len(m.ops), "after a write")
				env.SetTimer(100*time.Microsecond, 0)
			},
			synced: func(env nodes.Env, tag uint64) {
				m.durable = max(m.durable, m.synced[tag])
			},
		}
	}
	w, _ := world(t, sim.Config{Seed: 3, Nodes: 1, Node: node, Disk: sim.Disk{SyncLatency: sim.UniformDist(100*time.Microsecond, 2*time.Millisecond)}})
	at := time.Duration(0)
	for i := range 200 {
		at += time.Duration(1+i%7) * time.Millisecond
		w.Run(at)
		w.Crash(1)
		w.Restart(1)
	}
	if tag < 100 {
		t.Fatalf("only %d syncs issued", tag)
	}
}
