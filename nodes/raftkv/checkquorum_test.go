package raftkv_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes/raftkv"
)

// A leader cut off from the other servers steps down after
// ElectionTimeoutMax without a quorum (CheckQuorum); with NoCheckQuorum it
// stays leader of its old term until it hears of a later one, and the
// others elect a successor all the same.
func TestCheckQuorum(t *testing.T) {
	for _, tc := range []struct {
		name        string
		off         bool
		stillLeader bool
	}{
		{"on", false, false},
		{"off", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, opts{seed: 3, nodes: 3, clients: 2, cfg: raftkv.Config{NoCheckQuorum: tc.off}})
			l := c.mustLeader(time.Second)
			term := c.node(l).Status().Term
			c.isolate(l)
			c.mustRun(c.w.Now() + time.Second)
			if got := c.node(l).Status(); (got.Role == raftkv.Leader && got.Term == term) != tc.stillLeader {
				t.Errorf("isolated leader %v after 1s: %v in term %d (was leader in %d), want still leader %t", l, got.Role, got.Term, term, tc.stillLeader)
			}
			if c.maxTerm() <= term {
				t.Errorf("the others elected no successor: max term %d", c.maxTerm())
			}
			c.heal()
			c.mustRun(c.w.Now() + time.Second)
			if _, ok := c.oneLeader(); !ok {
				t.Errorf("no single leader a second after the heal")
			}
		})
	}
}
