package scenarios

import "slices"

// defaultChecks are the checks of a scenario that lists none: DefaultChecks
// the protocol and workload can feed, then the kind's own checks
// (NodeKind.Checks) and the checks it names (NodeKind.DefaultChecks) that
// judge the workload and are not measurements — each only if the kind's
// promise includes it (an eventually consistent store is not searched for
// a linearization it does not promise: measuring that costs a hunt's
// memory and time, and judges nothing).
func defaultChecks(nk *NodeKind, wk *WorkloadKind) []string {
	out := []string{}
	can := func(ck *CheckKind) bool {
		return (ck.Supported == nil || ck.Supported(nk, wk) == "") && nk.Promise.requires(ck.Level)
	}
	for _, name := range DefaultChecks {
		if ck := reg.checks[name]; ck != nil && can(ck) {
			out = append(out, name)
		}
	}
	var more []string
	for _, k := range nk.Checks {
		more = append(more, k.Name)
	}
	for _, name := range append(more, nk.DefaultChecks...) {
		if ck := reg.checks[name]; ck != nil && !ck.Measure && can(ck) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
