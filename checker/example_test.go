package checker_test

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
)

// A simulator records client operations as they happen, then checks them.
// Here client c2 reads a value that was already overwritten.
func ExampleRecorder() {
	ms := time.Millisecond
	c1, c2 := nodes.ClientID(1), nodes.ClientID(2)
	r := checker.NewRecorder("kv")

	w1 := r.Invoke(c1, 0*ms, nodes.Op{Kind: "put", Key: "x", Value: "1"})
	r.Complete(w1, 1*ms, nodes.OK, nodes.Op{})
	w2 := r.Invoke(c1, 2*ms, nodes.Op{Kind: "put", Key: "x", Value: "2"})
	r.Complete(w2, 3*ms, nodes.OK, nodes.Op{})
	g := r.Invoke(c2, 4*ms, nodes.Op{Kind: "get", Key: "x"})
	r.Complete(g, 5*ms, nodes.OK, nodes.Op{Output: "1", Exists: true})
	r.Annotate(checker.Annotation{Start: 2 * ms, End: 6 * ms, Node: "n1", Text: "partition n1 | n2 n3"})

	res := checker.Check(r.History(), checker.Options{Budget: time.Second})
	fmt.Println(res.Verdict)
	fmt.Println(res.Explanation)
	// Output:
	// invalid
	// key "x" is not linearizable (the longest linearization Porcupine found places 2 of its 3 operations)
	//   first operation no order can place: c2 get("x") -> "1" [4ms, 5ms]
	//   when it was invoked the state was "2", set by c1 put("x", "2") [2ms, 3ms]
	//   and nothing ran concurrently with it
}
