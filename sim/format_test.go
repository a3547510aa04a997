package sim_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

type leaf struct{ N int }

// Tree holds pointers at every level: printed with %+v its nested pointers
// would be memory addresses, different in every run.
type Tree struct {
	Root  *leaf
	Kids  []*leaf
	ByKey map[string]*leaf
	Any   any
	Nil   *leaf
	Fn    func()
}

type Flat struct {
	A int
	B []string
	C map[string]int
}

// pointerSender sends a Tree and a Flat to its peers on start.
type pointerSender struct{ nodes.Base }

func (pointerSender) Start(env nodes.Env) {
	for _, p := range env.Peers() {
		env.Send(p, &Tree{Root: &leaf{1}, Kids: []*leaf{{2}, {3}}, ByKey: map[string]*leaf{"b": {5}, "a": {4}}, Any: &leaf{6}, Fn: func() {}})
		env.Send(p, Flat{A: 1, B: []string{"x"}, C: map[string]int{"z": 1, "y": 2}})
	}
}

// Recorded message text never contains an address, so two runs of a seed
// whose messages hold pointers are identical; pointer-free messages read
// exactly as %+v prints them.
func TestMessageTextHasNoAddresses(t *testing.T) {
	build := func(seed uint64, hook func(*sim.Sim)) error {
		w, err := sim.New(sim.Config{Seed: seed, Nodes: 2, Node: func(nodes.ID) nodes.Node { return pointerSender{} }, Record: true})
		if err != nil {
			return err
		}
		hook(w)
		w.Run(time.Second)
		return nil
	}
	if err := sim.CheckDeterminism(1, build); err != nil {
		t.Fatal(err)
	}
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 2, Node: func(nodes.ID) nodes.Node { return pointerSender{} }, Record: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := sim.Record(w)
	w.Run(time.Second)
	var texts []string
	for _, e := range rec.Events {
		if e.Kind == trace.Send {
			texts = append(texts, e.Text)
		}
	}
	wantTree := "{Root:&{N:1} Kids:[&{N:2} &{N:3}] ByKey:map[a:&{N:4} b:&{N:5}] Any:&{N:6} Nil:<nil> Fn:func()}"
	wantFlat := fmt.Sprintf("%+v", Flat{A: 1, B: []string{"x"}, C: map[string]int{"z": 1, "y": 2}})
	if len(texts) != 4 || texts[0] != wantTree || texts[1] != wantFlat {
		t.Fatalf("send texts:\n%s\nwant\n%s\n%s", strings.Join(texts, "\n"), wantTree, wantFlat)
	}
	for _, s := range texts {
		if strings.Contains(s, "0x") {
			t.Errorf("address in %q", s)
		}
	}
}
