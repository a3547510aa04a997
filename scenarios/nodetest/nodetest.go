// Package nodetest checks that a protocol keeps the contract the simulator
// and the checkers rely on, in the style of testing/fstest: one call runs
// every property and reports every problem together.
//
//	func TestContract(t *testing.T) {
//		nodetest.Run(t, pbkv.Kind())
//	}
//
// # The properties
//
//   - fresh: the kind builds with its default parameters, and its Factory
//     returns a new node on every call (a restart must not get the crashed
//     incarnation back).
//   - quiet: without faults, every check the kind and its workload support
//     passes, and every operation of the workload's mix completes OK at
//     least once — the servers speak the workload's client protocol.
//   - deterministic: the same seed, run twice under faults with full
//     recording, gives the same events (the first diverging event is
//     reported otherwise).
//   - restart: each server in turn crashes, losing what it had not synced,
//     and restarts; the cluster stays correct and converges. A node that
//     rebuilds its state from anything but its synced store fails here.
//   - unknown-messages: a message of a type the protocol has never heard of,
//     from a peer and from a client, is ignored, not a panic.
//   - messages: no message the protocol sends shares memory with the copy
//     the simulator delivers. The copy is deep for exported fields; an
//     unexported pointer, slice or map field, or a Clone method that
//     returns a shallow copy, would let the receiver change the sender's
//     state. Funcs and channels cannot be copied at all. If the protocol
//     sends a [nodes.Recycler], each seed also runs without recycling and
//     must give the same trace: a handler that keeps a delivered Recycler
//     (or memory it reaches) after it returns fails here.
//   - hunt-shape: a message the kind's HuntShape names (Replication, the
//     message a leader replicates with) is one its servers send each
//     other in a faulted run, by the name the trace gives it; a misspelt
//     name gives the hunt's replication storms nothing to crash on.
//
// Every property runs a small scenario built from the kind's declarations
// (its first workload, max(3, MinSize) servers, 3 clients) with the checks
// linearizable, invariants, liveness and convergence, those the kind and
// workload support; Options change the seeds, the workload, the
// parameters and the promise (an eventually consistent protocol says
// Promise: scenarios.PromiseEventual, and linearizability is then only
// measured). The node kind is registered with package
// scenarios if it is not yet; the workload kinds it speaks must be.
//
// # Cost
//
// nodetest judges correctness, not speed. To measure a protocol's events
// per second, time dilation and allocations per trace event, one line in a
// benchmark does it (faultlinetest.Bench; examples/pbkv/pbkvkind has one,
// from outside Faultline's module):
//
//	func BenchmarkPartitions(b *testing.B) {
//		faultlinetest.Bench(b, faultlinetest.Load(b, "testdata/my.yaml"))
//	}
//
// and package durable's Encoder and Writer keep a WAL's appends free of
// allocations.
package nodetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// Options tune the conformance run. Use a keyed literal.
type Options struct {
	// Workload is the workload kind to drive the servers with (default:
	// the kind's first).
	Workload string
	// Seeds is how many seeds each property runs (default 3).
	Seeds int
	// Params are cluster parameters to run with (default: none, so every
	// parameter takes its default).
	Params []scenarios.Param
	// WorkloadParams are workload parameters to run with (a leaderless
	// protocol's route: fixed or any).
	WorkloadParams []scenarios.Param
	// Promise is the consistency the protocol promises: checks stronger
	// than it are run but not required (default: all of them required).
	Promise scenarios.Promise
	_       struct{}
}

// Run checks kind's contract and reports every problem in one test error.
func Run(t testing.TB, kind scenarios.NodeKind, opts ...Options) {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if err := Test(kind, o); err != nil {
		t.Error(err)
	}
}

