package swim_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/swim"
	"github.com/faultline/faultline/sim"
)

const ms = time.Millisecond

// world is a 3-member SWIM cluster with a probe period long enough that
// nothing happens on its own during a test step.
func world(t *testing.T, bugs swim.Bugs) *sim.Sim {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 3, Node: swim.New(swim.Config{ProbeInterval: time.Hour, ProbeTimeout: time.Minute, Bugs: bugs})})
	if err != nil {
		t.Fatal(err)
	}
	w.Run(10 * ms) // incarnations durable, joined
	return w
}

func node(w *sim.Sim, id nodes.ID) *swim.Node { return w.Node(id).(*swim.Node) }

func viewOf(w *sim.Sim, by, of nodes.ID) swim.Member {
	for _, m := range node(w, by).View() {
		if m.ID == of {
			return m
		}
	}
	panic("no member")
}

// TestMerge: updates merge by incarnation, then dead > suspect > alive.
func TestMerge(t *testing.T) {
	u := func(st swim.State, inc uint64) swim.Update { return swim.Update{Member: 3, State: st, Inc: inc} }
	for _, c := range []struct {
		name    string
		updates []swim.Update
		want    swim.Member
	}{
		{"suspect at the same incarnation beats alive", []swim.Update{u(swim.Alive, 1), u(swim.Suspect, 1)}, swim.Member{ID: 3, State: swim.Suspect, Inc: 1}},
		{"alive at the same incarnation does not clear a suspicion", []swim.Update{u(swim.Suspect, 1), u(swim.Alive, 1)}, swim.Member{ID: 3, State: swim.Suspect, Inc: 1}},
		{"a higher incarnation refutes", []swim.Update{u(swim.Suspect, 1), u(swim.Alive, 2)}, swim.Member{ID: 3, State: swim.Alive, Inc: 2}},
		{"dead beats suspect", []swim.Update{u(swim.Suspect, 1), u(swim.Dead, 1)}, swim.Member{ID: 3, State: swim.Dead, Inc: 1}},
		{"an old suspicion does not touch a newer alive", []swim.Update{u(swim.Alive, 3), u(swim.Suspect, 2)}, swim.Member{ID: 3, State: swim.Alive, Inc: 3}},
		{"a dead member comes back at a higher incarnation", []swim.Update{u(swim.Dead, 1), u(swim.Alive, 2)}, swim.Member{ID: 3, State: swim.Alive, Inc: 2}},
		{"left beats dead", []swim.Update{u(swim.Dead, 1), u(swim.Left, 1)}, swim.Member{ID: 3, State: swim.Left, Inc: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := world(t, swim.Bugs{})
			w.Pause(3) // so it cannot refute meanwhile
			for i, up := range c.updates {
				w.Inject(2, 1, swim.Sync{Reply: true, Updates: []swim.Update{up}}, 0)
				w.Run(w.Now() + ms*time.Duration(i+1))
			}
			if got := viewOf(w, 1, 3); got != c.want {
				t.Errorf("n1's view of n3 = %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestRefute: a member that hears it is suspected raises its incarnation
// past the claim, persists it and tells the others; with the planted bug
// it does not.
func TestRefute(t *testing.T) {
	for _, c := range []struct {
		name    string
		bugs    swim.Bugs
		wantInc uint64
		want    swim.State
	}{
		{"refutes", swim.Bugs{}, 2, swim.Alive},
		{"no-refute", swim.Bugs{NoRefute: true}, 1, swim.Suspect},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := world(t, c.bugs)
			claim := swim.Update{Member: 3, State: swim.Suspect, Inc: 1}
			w.Inject(2, 1, swim.Sync{Reply: true, Updates: []swim.Update{claim}}, 0)
			w.Inject(1, 3, swim.Ping{Seq: 99, Updates: []swim.Update{claim}}, 0)
			w.Run(w.Now() + 50*ms)
			// The refutation rides on n3's next message: its ack of a ping.
			w.Inject(1, 3, swim.Ping{Seq: 100}, 0)
			w.Run(w.Now() + 50*ms)
			if inc := node(w, 3).Incarnation(); inc != c.wantInc {
				t.Errorf("n3's incarnation %d, want %d", inc, c.wantInc)
			}
			if got := viewOf(w, 1, 3); got.State != c.want {
				t.Errorf("n1's view of n3 = %+v, want %v", got, c.want)
			}
		})
	}
}

// TestRestartRaisesIncarnation: a restarted member starts above every
// incarnation it announced (it is persisted before it is announced).
func TestRestartRaisesIncarnation(t *testing.T) {
	w := world(t, swim.Bugs{})
	before := node(w, 2).Incarnation()
	w.Crash(2)
	w.Restart(2)
	w.Run(w.Now() + 10*ms)
	if after := node(w, 2).Incarnation(); after <= before {
		t.Errorf("incarnation %d after a restart, %d before: want higher", after, before)
	}
}

// TestLeave: a leaving member tells every peer it left.
func TestLeave(t *testing.T) {
	w := world(t, swim.Bugs{})
	w.Leave(3)
	w.Run(w.Now() + 50*ms)
	for _, id := range []nodes.ID{1, 2} {
		if got := viewOf(w, id, 3); got.State != swim.Left {
			t.Errorf("%v's view of n3 = %+v, want left", id, got)
		}
	}
}
