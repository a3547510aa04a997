package shardkvkind

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/scenarios"
)

// CheckReconfigured is the liveness check that every group finished the
// schedule by the end of the heal.
const CheckReconfigured = "reconfigured"

// SettleSource is what the reconfigured check reads of a live group
// server (shardkv.Server implements it).
type SettleSource interface {
	Group() int
	Settled() (num, last int, transit []string)
}

// Reconfigured judges the end of a run: every live group server has
// applied the schedule's last configuration and holds no shard in transit
// (pulling, handed off but not released, installed but not confirmed). It
// names every server that has not, and where it stopped. A run with no
// live group server to judge is Unknown.
func Reconfigured(servers []nodes.ID, node func(nodes.ID) SettleSource) checker.Result {
	r := checker.Result{Name: CheckReconfigured}
	var behind []string
	judged := 0
	for _, id := range servers {
		s := node(id)
		if s == nil {
			continue
		}
		judged++
		num, last, transit := s.Settled()
		switch {
		case num < last:
			behind = append(behind, fmt.Sprintf("%v (group %d) is at configuration %d of %d", id, s.Group(), num, last))
		case len(transit) > 0:
			behind = append(behind, fmt.Sprintf("%v (group %d) has shards in transit in configuration %d: %s", id, s.Group(), num, strings.Join(transit, ", ")))
		}
	}
	switch {
	case len(behind) > 0:
		r.Verdict = checker.Invalid
		r.Explanation = "the schedule did not finish after the heal: " + strings.Join(behind, "; ")
	case judged == 0:
		r.Explanation = "no live group server at the end to judge"
	default:
		r.Verdict = checker.Valid
	}
	return r
}

// ReconfiguredCheck is the "reconfigured" check kind.
func ReconfiguredCheck() scenarios.CheckKind {
	return scenarios.CheckKind{
		Name:  CheckReconfigured,
		Help:  "liveness: by the end of the heal every replica group has applied the schedule's last configuration and no shard is in transit (shardkv)",
		Class: scenarios.Liveness,
		Supported: func(node *scenarios.NodeKind, _ *scenarios.WorkloadKind) string {
			if node.Name != "shardkv" {
				return "reconfigured judges shardkv servers only"
			}
			return ""
		},
		Check: func(f *scenarios.Finished, _ checker.Options) checker.Result {
			return Reconfigured(f.Servers, func(id nodes.ID) SettleSource {
				if s, ok := f.Node(id).(SettleSource); ok {
					return s
				}
				return nil
			})
		},
	}
}
