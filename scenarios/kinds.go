package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// NodeKind is a protocol the runner can build by name. A protocol package
// (or a small wiring package beside it, so the protocol itself stays free of
// the runner) declares one and hands it to RegisterNode; the runner knows
// nothing else about the protocol. What a kind declares here is checked
// when a scenario loads: a scenario that asks for something the protocol
// cannot do is an error at the field that asks, never a failed run.
type NodeKind struct {
	// Name is what scenarios write in cluster.node.
	Name string
	// Help is one line for `faultline list`.
	Help string
	// Params declares the protocol's parameters (cluster.params); the runner
	// parses and validates them by type before Build sees them.
	Params []ParamSpec
	// MinSize is the smallest cluster the protocol is correct on (0 means
	// 1): a smaller cluster.size is a load error, and shrinking stops there.
	MinSize int
	// Workloads names the workload kinds whose client protocol the servers
	// speak; the first is the default when a scenario gives no
	// workload.kind. At least one is required.
	Workloads []string
	// Ops, if set, are the operations the servers perform, when not all of
	// their workloads' (a quorum register without read-modify-write): a
	// mix that weighs another is a load error, and the default mix leaves
	// the others out.
	Ops []string
	// Leader says the servers implement nodes.LeaderReporter, so faults may
	// target "leader".
	Leader bool
	// Digest says Build sets Protocol.Digest, so "convergence" can be checked.
	Digest bool
	// Invariants says Build sets Protocol.Invariants ("invariants" check).
	Invariants bool
	// Checks are checks of the protocol's own that scenarios may name
	// (registered with the kind; each says in Supported which kinds it
	// judges). A scenario that lists no checks runs those that judge its
	// workload, after DefaultChecks.
	Checks []CheckKind
	// Promise is the consistency level the protocol promises (zero: every
	// check required), which a scenario that lists no checks declares: a
	// generated hunt of an eventually consistent store measures its
	// linearizability rather than failing on it.
	Promise Promise
	// DefaultChecks are the registered checks beyond the package's
	// DefaultChecks (convergence, causal...) that a scenario listing no
	// checks runs too, when they can judge it.
	DefaultChecks []string
	// Validate, if set, checks the parameters together after each was
	// parsed; report problems with Params.Errorf.
	Validate func(p Params) error
	// ValidateWorkload, if set, checks that the protocol as configured by
	// p can run the scenario's workload kind (one of Workloads), for
	// protocols whose parameters decide what they speak (a CRDT of type
	// gcounter speaks the counter workload, not the set) or whose timeouts
	// must fit the clients' (wp, the workload's parameters: dynamo's
	// coordinator budget below the clients' attempt timeout); report
	// problems with Params.Errorf (of p or wp).
	ValidateWorkload func(p Params, workload string, wp Params) error
	// BugNeeds, if set, says what some planted bugs (members of the "bugs"
	// parameter) need for their code to run at all (see BugNeed).
	BugNeeds map[string]BugNeed
	// Hunt, if set, shapes the generic hunt of the kind where its defaults
	// cannot judge it (see HuntShape).
	Hunt HuntShape
	// RoundTrips, if set, is how many round trips one after the other (a
	// message each way and a sync) the protocol's slowest operation takes
	// with no fault, the client's own included (abd's write: four). A
	// swarm that draws the client timeout (swarm.timeout) then keeps it at
	// least twice that many of the seed's slowest round trip (SwarmTimeoutFloor),
	// so a correct protocol is not failed for a timeout it could never
	// meet. Zero: the drawn timeout stands.
	RoundTrips int
	// KeyRoundTrips, if set, says the protocol runs one operation per key
	// at a time (a coordinator queues the others, as dynamo's does), and
	// how many round trips each operation queued ahead of one on its key
	// adds to it (dynamo: 2, the read and the write at the coordinator).
	// The client-timeout floor then counts the other clients that may
	// share the key (SwarmTimeoutFloor); zero: operations on a key do not
	// wait for each other (abd), and the floor counts only RoundTrips.
	KeyRoundTrips int
	// Build makes the protocol for one run of a cluster of size servers.
	Build func(p Params, size int) (*Protocol, error)
	_     struct{}
}

