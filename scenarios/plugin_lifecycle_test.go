package scenarios_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/scenarios"
)

// A check sees what happened to the processes (Finished.Lifecycle), how
// many messages each server sent (Finished.Sent) and the virtual time
// (Finished.Now), online and at the end: what detection checks are
// judged against.
func TestFinishedLifecycle(t *testing.T) {
	var got []scenarios.ProcessEvent
	var sent []int
	var end time.Duration
	var onlineNow []time.Duration
	var onlineLife bool
	scenarios.RegisterCheck(scenarios.CheckKind{
		Name:  "test-lifecycle",
		Help:  "records the lifecycle it is handed (a test check)",
		Class: scenarios.Safety,
		Online: func(f *scenarios.Finished) func(nodes.ID) error {
			onlineLife = f.Lifecycle != nil || f.Sent != nil
			return func(nodes.ID) error {
				if len(onlineNow) < 3 {
					onlineNow = append(onlineNow, f.Now())
				}
				return nil
			}
		},
		Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
			got, sent, end = f.Lifecycle, f.Sent, f.Now()
			return checker.Result{Verdict: checker.Valid}
		},
	})
	sc, err := scenarios.Parse("l.yaml", []byte(`name: l
cluster: {node: raftkv, size: 3}
run: {duration: 3s, heal: 1s}
check: [test-lifecycle]
nemesis:
  script:
    - {at: 1s, fault: "crash n2", for: 500ms}
    - {at: 2s, fault: "pause n3", for: 250ms}
`))
	if err != nil {
		t.Fatal(err)
	}
	if o := scenarios.RunSeed(sc, 1, scenarios.RunOptions{}); o.Failed() {
		t.Fatalf("%s: %s", o.Status, o.Reason)
	}
	var text []string
	for _, e := range got {
		text = append(text, fmt.Sprintf("%v %v %v", e.At, e.Node, e.Kind))
	}
	want := []string{"0s n1 start", "0s n2 start", "0s n3 start", "1s n2 crash", "1.5s n2 start", "2s n3 pause", "2.25s n3 resume"}
	if fmt.Sprint(text) != fmt.Sprint(want) {
		t.Errorf("lifecycle\n got %v\nwant %v", text, want)
	}
	if len(sent) != 3 || sent[0] == 0 || sent[1] == 0 || sent[2] == 0 {
		t.Errorf("sent %v: want a positive count per server", sent)
	}
	if end != 4*time.Second {
		t.Errorf("Now at the end = %v, want 4s", end)
	}
	if onlineLife {
		t.Error("an online check was handed a lifecycle; it should be nil until the end")
	}
	if len(onlineNow) == 0 || onlineNow[len(onlineNow)-1] < onlineNow[0] {
		t.Errorf("online Now readings %v", onlineNow)
	}
}
