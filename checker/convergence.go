package checker

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Convergence checks that replicas agree: states maps a node name to its
// final state (or a hash of it). Valid if all states are equal, Invalid
// otherwise, listing the groups of nodes that agree with each other in
// sorted order; Unknown if there are no states.
func Convergence(states map[string]string) Result {
	res := Result{Name: "convergence"}
	if len(states) == 0 {
		res.Explanation = "no replica states"
		return res
	}
	groups := groupStates(states)
	if len(groups) == 1 {
		res.Verdict = Valid
		res.Explanation = fmt.Sprintf("%d replicas agree", len(states))
		return res
	}
	res.Verdict = Invalid
	res.Explanation = fmt.Sprintf("%d replicas hold %d different states: %s", len(states), len(groups), describeGroups(groups))
	return res
}

// A StateSample is one observation of a replica's state (or its hash) at
// a virtual time.
type StateSample struct {
	Node  string
	At    time.Duration
	State string
}

// ConvergenceWithin checks liveness after healing: replicas must come to
// agree no later than healedAt+bound and still agree at the last sample.
// samples may be in any order; a node's state at time t is its latest
// sample at or before t. Valid reports when they first agreed; Invalid
// says whether they never agreed, agreed too late, or diverged again;
// Unknown if there are no samples.
func ConvergenceWithin(samples []StateSample, healedAt, bound time.Duration) Result {
	res := Result{Name: "convergence"}
	if len(samples) == 0 {
		res.Explanation = "no replica states"
		return res
	}
	s := slices.Clone(samples)
	slices.SortStableFunc(s, func(a, b StateSample) int {
		if c := cmpDur(a.At, b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Node, b.Node)
	})
	nodes := map[string]bool{}
	for _, x := range s {
		nodes[x.Node] = true
	}
	current := map[string]string{}
	agreedAt := time.Duration(-1) // start of the current agreement, -1 if none
	for i, x := range s {
		current[x.Node] = x.State
		if i+1 < len(s) && s[i+1].At == x.At {
			continue // judge after every sample of this instant
		}
		agree := len(current) == len(nodes) && len(groupStates(current)) == 1
		switch {
		case agree && agreedAt < 0:
			agreedAt = max(x.At, healedAt)
		case !agree:
			agreedAt = -1
		}
	}
	deadline := healedAt + bound
	last := s[len(s)-1].At
	switch {
	case agreedAt >= 0 && agreedAt <= deadline:
		res.Verdict = Valid
		res.Explanation = fmt.Sprintf("%d replicas agree since %v (healed at %v, bound %v)", len(nodes), agreedAt, healedAt, bound)
	case agreedAt >= 0:
		res.Verdict = Invalid
		res.Explanation = fmt.Sprintf("%d replicas agreed only at %v, after the deadline %v (healed at %v + %v)", len(nodes), agreedAt, deadline, healedAt, bound)
	case last < deadline:
		res.Verdict = Unknown
		res.Explanation = fmt.Sprintf("replicas disagree at the last sample (%v), before the deadline %v: %s", last, deadline, describeGroups(groupStates(current)))
	default:
		res.Verdict = Invalid
		res.Explanation = fmt.Sprintf("replicas still disagree at %v (deadline %v): %s", last, deadline, describeGroups(groupStates(current)))
	}
	return res
}

// groupStates groups node names by state: groups sorted by their first
// node, nodes sorted within a group.
func groupStates(states map[string]string) [][]string {
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, n)
	}
	slices.Sort(names)
	var groups [][]string
	index := map[string]int{}
	for _, n := range names {
		st := states[n]
		g, ok := index[st]
		if !ok {
			g = len(groups)
			index[st] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], n)
	}
	return groups
}

func describeGroups(groups [][]string) string {
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = "{" + strings.Join(g, " ") + "}"
	}
	return strings.Join(parts, " ")
}