// Test checks kind's contract and returns every problem found, joined, or
// nil.
func Test(kind scenarios.NodeKind, opts Options) error {
	if _, ok := scenarios.LookupNode(kind.Name); !ok {
		scenarios.RegisterNode(kind)
	}
	kind, _ = scenarios.LookupNode(kind.Name)
	if opts.Seeds <= 0 {
		opts.Seeds = 3
	}
	if opts.Workload == "" && len(kind.Workloads) > 0 {
		opts.Workload = kind.Workloads[0]
	}
	if _, ok := scenarios.LookupWorkload(opts.Workload); !ok {
		return fmt.Errorf("nodetest: %s: workload kind %q is not registered (register the workloads your protocol speaks, e.g. kvkind.Workloads(), before calling nodetest)", kind.Name, opts.Workload)
	}
	r := &run{kind: kind, opts: opts}
	for _, p := range []struct {
		name string
		fn   func() []string
	}{
		{"fresh", r.fresh},
		{"quiet", r.quiet},
		{"deterministic", r.deterministic},
		{"restart", r.restart},
		{"unknown-messages", r.unknownMessages},
		{"messages", r.messages},
		{"hunt-shape", r.huntShape},
	} {
		for _, problem := range r.guard(p.fn) {
			r.errs = append(r.errs, fmt.Errorf("%s: %s", p.name, problem))
		}
	}
	if len(r.errs) == 0 {
		return nil
	}
	noun := "problems"
	if len(r.errs) == 1 {
		noun = "problem"
	}
	return fmt.Errorf("nodetest: %s: %d %s:\n%w", kind.Name, len(r.errs), noun, errors.Join(r.errs...))
}

type run struct {
	kind scenarios.NodeKind
	opts Options
	errs []error
}

// guard turns a panic in a property (in the harness, or in node code
// outside the simulator's own recovery) into a problem.
func (r *run) guard(fn func() []string) (problems []string) {
	defer func() {
		if p := recover(); p != nil {
			problems = append(problems, fmt.Sprintf("panicked: %v", p))
		}
	}()
	return fn()
}

// scenario is the base scenario: every supported check, no faults.
func (r *run) scenario(name string) *scenarios.Scenario {
	wk, _ := scenarios.LookupWorkload(r.opts.Workload)
	sc := &scenarios.Scenario{
		Name:     "nodetest-" + r.kind.Name + "-" + name,
		Cluster:  scenarios.Cluster{Node: r.kind.Name, Size: max(3, r.kind.MinSize), Params: slices.Clone(r.opts.Params)},
		Workload: scenarios.Workload{Kind: r.opts.Workload, Clients: 3, Params: slices.Clone(r.opts.WorkloadParams)},
		Run:      scenarios.RunSpec{Duration: 4 * time.Second, Heal: 4 * time.Second},
		Check:    []string{},
		Promise:  r.opts.Promise,
	}
	if wk.Keyed {
		sc.Workload.Keys = 3
	}
	for _, name := range contractChecks {
		ck := checkKind(name)
		if ck.Supported == nil || ck.Supported(&r.kind, &wk) == "" {
			sc.Check = append(sc.Check, ck.Name)
		}
	}
	return sc
}

// contractChecks are the checks every property runs, those the kind and
// workload support.
var contractChecks = []string{scenarios.CheckLinearizable, scenarios.CheckInvariants, scenarios.CheckLiveness, scenarios.CheckConvergence}

func checkKind(name string) scenarios.CheckKind {
	for _, ck := range scenarios.Checks() {
		if ck.Name == name {
			return ck
		}
	}
	panic("nodetest: no check " + name)
}

// failures runs seeds of sc and describes each that does not pass.
func (r *run) failures(sc *scenarios.Scenario, opts scenarios.RunOptions) []string {
	var out []string
	for seed := uint64(1); seed <= uint64(r.opts.Seeds); seed++ {
		o := scenarios.RunSeed(sc, seed, opts)
		if o.Failed() {
			out = append(out, fmt.Sprintf("seed %d: %s: %s", seed, o.Status, firstLine(o.Reason)))
		}
	}
	return out
}

func (r *run) fresh() []string {
	w, err := scenarios.Build(r.scenario("fresh"), 1, scenarios.RunOptions{})
	if err != nil {
		return []string{fmt.Sprintf("does not build with default parameters: %v", err)}
	}
	a, b := w.Protocol.Factory(nodes.NodeID(1)), w.Protocol.Factory(nodes.NodeID(1))
	switch {
	case a == nil || b == nil:
		return []string{"Factory returned nil"}
	case reflect.TypeOf(a).Kind() == reflect.Pointer && reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer():
		return []string{fmt.Sprintf("Factory returned the same %T twice: a restarted node must be a new value, rebuilt from its store", a)}
	}
	return nil
}

