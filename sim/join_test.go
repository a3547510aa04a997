package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// leaver is a probe that also implements nodes.Leaver.
type leaver struct {
	probe
	leave func(env nodes.Env)
}

func (l *leaver) Leave(env nodes.Env) { l.leave(env) }

// A held server does not start with the others; Restart starts it later,
// as a member joining.
func TestHoldThenJoin(t *testing.T) {
	var started []string
	w, rec := world(t, sim.Config{Nodes: 3, Node: func(id nodes.ID) nodes.Node {
		return &probe{start: func(env nodes.Env) { started = append(started, id.String()) }}
	}})
	if err := w.Hold(3); err != nil {
		t.Fatal(err)
	}
	w.Run(time.Second)
	if len(started) != 2 || w.IsUp(3) {
		t.Fatalf("started %v, n3 up %v: want n1 and n2 only", started, w.IsUp(3))
	}
	if err := w.Restart(3); err != nil || !w.IsUp(3) || len(started) != 3 {
		t.Fatalf("join: err %v, up %v, started %v", err, w.IsUp(3), started)
	}
	if got := count(rec, trace.Start); got != 3 {
		t.Errorf("%d start events, want 3 (n3's at its join)", got)
	}
	for _, c := range []struct {
		id   nodes.ID
		want string
	}{{nodes.ClientID(1), "no process"}, {3, "after the run started"}} {
		if err := w.Hold(c.id); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Hold(%v) = %v, want an error containing %q", c.id, err, c.want)
		}
	}
}

// Leave runs the node's Leave as a handler (it may send); a node without
// one, or a paused one, is left alone.
func TestLeave(t *testing.T) {
	var got []string
	w, _ := world(t, sim.Config{Nodes: 3, Node: func(id nodes.ID) nodes.Node {
		p := probe{msg: func(env nodes.Env, from nodes.ID, m nodes.Message) {
			got = append(got, env.ID().String()+"<-"+from.String()+":"+m.(string))
		}}
		if id == 3 {
			return &p // no Leave
		}
		return &leaver{probe: p, leave: func(env nodes.Env) { env.Send(3, "bye") }}
	}})
	w.Run(time.Millisecond)
	for _, id := range []nodes.ID{1, 3} {
		if err := w.Leave(id); err != nil {
			t.Fatal(err)
		}
	}
	w.Pause(2)
	w.Leave(2)
	w.Run(time.Second)
	if len(got) != 1 || got[0] != "n3<-n1:bye" {
		t.Errorf("delivered %v, want only n1's goodbye", got)
	}
}