// Protocol is a built protocol: how to make its nodes, and what the checks
// can ask of them.
type Protocol struct {
	// Factory makes a server (at start and at every restart).
	Factory nodes.Factory
	// Invariants, if set, returns the online invariant checked after every
	// server handler: node returns the live node with an ID (nil when it is
	// down). It is called once per run, before the run starts, so the
	// returned function may keep state across the run (the highest commit
	// seen, the leader of each term). It reports a violation as an error,
	// which stops the run at that step.
	Invariants func(node func(nodes.ID) nodes.Node) func(id nodes.ID) error
	// Digest, if set, summarises a live server's applied state over keys
	// (the workload's Clients.Keys) for the convergence check. ok is false
	// for a node that cannot say (for example still recovering); at the end
	// of the heal window that is itself a convergence failure, named in
	// the explanation.
	Digest func(n nodes.Node, keys []string) (digest string, ok bool)
	_      struct{}
}

// WorkloadKind is a kind of client load: the clients it builds, the
// operations they issue and how they retry, and how its histories are
// judged. Register one with RegisterWorkload.
type WorkloadKind struct {
	// Name is what scenarios write in workload.kind.
	Name string
	// Help is one line for `faultline list`.
	Help string
	// Ops names the operations workload.mix may weigh; DefaultMix is used
	// when a scenario gives none.
	Ops        []string
	DefaultMix []MixEntry
	// Keyed says workload.keys means something (a keyspace size); a
	// scenario may not set it otherwise.
	Keyed bool
	// Params declares the workload's own knobs, written beside the common
	// fields in the workload mapping (workload.attempt_timeout, ...).
	Params []ParamSpec
	// Model, if set, is the sequential specification "linearizable" checks
	// the histories against.
	Model func() checker.Model
	// Liveness says the clients report a liveness probe (Clients.Probe), so
	// "liveness" can be checked.
	Liveness bool
	// OfferedLoad says the clients issue operations at a rate scaled by
	// the host's offered load (nodes.LoadEnv), so the overload fault
	// changes what they do: the generic hunt draws it for them.
	OfferedLoad bool
	// Build makes the clients for one run.
	Build func(spec WorkloadSpec) (*Clients, error)
	_     struct{}
}

// WorkloadSpec is a scenario's workload as a WorkloadKind's Build sees it:
// the common fields (defaults applied) and the kind's own parameters.
type WorkloadSpec struct {
	Clients int
	// Keys is the keyspace size (only for Keyed kinds).
	Keys int
	// Mix weighs Ops (never empty: the kind's DefaultMix when unset).
	Mix []MixEntry
	// Timeout bounds one operation (0: the kind's default).
	Timeout time.Duration
	// Rate > 0 makes clients open-loop at Rate operations per virtual
	// second each; 0 is closed-loop.
	Rate float64
	// OpsPerClient, if positive, is the most ordinary operations a client
	// issues (workload.ops_per_client; 0: no cap). A kind must honour it:
	// after that many a client issues no more of the operations its mix
	// weighs, and still does what the liveness phase needs (probes, final
	// reads). Combine it with a cap of the kind's own with OpCap.
	OpsPerClient int
	Params       Params
	// Duration and Heal are the run's phases: at Duration clients stop
	// their ordinary operations and probe for liveness until the end.
	Duration, Heal time.Duration
	_              struct{}
}

// Weight returns the mix weight of op (0 if absent).
func (s WorkloadSpec) Weight(op string) int {
	n := 0
	for _, m := range s.Mix {
		if m.Op == op {
			n += m.Weight
		}
	}
	return n
}

// OpCap returns the cap on a client's ordinary operations: the smaller of
// OpsPerClient and own (a cap of the kind's own, such as a max_ops
// parameter), either 0 meaning none.
func (s WorkloadSpec) OpCap(own int) int {
	switch {
	case s.OpsPerClient <= 0:
		return max(own, 0)
	case own <= 0:
		return s.OpsPerClient
	}
	return min(own, s.OpsPerClient)
}

