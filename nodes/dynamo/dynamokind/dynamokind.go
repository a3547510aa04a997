// Package dynamokind plugs nodes/dynamo into the scenario runner: the
// "dynamo" node kind, its typed parameters and planted bugs, its online
// invariants and its state digest, and an extra check, ReplicasAgree,
// that judges convergence per key. It is written against the runner's
// public API only, as a protocol outside this module would be.
//
// A binary (or a test) makes the kind available with
//
//	scenarios.RegisterNode(dynamokind.Kind())
//
// after which scenarios may say cluster: {node: dynamo}.
package dynamokind

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/dynamo"
	"github.com/faultline/faultline/scenarios"
)

// Bug names, as scenarios write them in cluster.params.bugs.
const (
	BugAckBeforeSync = "ack-before-sync"
	BugLocalClock    = "local-clock"
)

// BugNames lists the planted bugs, in the order the docs present them.
var BugNames = []string{BugAckBeforeSync, BugLocalClock}

// Kind is the "dynamo" node kind. Its servers speak the kv and register
// workloads; any server coordinates (clients use route: any or fixed).
func Kind() scenarios.NodeKind {
	return scenarios.NodeKind{
		Name: "dynamo",
		Help: "Dynamo-style store (nodes/dynamo): consistent hashing, N/R/W quorums, sloppy quorums with hinted handoff, read repair, anti-entropy",
		Params: []scenarios.ParamSpec{
			{Key: "n", Type: scenarios.ParamInt, Positive: true, Default: fmt.Sprint(dynamo.DefaultN), Help: "replicas per key (the preference list)"},
			{Key: "r", Type: scenarios.ParamInt, Positive: true, Default: fmt.Sprint(dynamo.DefaultR), Help: "replies a read waits for"},
			{Key: "w", Type: scenarios.ParamInt, Positive: true, Default: fmt.Sprint(dynamo.DefaultW), Help: "acknowledgements a write waits for"},
			{Key: "sloppy", Type: scenarios.ParamBool, Default: "false", Help: "sloppy quorums with hinted handoff (true) or strict quorums over the preference list"},
			{Key: "vnodes", Type: scenarios.ParamInt, Positive: true, Default: fmt.Sprint(dynamo.DefaultVNodes), Help: "ring positions per server"},
			{Key: "anti_entropy", Type: scenarios.ParamDuration, Positive: true, Default: dynamo.DefaultAntiEntropy.String(), Help: "interval of anti-entropy exchanges and hint deliveries"},
			{Key: "timeout", Type: scenarios.ParamDuration, Positive: true, Default: dynamo.DefaultTimeout.String(), Help: "wait for a replica before retransmitting or (sloppy) using a stand-in"},
			{Key: "op_timeout", Type: scenarios.ParamDuration, Positive: true, Default: dynamo.DefaultOpTimeout.String(), Help: "a coordinator's budget for one operation (timeout+op_timeout must be below the clients' attempt_timeout: checked at load)"},
			{Key: "bugs", Type: scenarios.ParamList, Enum: BugNames, Help: "planted bugs"},
		},
		// N=3 by default; R and W quorums of 2 must survive one crash.
		MinSize:   3,
		Workloads: []string{"kv", "register"},
		// A cas is the client's request, the forward to the key's
		// coordinator, the replicas' read and their store (synced):
		// without the floor the correct store failed liveness in the
		// generic hunt at seeds 100002 (one hot key, a 173ms timeout
		// under 15–17ms links and 28ms syncs) and 7000018 (cas only,
		// 279ms); both pass at the floor this gives.
		RoundTrips: 4,
		// A coordinator runs one operation per key at a time: each one
		// queued ahead (its read and its write) delays the next. Without
		// counting them the correct store failed liveness at hunt seed
		// 7000125 (six clients on one key, a 478ms timeout: every write
		// gave up in the queue); it passes at the floor this gives.
		KeyRoundTrips:    2,
		Digest:           true,
		Invariants:       true,
		Checks:           []scenarios.CheckKind{ReplicasAgree()},
		Validate:         func(p scenarios.Params) error { _, err := config(p); return err },
		ValidateWorkload: validateClients,
		Hunt:             Hunt,

		// How a scenario that lists no checks (a hunt) judges it: even
		// strict quorums are not linearizable, and a key lives on its N
		// replicas only (replicas-agree, not convergence).
		Promise: scenarios.PromiseEventual,
		Build: func(p scenarios.Params, size int) (*scenarios.Protocol, error) {
			cfg, err := config(p)
			if err != nil {
				return nil, err
			}
			if q := max(cfg.R, cfg.W); q > size {
				return nil, p.Errorf("", "a quorum of %d is above the cluster size %d", q, size)
			}
			return protocol(cfg), nil
		},
	}
}

// Hunt is how the generic hunt configures dynamo. The hunt draws links up
// to 20ms and syncs up to 30ms; one put there is the forward, the read
// round and the synced write round, about 85ms uncontended and up to
// 110ms at the coordinator alone, so the 60ms op_timeout default gave up
// on most first attempts (and the clients' 100ms attempt timeout with it),
// and writes succeeded only as retries that found them already applied.
// The hunt gives the coordinator 150ms and the clients 250ms (above
// timeout+op_timeout, as validateClients demands): at hunt seed 7000531
// (one client, 2.8–19ms links, 22–29ms syncs) the coordinator timed out 12
// operations and 21 retries found their write applied; now none and none
// (TestSlowLinksFirstAttempts). Library scenarios keep the defaults.
var Hunt = scenarios.HuntShape{Params: "op_timeout=150ms", WorkloadParams: "attempt_timeout=250ms"}