func (r *run) quiet() []string {
	sc := r.scenario("quiet")
	var problems []string
	wk, _ := scenarios.LookupWorkload(r.opts.Workload)
	ok := map[string]int{}
	for seed := uint64(1); seed <= uint64(r.opts.Seeds); seed++ {
		o := scenarios.RunSeed(sc, seed, scenarios.RunOptions{})
		if o.Failed() {
			problems = append(problems, fmt.Sprintf("seed %d: %s: %s", seed, o.Status, firstLine(o.Reason)))
		}
		if o.History == nil {
			continue
		}
		for _, op := range o.History.Ops {
			if op.Outcome == nodes.OK {
				ok[string(op.Kind)]++
			}
		}
	}
	mix := sc.WithDefaults().Workload.Mix
	for _, m := range mix {
		if m.Weight > 0 && ok[m.Op] == 0 && slices.Contains(wk.Ops, m.Op) {
			problems = append(problems, fmt.Sprintf("no %s operation completed OK in %d fault-free seeds: do the servers answer the %s workload's %s requests?", m.Op, r.opts.Seeds, wk.Name, m.Op))
		}
	}
	return problems
}

func (r *run) faulted(name string) *scenarios.Scenario {
	sc := r.scenario(name)
	sc.Nemesis.Generate = &scenarios.Generate{Faults: []string{"partition", "crash", "pause", "drop"},
		Interval: scenarios.Range{Min: 500 * time.Millisecond, Max: time.Second}, Duration: scenarios.Range{Min: 300 * time.Millisecond, Max: time.Second}}
	return sc
}

func (r *run) deterministic() []string {
	if err := scenarios.CheckDeterminism(r.faulted("deterministic"), 1, scenarios.RunOptions{}); err != nil {
		return []string{fmt.Sprintf("%v\n(run sim/lint on the protocol: lint.Test(t, \"./...\"))", err)}
	}
	return nil
}

func (r *run) restart() []string {
	sc := r.scenario("restart")
	sc.Disk.KeepUnsyncedOnCrash = false
	n := sc.Cluster.Size
	step := sc.Run.Duration / time.Duration(n+1)
	for i := 1; i <= n; i++ {
		sc.Nemesis.Script = append(sc.Nemesis.Script, scenarios.Step{At: time.Duration(i) * step, Fault: fmt.Sprintf("crash n%d", i), For: step / 2})
	}
	return r.failures(sc, scenarios.RunOptions{})
}

// stranger is a message type no protocol knows.
type stranger struct{ Note string }

func (r *run) unknownMessages() []string {
	sc := r.scenario("unknown-messages")
	inject := func(w *sim.Sim) {
		servers := w.Servers()
		client := nodes.ClientID(1)
		for i, id := range servers {
			peer := servers[(i+1)%len(servers)]
			at := time.Duration(i+1) * 300 * time.Millisecond
			w.At(at, func() {
				w.Inject(peer, id, stranger{"from a peer"}, 0)
				w.Inject(client, id, &stranger{"from a client"}, 0)
				w.Inject(peer, id, nil, 0)
			})
		}
	}
	return r.failures(sc, scenarios.RunOptions{Hook: inject})
}