// Clients are a built workload.
type Clients struct {
	// Factory makes a client process (at start and at every restart).
	Factory nodes.Factory
	// Keys are the keys a convergence digest compares.
	Keys []string
	// Probe reports whether a client's liveness probe succeeded; set it
	// when the kind declares Liveness.
	Probe func(client nodes.Node) (ok bool)
	_     struct{}
}

// CheckClass says what a failed check means for the run's status.
type CheckClass uint8

const (
	// Safety: something wrong happened (StatusInvalid).
	Safety CheckClass = iota
	// Liveness: something right failed to happen after the heal
	// (StatusLiveness).
	Liveness
)

// CheckKind is a check a scenario's check list can name. The built-in ones
// (linearizable, invariants, liveness, convergence) are registered by this
// package; a user's registers with RegisterCheck and runs over the recorded
// history and the final states like them.
type CheckKind struct {
	Name, Help string
	Class      CheckClass
	// Level is the weakest promise that includes this check: under a
	// scenario promising less, a failure is reported as measured and the
	// run's status ignores it (zero: every promise includes it).
	Level Promise
	// Measure says the check measures rather than judges (staleness): its
	// figures and explanation are reported, and its verdict never changes
	// the run's status.
	Measure bool
	// Supported, if set, says why this check cannot judge a protocol and
	// workload ("" if it can); a scenario naming it anyway fails to load at
	// that check.
	Supported func(node *NodeKind, workload *WorkloadKind) (whyNot string)
	// Online, if set, installs the check before the run: it returns the
	// invariant checked after every server handler (see
	// Protocol.Invariants); a violation stops the run and makes this check
	// Invalid.
	Online func(f *Finished) func(id nodes.ID) error
	// Check judges a finished run. A check with only an online part may
	// leave it nil (it is then Valid when the run was not stopped).
	Check func(f *Finished, opts checker.Options) checker.Result
	_     struct{}
}

// Finished is what a check sees of a run: the scenario as this seed ran
// it, the history, and the nodes as they are at the end (or, for online
// checks, as they are now).
type Finished struct {
	Scenario *Scenario
	Seed     uint64
	// History is the recorded client history (nil for online checks).
	History  *checker.History
	Protocol *Protocol
	Clients  *Clients
	// Servers and ClientIDs list the processes, in ID order.
	Servers, ClientIDs []nodes.ID
	// Node returns the live node with an ID, or nil when it is down.
	Node func(id nodes.ID) nodes.Node
	// Now is the virtual time: for an online check, the instant of the
	// handler just run; for Check, the end of the run. A check that
	// samples the nodes online stamps what it sees with it.
	Now func() time.Duration
	// Lifecycle lists every server's starts, crashes, pauses and resumes
	// over the run, in time order: what actually happened to the
	// processes, for checks that judge a protocol against it (a failure
	// detector's detection time and false positives). Nil for online
	// checks.
	Lifecycle []ProcessEvent
	// Sent counts the messages each server sent over the run (Sent[i] is
	// Servers[i]'s), for message-load figures. Nil for online checks.
	Sent []int
	_    struct{}
}

// ProcessEvent is one change of a server's process state: Kind is
// trace.Start (fresh or after a restart), trace.Crash, trace.Pause or
// trace.Resume.
type ProcessEvent struct {
	At   time.Duration
	Node nodes.ID
	Kind trace.Kind
}

// registry holds what scenarios can name. Registration happens at program
// start (from main or a test's init), before any scenario loads.
type registry struct {
	nodes     map[string]*NodeKind
	workloads map[string]*WorkloadKind
	checks    map[string]*CheckKind
}

var reg = registry{nodes: map[string]*NodeKind{}, workloads: map[string]*WorkloadKind{}, checks: map[string]*CheckKind{}}

