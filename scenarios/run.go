package scenarios

import (
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// RunOptions configure one seed's run.
type RunOptions struct {
	// Record renders message contents and log lines into the trace (a
	// replay); sweeps leave it off. The trace hash is the same either way.
	Record bool
	// KeepTrace keeps every event in Outcome.Trace.
	KeepTrace bool
	// CheckBudget bounds each linearizability check (default 10s of wall
	// time); running out is Unknown.
	CheckBudget time.Duration
	// VisualizationPath is where an Invalid linearizability check writes
	// Porcupine's HTML visualization ("" for none).
	VisualizationPath string
	// Hook, if set, is called with the world after it is built and before
	// it runs (CheckDeterminism uses it to install its recorder).
	Hook func(w *sim.Sim)
	_    struct{}
}

// World is a scenario built for one seed, ready to run.
type World struct {
	Sim      *sim.Sim
	Scenario *Scenario
	Seed     uint64
	Workload kv.Workload
	Protocol *Protocol
	Nemesis  *nemesis.Nemesis
	recorder *checker.Recorder
	faults   map[string]bool
	events   *[]trace.Event
}

// Build constructs the world for one seed: protocol, clients, network,
// clocks, disk, invariants, history recorder and nemesis schedule.
func Build(sc *Scenario, seed uint64, opts RunOptions) (*World, error) {
	sc = ApplySwarm(sc, seed) // the scenario this seed runs (unchanged without a swarm section)
	kind, ok := nodeKinds[sc.Cluster.Node]
	if !ok {
		return nil, fmt.Errorf("scenarios: unknown node kind %q", sc.Cluster.Node)
	}
	proto, err := kind.Build(sc.Cluster.Params, sc.Cluster.Size)
	if err != nil {
		return nil, err
	}
	wl := workloadOf(sc)
	if err := wl.Validate(); err != nil {
		return nil, fmt.Errorf("scenarios: %s: workload: %v", sc.Name, err)
	}
	w, err := sim.New(sim.Config{
		Seed:      seed,
		Nodes:     sc.Cluster.Size,
		Node:      proto.Factory,
		Clients:   sc.Workload.Clients,
		Client:    wl.Factory(),
		Network:   sim.Network{Latency: sc.Network.Latency, Drop: sc.Network.Drop, Duplicate: sc.Network.Duplicate},
		Disk:      sim.Disk{SyncLatency: sc.Disk.SyncLatency, KeepUnsyncedOnCrash: sc.Disk.KeepUnsyncedOnCrash},
		Clocks:    sim.Clocks{Skew: sc.Clocks.Skew, DriftPPM: sc.Clocks.DriftPPM},
		MaxEvents: sc.Run.MaxEvents,
		Record:    opts.Record,
	})
	if err != nil {
		return nil, fmt.Errorf("scenarios: %s: %v", sc.Name, err)
	}
	wd := &World{Sim: w, Scenario: sc, Seed: seed, Workload: wl, Protocol: proto,
		recorder: checker.NewRecorder(wl.Model()), faults: map[string]bool{}}
	if opts.Hook != nil {
		opts.Hook(w)
	}
	handles := map[int64]int{}
	w.Observe(func(e *trace.Event) error {
		switch e.Kind {
		case trace.Invoke:
			handles[e.Num] = wd.recorder.Invoke(e.Node, e.At, e.Op)
		case trace.Return:
			wd.recorder.Complete(handles[e.Num], e.At, e.Outcome, e.Op)
			delete(handles, e.Num)
		case trace.FaultStart:
			wd.faults[e.Type] = true
		}
		return nil
	})
	if opts.KeepTrace {
		evs := []trace.Event{}
		wd.events = &evs
		w.Observe(func(e *trace.Event) error {
			c := *e
			c.Msg = nil
			evs = append(evs, c)
			*wd.events = evs
			return nil
		})
	}
	if sc.HasCheck("invariants") && proto.Invariants != nil {
		proto.Invariants(w)
	}
	if wd.Nemesis, err = installNemesis(w, sc, seed); err != nil {
		return nil, err
	}
	end := sc.Run.Duration
	w.At(0, func() {
		w.Annotate(trace.Mark, 0, "phase", "safety phase: faults and load for "+sc.Run.Duration.String())
	})
	w.At(end, func() {
		w.Annotate(trace.Mark, 0, "phase", "heal: faults undone; liveness probes for "+sc.Run.Heal.String())
	})
	return wd, nil
}

func nodeName(id nodes.ID) string {
	if id == 0 {
		return ""
	}
	return id.String()
}

// workloadOf maps the scenario's workload onto the kv clients. Clients
// stop their ordinary operations at the heal and probe with writes until
// one succeeds: that is the liveness check.
func workloadOf(sc *Scenario) kv.Workload {
	w := kv.Workload{Kind: sc.Workload.Kind, Keys: sc.Workload.Keys, Timeout: sc.Workload.Timeout,
		ProbeAt: sc.Run.Duration, ProbeFor: sc.Run.Heal}
	if w.Kind == "register" {
		w.Keys = 0
	}
	for _, m := range sc.Workload.Mix {
		switch m.Op {
		case "get", "read":
			w.Mix.Get += m.Weight
		case "put", "write":
			w.Mix.Put += m.Weight
		case "append":
			w.Mix.Append += m.Weight
		case "cas":
			w.Mix.CAS += m.Weight
		}
	}
	if sc.Workload.Rate > 0 {
		w.Mode = kv.ModeOpen
		w.Interval = time.Duration(float64(time.Second) / sc.Workload.Rate)
	}
	return w
}

// RunSeed runs one seed of a scenario and judges it. It never panics: a
// panic in node code or in the harness becomes StatusPanic with the seed.
func RunSeed(sc *Scenario, seed uint64, opts RunOptions) (out Outcome) {
	start := time.Now()
	out = Outcome{Seed: seed, Scenario: sc.Name}
	defer func() {
		if p := recover(); p != nil {
			out.Status = StatusPanic
			out.Reason = fmt.Sprintf("harness panicked (seed %d): %v", seed, p)
			out.Stack = string(debug.Stack())
		}
		out.Wall = time.Since(start)
	}()
	wd, err := Build(sc, seed, opts)
	if err != nil {
		out.Status = StatusUnknown
		out.Reason = err.Error()
		return out
	}
	res := wd.Sim.Run(wd.Scenario.Run.Duration + wd.Scenario.Run.Heal)
	return wd.judge(res, opts, out)
}

func (wd *World) judge(res sim.Result, opts RunOptions, out Outcome) Outcome {
	sc := wd.Scenario
	out.Sim = res
	out.Hash = res.Hash.String()
	out.Events = res.Events
	out.Steps = res.Steps
	out.Virtual = res.At
	out.SimEnd = res.Outcome.String()
	out.Probes = wd.Sim.Probes()
	for _, win := range wd.Nemesis.Windows() {
		if win.Skipped != "" {
			continue
		}
		end := win.End
		if win.Open {
			end = res.At
		}
		wd.recorder.Annotate(checker.Annotation{Start: win.Start, End: end, Node: nodeName(win.Node), Text: win.Text})
	}
	out.History = wd.recorder.History()
	out.Ops = len(out.History.Ops)
	for k := range wd.faults { //faultline:orderless sorted below
		out.Faults = append(out.Faults, k)
	}
	sort.Strings(out.Faults)
	if wd.events != nil {
		out.Trace = *wd.events
	}
	out.Status = StatusValid
	fail := func(st Status, check, verdict, why string) {
		if out.Reason == "" || st.rank() > out.Status.rank() {
			out.Reason = why
		}
		out.Status = Worse(out.Status, st)
		out.Checks = append(out.Checks, CheckSummary{Name: check, Verdict: verdict, Explanation: why})
	}
	switch res.Outcome {
	case sim.OutcomePanic:
		out.Failure = res.Failure.Error()
		out.Stack = res.Failure.Stack
		fail(StatusPanic, "run", "panic", res.Failure.Error())
		return out
	case sim.OutcomeViolation:
		out.Failure = res.Failure.Error()
		fail(StatusInvalid, "invariants", "invalid", res.Failure.Error())
		return out
	case sim.OutcomeBudget:
		fail(StatusLiveness, "run", "budget", fmt.Sprintf("event budget of %d exhausted at %s (a livelock, or raise run.max_events)", res.Steps, trace.FormatTime(res.At)))
		return out
	}
	if sc.HasCheck("invariants") && wd.Protocol.Invariants != nil {
		out.Checks = append(out.Checks, CheckSummary{Name: "invariants", Verdict: "valid"})
	}
	if sc.HasCheck("liveness") {
		var stuck []string
		for _, id := range wd.Sim.Clients() {
			c, ok := wd.Sim.Node(id).(*kv.Client)
			if !ok {
				continue
			}
			if p := c.Probe(); !p.OK {
				stuck = append(stuck, id.String())
			}
		}
		if len(stuck) > 0 {
			fail(StatusLiveness, "liveness", "invalid", fmt.Sprintf("no write by %s succeeded within %v after the heal at %v", strings.Join(stuck, ", "), sc.Run.Heal, sc.Run.Duration))
		} else {
			out.Checks = append(out.Checks, CheckSummary{Name: "liveness", Verdict: "valid"})
		}
	}
	if sc.HasCheck("convergence") {
		if why := wd.converged(); why != "" {
			fail(StatusLiveness, "convergence", "invalid", why)
		} else {
			out.Checks = append(out.Checks, CheckSummary{Name: "convergence", Verdict: "valid"})
		}
	}
	if sc.HasCheck("linearizable") {
		m, ok := checker.ModelByName(out.History.Model)
		if !ok {
			fail(StatusUnknown, "linearizable", "unknown", "no model "+out.History.Model)
			return out
		}
		budget := opts.CheckBudget
		if budget == 0 {
			budget = checker.DefaultBudget
		}
		r := checker.Run(checker.Linearizable(m), out.History, checker.Options{Budget: budget, VisualizationPath: opts.VisualizationPath})
		out.Check = r
		switch r.Verdict {
		case checker.Invalid:
			fail(StatusInvalid, r.Name, "invalid", r.Explanation)
		case checker.Unknown:
			fail(StatusUnknown, r.Name, "unknown", r.Explanation)
		default:
			out.Checks = append(out.Checks, CheckSummary{Name: r.Name, Verdict: "valid"})
		}
	}
	return out
}

// converged compares the digests of every live server ("" if they agree).
func (wd *World) converged() string {
	if wd.Protocol.Digest == nil {
		return "the protocol does not report its state (no Digest)"
	}
	keys := []string{""}
	for i := 1; i <= wd.Workload.Keys; i++ {
		keys = append(keys, kv.KeyName(i))
	}
	var first, firstID string
	for _, id := range wd.Sim.Servers() {
		n := wd.Sim.Node(id)
		if n == nil {
			continue
		}
		d, ok := wd.Protocol.Digest(n, keys)
		if !ok {
			continue
		}
		if firstID == "" {
			first, firstID = d, id.String()
			continue
		}
		if d != first {
			return fmt.Sprintf("replicas differ at the end of the heal window: %s has %s; %s has %s", firstID, first, id, d)
		}
	}
	return ""
}
