package nemesis_test

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

type idle struct{ nodes.Base }

// A scripted schedule, installed in a 5-server world and healed at 10s.
func ExampleInstall() {
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 5, Node: func(nodes.ID) nodes.Node { return idle{} }})
	if err != nil {
		panic(err)
	}
	sched, err := nemesis.ParseSchedule(`
at 1s for 2s: partition majority
at 4s: crash one
at 5s: crash n1,n2
`)
	if err != nil {
		panic(err)
	}
	nm, err := nemesis.Install(w, sched, nemesis.Options{HealAt: 10 * time.Second, Quiet: 5 * time.Second})
	if err != nil {
		panic(err)
	}
	w.Run(nm.End())
	for _, win := range nm.Windows() {
		fmt.Println(win)
	}
	// Output:
	// 1s..3s partition majority [n1,n2|n3,n4,n5]
	// 4s..10s crash one [n3]
	// 5s skipped crash n1,n2: would leave 5 of 5 servers down (budget 2)
}

// A generated schedule: the same seed always gives the same steps.
func ExampleGenerate() {
	s, err := nemesis.Generate(42, nemesis.GenOptions{
		Kinds:    []string{"partition", "crash", "clock-jump"},
		Interval: nemesis.Span(2*time.Second, 5*time.Second),
		Duration: nemesis.Span(time.Second, 4*time.Second),
		End:      30 * time.Second,
	})
	if err != nil {
		panic(err)
	}
	fmt.Print(s)
	// Output:
	// at 3.448s for 2.078s: clock-jump one +332ms
	// at 9.602s for 1.426s: clock-jump leader -990ms
	// at 14.563s for 2.307s: crash leader
	// at 20.363s for 1.297s: crash leader
	// at 23.664s for 2.35s: crash minority
	// at 29.401s: crash minority
}

// Every fault's canonical text parses back to the same fault.
func ExampleParse() {
	f, err := nemesis.Parse("skew n2 300ms")
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Kind(), "|", f)
	_, err = nemesis.Parse("drop 3/2 n1->n3")
	fmt.Println(err)
	// Output:
	// skew | skew n2 +300ms
	// nemesis: fault "drop 3/2 n1->n3": drop ratio: ratio "3/2" is above 1 (syntax: drop RATIO [LINKS])
}