// RegisterNode makes a protocol available to scenarios by name. It panics
// on a malformed kind or a name registered twice (programmer errors).
func RegisterNode(k NodeKind) {
	must := func(ok bool, format string, args ...any) {
		if !ok {
			panic(fmt.Sprintf("scenarios: RegisterNode(%q): %s", k.Name, fmt.Sprintf(format, args...)))
		}
	}
	must(k.Name != "", "empty name")
	must(reg.nodes[k.Name] == nil, "registered twice")
	must(k.Build != nil, "no Build")
	must(len(k.Workloads) > 0, "no Workloads: name the workload kinds the servers speak")
	must(k.MinSize >= 0, "negative MinSize")
	if err := k.Hunt.check(); err != nil {
		must(false, "Hunt: %v", err)
	}
	mustSpecs("RegisterNode("+k.Name+")", k.Params)
	for _, c := range k.Checks {
		if reg.checks[c.Name] == nil {
			RegisterCheck(c)
		}
	}
	reg.nodes[k.Name] = &k
}

// RegisterWorkload makes a workload kind available to scenarios by name.
func RegisterWorkload(k WorkloadKind) {
	must := func(ok bool, format string, args ...any) {
		if !ok {
			panic(fmt.Sprintf("scenarios: RegisterWorkload(%q): %s", k.Name, fmt.Sprintf(format, args...)))
		}
	}
	must(k.Name != "", "empty name")
	must(reg.workloads[k.Name] == nil, "registered twice")
	must(k.Build != nil, "no Build")
	must(len(k.Ops) > 0, "no Ops")
	for _, m := range k.DefaultMix {
		must(slices.Contains(k.Ops, m.Op), "DefaultMix weighs %q, which is not in Ops", m.Op)
	}
	for _, p := range k.Params {
		must(!slices.Contains(commonWorkloadFields, p.Key), "parameter %q shadows a common workload field", p.Key)
	}
	mustSpecs("RegisterWorkload("+k.Name+")", k.Params)
	reg.workloads[k.Name] = &k
}

// RegisterCheck makes a check available to scenarios by name.
func RegisterCheck(k CheckKind) {
	if k.Name == "" || reg.checks[k.Name] != nil || (k.Check == nil && k.Online == nil) {
		panic(fmt.Sprintf("scenarios: RegisterCheck(%q): empty name, registered twice, or neither Check nor Online", k.Name))
	}
	reg.checks[k.Name] = &k
}

// NodeKinds lists the registered protocols, sorted by name.
func NodeKinds() []NodeKind { return sortedValues(reg.nodes) }

// WorkloadKinds lists the registered workloads, sorted by name.
func WorkloadKinds() []WorkloadKind { return sortedValues(reg.workloads) }

// Checks lists the registered checks, sorted by name.
func Checks() []CheckKind { return sortedValues(reg.checks) }

// NodeKindNames lists registered node kinds, sorted.
func NodeKindNames() []string { return sortedKeys(reg.nodes) }

// CheckNames lists the registered checks, sorted.
func CheckNames() []string { return sortedKeys(reg.checks) }

// WorkloadNames lists the registered workload kinds, sorted.
func WorkloadNames() []string { return sortedKeys(reg.workloads) }

// LookupNode returns a registered node kind.
func LookupNode(name string) (NodeKind, bool) {
	k, ok := reg.nodes[name]
	if !ok {
		return NodeKind{}, false
	}
	return *k, true
}

// LookupWorkload returns a registered workload kind.
func LookupWorkload(name string) (WorkloadKind, bool) {
	k, ok := reg.workloads[name]
	if !ok {
		return WorkloadKind{}, false
	}
	return *k, true
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m { //faultline:orderless collecting keys to sort
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func sortedValues[V any](m map[string]*V) []V {
	out := make([]V, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, *m[k])
	}
	return out
}

// oneOf renders names for "want one of" messages.
func oneOf(names []string) string {
	if len(names) == 0 {
		return "none registered"
	}
	return strings.Join(names, ", ")
}