func (r *run) messages() []string {
	sc := r.faulted("messages")
	seen := map[reflect.Type]bool{}
	var problems []string
	watch := func(w *sim.Sim) {
		w.Observe(func(e *trace.Event) error {
			if e.Kind != trace.Send || e.Msg == nil || e.Node.IsClient() {
				return nil
			}
			t := reflect.TypeOf(e.Msg)
			if seen[t] {
				return nil
			}
			seen[t] = true
			if why := aliased(e.Msg); why != "" {
				problems = append(problems, fmt.Sprintf("%v sends %s: %s", e.Node, t, why))
			}
			return nil
		})
	}
	var runs []scenarios.Outcome
	for seed := uint64(1); seed <= uint64(r.opts.Seeds); seed++ {
		runs = append(runs, scenarios.RunSeed(sc, seed, scenarios.RunOptions{Hook: watch, Record: true}))
	}
	if len(seen) == 0 {
		problems = append(problems, "the servers sent no message in a faulted run")
	}
	var recyclers []string
	for t := range seen { //faultline:orderless sorted below
		if t.Implements(reflect.TypeFor[nodes.Recycler]()) {
			recyclers = append(recyclers, t.String())
		}
	}
	sort.Strings(recyclers)
	if len(recyclers) > 0 {
		// A handler that keeps a delivered Recycler sees it overwritten by
		// a later send: the trace then differs from one without recycling.
		noRecycling := func(w *sim.Sim) { w.DisableRecycling() }
		for i, on := range runs {
			seed := uint64(i + 1)
			off := scenarios.RunSeed(sc, seed, scenarios.RunOptions{Hook: noRecycling, Record: true})
			if off.Hash != on.Hash || off.Events != on.Events {
				problems = append(problems, fmt.Sprintf("seed %d: the trace differs when delivered %s are not recycled (hash %s, events %d; without recycling %s, %d): a handler keeps a delivered nodes.Recycler, or memory it reaches, after it returns",
					seed, strings.Join(recyclers, ", "), on.Hash, on.Events, off.Hash, off.Events))
				break
			}
		}
	}
	sort.Strings(problems)
	return problems
}

func (r *run) huntShape() []string {
	want := r.kind.Hunt.Replication
	if want == "" {
		return nil
	}
	sc := r.faulted("hunt-shape")
	sent := map[string]bool{}
	for seed := uint64(1); seed <= uint64(r.opts.Seeds); seed++ {
		var w *sim.Sim
		scenarios.RunSeed(sc, seed, scenarios.RunOptions{Hook: func(s *sim.Sim) { w = s }})
		if w == nil {
			continue
		}
		for _, t := range w.PeerMessageTypes() {
			sent[t] = true
		}
	}
	if sent[want] {
		return nil
	}
	types := make([]string, 0, len(sent))
	for t := range sent { //faultline:orderless sorted below
		types = append(types, t)
	}
	sort.Strings(types)
	return []string{fmt.Sprintf("HuntShape.Replication is %q, but no server sent one to another in %d faulted seeds (they sent: %s): the hunt's replication storms would crash nothing",
		want, r.opts.Seeds, strings.Join(types, ", "))}
}

// aliased compares a message with the copy the simulator delivers and
// describes the first memory they share ("" if none).
func aliased(m nodes.Message) (why string) {
	defer func() {
		if p := recover(); p != nil {
			why = fmt.Sprintf("cannot be copied: %v", p)
		}
	}()
	c := sim.CopyMessage(m)
	return shared(reflect.ValueOf(m), reflect.ValueOf(c), "msg", map[uintptr]bool{})
}

func shared(a, b reflect.Value, path string, seen map[uintptr]bool) string {
	if !a.IsValid() || !b.IsValid() || a.Type() != b.Type() {
		return ""
	}
	switch a.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		if !a.IsNil() {
			return fmt.Sprintf("%s is a %s, which cannot be copied", path, a.Kind())
		}
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return fmt.Sprintf("%s points to the same %s in the sent and the delivered message (give the type a Clone method that copies it, or export the field)", path, a.Type().Elem())
		}
		if seen[a.Pointer()] {
			return ""
		}
		seen[a.Pointer()] = true
		return shared(a.Elem(), b.Elem(), "(*"+path+")", seen)
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			return fmt.Sprintf("%s shares its backing array between the sent and the delivered message (give the type a Clone method that copies it, or export the field)", path)
		}
		for i := 0; i < min(a.Len(), b.Len()); i++ {
			if why := shared(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i), seen); why != "" {
				return why
			}
		}
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			if why := shared(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i), seen); why != "" {
				return why
			}
		}
	case reflect.Map:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return fmt.Sprintf("%s is the same map in the sent and the delivered message (give the type a Clone method that copies it, or export the field)", path)
		}
		keys := a.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			if why := shared(a.MapIndex(k), b.MapIndex(k), fmt.Sprintf("%s[%v]", path, k), seen); why != "" {
				return why
			}
		}
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		return shared(a.Elem(), b.Elem(), path, seen)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if why := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name, seen); why != "" {
				return why
			}
		}
	}
	return ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