// validateClients refuses a coordinator budget that outlasts the clients'
// attempts: a server waits timeout for the key's coordinator and the
// coordinator op_timeout for the operation, and a client that gives up
// first retries elsewhere while the first attempt still runs — every slow
// operation then runs twice and succeeds only as a retry found already
// applied. Both of dynamo's workloads (kv, register) take attempt_timeout.
func validateClients(p scenarios.Params, _ string, wp scenarios.Params) error {
	cfg, err := config(p)
	if err != nil {
		return err
	}
	at := wp.Duration("attempt_timeout")
	if budget := cfg.Timeout + cfg.OpTimeout; budget >= at {
		msg := fmt.Sprintf("timeout %v + op_timeout %v = %v is not below the clients' attempt_timeout %v: clients would give up on operations the coordinator is still running and retry them elsewhere", cfg.Timeout, cfg.OpTimeout, budget, at)
		if wp.Given("attempt_timeout") && !p.Given("op_timeout") && !p.Given("timeout") {
			return wp.Errorf("attempt_timeout", "%s (raise attempt_timeout above %v)", msg, budget)
		}
		return p.Errorf("op_timeout", "%s (lower op_timeout or timeout, or raise workload.attempt_timeout above %v)", msg, budget)
	}
	return nil
}

func config(p scenarios.Params) (dynamo.Config, error) {
	c := dynamo.Config{
		N: p.Int("n"), R: p.Int("r"), W: p.Int("w"),
		Sloppy:      p.Bool("sloppy"),
		VNodes:      p.Int("vnodes"),
		AntiEntropy: p.Duration("anti_entropy"),
		Timeout:     p.Duration("timeout"),
		OpTimeout:   p.Duration("op_timeout"),
		Bugs: dynamo.Bugs{
			AckBeforeSync: p.Has("bugs", BugAckBeforeSync),
			LocalClock:    p.Has("bugs", BugLocalClock),
		},
	}
	if err := c.Validate(); err != nil {
		key := ""
		switch {
		case c.R > c.N:
			key = "r"
		case c.W > c.N:
			key = "w"
		}
		return c, p.Errorf(key, "%s", strings.TrimPrefix(err.Error(), "dynamo: "))
	}
	return c, nil
}

func protocol(cfg dynamo.Config) *scenarios.Protocol {
	return &scenarios.Protocol{
		Factory: dynamo.New(cfg),
		Digest:  digest,
		Invariants: func(node func(nodes.ID) nodes.Node) func(nodes.ID) error {
			return dynamo.NewInvariants(cfg, func(id nodes.ID) *dynamo.Node {
				n, _ := node(id).(*dynamo.Node)
				return n
			}).Check
		},
	}
}

// digest renders a server's replica records of the keys, and its hint
// count. Convergence compares whole digests, so it is meaningful only when
// every server replicates every key (cluster size = n); with more servers
// than n, use ReplicasAgree (see the package doc of nodes/dynamo).
func digest(n nodes.Node, keys []string) (string, bool) {
	s, ok := n.(*dynamo.Node)
	if !ok {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "hints=%d", s.Hints())
	for _, k := range keys {
		if r := s.Record(k); r.Exists {
			fmt.Fprintf(&b, " %s=%v", k, r)
		}
	}
	return b.String(), true
}

// CheckReplicasAgree is ReplicasAgree's name.
const CheckReplicasAgree = "replicas-agree"

// ReplicasAgree is convergence per key: at the end of the heal window
// every live server of each key's preference list holds the same record
// of it, and no live server still keeps a hint. (The built-in convergence
// check compares one digest per server, which cannot say this when
// servers replicate different keys.)
func ReplicasAgree() scenarios.CheckKind {
	return scenarios.CheckKind{
		Name:  CheckReplicasAgree,
		Help:  "dynamo: at the end of the heal window the live replicas of every key agree and no hint is left",
		Class: scenarios.Liveness,
		Supported: func(n *scenarios.NodeKind, _ *scenarios.WorkloadKind) string {
			if n.Name != "dynamo" {
				return fmt.Sprintf("node kind %q is not dynamo", n.Name)
			}
			return ""
		},
		Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
			res := checker.Result{Name: CheckReplicasAgree, Verdict: checker.Valid}
			var live []*dynamo.Node
			var ids []nodes.ID
			for _, id := range f.Servers {
				if s, ok := f.Node(id).(*dynamo.Node); ok {
					live = append(live, s)
					ids = append(ids, id)
				}
			}
			for i, s := range live {
				if s.Hints() > 0 {
					res.Verdict = checker.Invalid
					res.Explanation = fmt.Sprintf("%v still keeps %d hints at the end of the heal window", ids[i], s.Hints())
					return res
				}
			}
			if len(live) == 0 {
				return res
			}
			for _, k := range f.Clients.Keys {
				var first nodes.ID
				var want dynamo.Record
				for _, p := range live[0].Preference(k) {
					s, ok := f.Node(p).(*dynamo.Node)
					if !ok {
						continue
					}
					if first == 0 {
						first, want = p, s.Record(k)
					} else if got := s.Record(k); !got.Same(want) {
						res.Verdict = checker.Invalid
						res.Explanation = fmt.Sprintf("replicas of key %q differ at the end of the heal window: %v has %v, %v has %v", k, first, want, p, got)
						return res
					}
				}
			}
			return res
		},
	}
}
