package scenarios

import (
	"fmt"
	"runtime/debug"
	"slices"
	"sort"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/nodes"
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
	// TraceMaxBytes bounds the trace file an artifact replay streams to
	// disk (ReplayTo, a sweep's failing seeds); zero means
	// DefaultTraceMaxBytes. Past it the file says where it was cut.
	TraceMaxBytes int64
	// CheckSteps bounds each linearizability check's search in model
	// steps (default checker.DefaultSteps); running out is Unknown, the
	// same way on any machine.
	CheckSteps int64
	// CheckMemoryBytes bounds the search states each linearizability
	// check holds (default checker.DefaultMemoryBytes), counted, not
	// measured: running out is Unknown, the same way on any machine.
	CheckMemoryBytes int64
	// CheckBudget is a wall-clock ceiling on each linearizability check
	// (default checker.DefaultBudget), a last resort reported as such.
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
	Protocol *Protocol
	Clients  *Clients
	Nemesis  *nemesis.Nemesis
	recorder *checker.Recorder
	faults   map[string]bool
	life     []ProcessEvent
	events   *[]trace.Event
	online   []string // checks installed before the run
}

// workloadSpec is the scenario's workload as its kind's Build sees it.
func (sc *Scenario) workloadSpec(p Params) WorkloadSpec {
	w := &sc.Workload
	return WorkloadSpec{Clients: w.Clients, Keys: w.Keys, Mix: w.Mix, Timeout: w.Timeout, Rate: w.Rate,
		OpsPerClient: w.OpsPerClient, Params: p, Duration: sc.Run.Duration, Heal: sc.Run.Heal}
}

// Build constructs the world for one seed: protocol, clients, network,
// clocks, disk, online checks, history recorder and nemesis schedule.
func Build(sc *Scenario, seed uint64, opts RunOptions) (*World, error) {
	sc, err := sc.Resolve()
	if err != nil {
		return nil, err
	}
	sc = ApplySwarm(sc, seed) // the scenario this seed runs (unchanged without a swarm section)
	nk, wk := reg.nodes[sc.Cluster.Node], reg.workloads[sc.Workload.Kind]
	params, err := parseParams("cluster.params", sc.Source, nk.Params, sc.Cluster.Params)
	if err != nil {
		return nil, err
	}
	proto, err := nk.Build(params, sc.Cluster.Size)
	if err != nil {
		return nil, err
	}
	wparams, err := parseParams("workload", sc.Source, wk.Params, sc.Workload.Params)
	if err != nil {
		return nil, err
	}
	clients, err := wk.Build(sc.workloadSpec(wparams))
	if err != nil {
		return nil, inContext(sc.Name+": workload", err)
	}
	network := sc.Network
	if s := &network.Schedule; !s.IsZero() && s.Horizon == 0 {
		s.Horizon = sc.Run.Duration // PCT's change points fall in the safety phase
	}
	w, err := sim.New(sim.Config{
		Seed:      seed,
		Nodes:     sc.Cluster.Size,
		Node:      proto.Factory,
		Clients:   sc.Workload.Clients,
		Client:    clients.Factory,
		Network:   network,
		Disk:      sc.Disk,
		Service:   sc.Service,
		Clocks:    sc.Clocks,
		MaxEvents: sc.Run.MaxEvents,
		Record:    opts.Record,
	})
	if err != nil {
		return nil, inContext(sc.Name, err)
	}
	model := ""
	if wk.Model != nil {
		model = wk.Model().Name()
	}
	wd := &World{Sim: w, Scenario: sc, Seed: seed, Protocol: proto, Clients: clients,
		recorder: checker.NewRecorder(model), faults: map[string]bool{}}
	if opts.Hook != nil {
		opts.Hook(w)
	}
	handles := map[int64]int{}
	w.ObserveKinds(func(e *trace.Event) error {
		switch e.Kind {
		case trace.Invoke:
			handles[e.Num] = wd.recorder.Invoke(e.Node, e.At, e.Op)
		case trace.Return:
			wd.recorder.Complete(handles[e.Num], e.At, e.Outcome, e.Op)
			delete(handles, e.Num)
		case trace.FaultStart:
			wd.faults[e.Type] = true
		case trace.Start, trace.Crash, trace.Pause, trace.Resume:
			if !e.Node.IsClient() {
				wd.life = append(wd.life, ProcessEvent{At: e.At, Node: e.Node, Kind: e.Kind})
			}
		}
		return nil
	}, trace.Invoke, trace.Return, trace.FaultStart, trace.Start, trace.Crash, trace.Pause, trace.Resume)
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
	var online []func(nodes.ID) error
	for _, name := range sc.Check {
		if ck := reg.checks[name]; ck.Online != nil {
			online = append(online, ck.Online(wd.finished(nil)))
			wd.online = append(wd.online, name)
		}
	}
	if len(online) > 0 {
		w.AfterEachHandler(func(id nodes.ID) error {
			if id.IsClient() {
				return nil
			}
			for _, check := range online {
				if err := check(id); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if wd.Nemesis, err = installNemesis(w, sc, seed); err != nil {
		return nil, err
	}
	end := sc.Run.Duration
	w.At(0, func() {
		w.Mark(trace.MarkPhase, "safety phase: faults and load for "+sc.Run.Duration.String())
	})
	w.At(end, func() {
		w.Mark(trace.MarkPhase, "heal: faults undone; liveness probes for "+sc.Run.Heal.String())
	})
	return wd, nil
}

// finished is the check's view of the world (h is nil for online checks).
func (wd *World) finished(h *checker.History) *Finished {
	f := &Finished{Scenario: wd.Scenario, Seed: wd.Seed, History: h, Protocol: wd.Protocol, Clients: wd.Clients,
		Servers: wd.Sim.Servers(), ClientIDs: wd.Sim.Clients(), Node: wd.Sim.Node, Now: wd.Sim.Now}
	if h != nil {
		f.Lifecycle = slices.Clone(wd.life)
		f.Sent = make([]int, len(f.Servers))
		for i, id := range f.Servers {
			f.Sent[i] = wd.Sim.Sent(id) // counted by the world: no observer on every send
		}
	}
	return f
}

func nodeName(id nodes.ID) string {
	if id == 0 {
		return ""
	}
	return id.String()
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
		out.bound()
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

// MaxReasonBytes bounds each text of an outcome (reason, failure, stack,
// explanations) as results files and summaries carry it: a node panicking
// with megabytes still writes a results line a resume can read.
const MaxReasonBytes = 16 << 10

// MaxOutputBytes bounds Outcome.Output, a lost worker's last lines.
const MaxOutputBytes = 4 << 10

func (o *Outcome) bound() {
	o.Reason = trace.Bound(o.Reason, MaxReasonBytes)
	o.Failure = trace.Bound(o.Failure, MaxReasonBytes)
	o.Stack = trace.Bound(o.Stack, 4*MaxReasonBytes)
	o.Output = trace.Bound(o.Output, MaxOutputBytes)
	for i := range o.Checks {
		o.Checks[i].Explanation = trace.Bound(o.Checks[i].Explanation, MaxReasonBytes)
	}
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
	out.BeyondBudget = sc.Nemesis.BeyondBudget
	add := func(st Status, c CheckSummary) {
		if st != StatusValid && (out.Reason == "" || Worse(out.Status, st) != out.Status) {
			out.Reason = c.Explanation
		}
		out.Status = Worse(out.Status, st)
		out.Checks = append(out.Checks, c)
	}
	switch res.Outcome {
	case sim.OutcomePanic:
		out.Failure = res.Failure.Error()
		out.Stack = res.Failure.Stack
		add(runStatus(StatusPanic, res.Failure.Error()))
		return out
	case sim.OutcomeViolation:
		out.Failure = res.Failure.Error()
		name := CheckInvariants
		if len(wd.online) == 1 {
			name = wd.online[0]
		}
		add(StatusInvalid, CheckSummary{Name: name, Verdict: checker.Invalid, Explanation: res.Failure.Error()})
		return out
	case sim.OutcomeBudget:
		add(runStatus(StatusLiveness, fmt.Sprintf("event budget of %d exhausted at %s (a livelock, or raise run.max_events)", res.Steps, trace.FormatTime(res.At))))
		return out
	}
	f := wd.finished(out.History)
	copts := checker.Options{Steps: opts.CheckSteps, MemoryBytes: opts.CheckMemoryBytes, Budget: opts.CheckBudget, VisualizationPath: opts.VisualizationPath}
	// Checks run in a fixed order: the cheap ones first, linearizability
	// (the expensive search) last, as the results files always listed them.
	order := append([]string(nil), wd.online...)
	for _, name := range sc.Check {
		if !slices.Contains(order, name) && name != CheckLinearizable {
			order = append(order, name)
		}
	}
	if sc.HasCheck(CheckLinearizable) {
		order = append(order, CheckLinearizable)
	}
	for _, name := range order {
		ck := reg.checks[name]
		r := checker.Result{Name: name, Verdict: checker.Valid}
		if ck.Check != nil {
			r = runCheck(ck, f, copts)
		}
		if name == CheckLinearizable {
			out.Check = r
		}
		cname := name
		if name == CheckLinearizable {
			cname = r.Name // "linearizable(kv)"
		}
		expl := ""
		if r.Verdict != checker.Valid || ck.Measure {
			expl = r.Explanation
		}
		cs := CheckSummary{Name: cname, Verdict: r.Verdict, Explanation: expl, Metrics: r.Metrics}
		st := statusOf(ck.Class, r.Verdict)
		if ck.Measure || !sc.Promise.requires(ck.Level) {
			cs.Measured, st = true, StatusValid
		}
		if st == StatusLiveness && out.BeyondBudget {
			// Beyond the budget no recovery is promised: the failure is
			// reported, labelled, and does not count. (A livelock, which
			// stops the run before the other checks, still does.)
			cs.Excused, st = true, StatusValid
			if out.Excused == "" {
				out.Excused = r.Explanation
			}
		}
		add(st, cs)
	}
	return out
}

// runCheck runs a check kind and never panics: a check that panics is
// Unknown, as checker.Run makes it.
func runCheck(ck *CheckKind, f *Finished, opts checker.Options) checker.Result {
	r := checker.Run(checker.Func(ck.Name, func(*checker.History, checker.Options) checker.Result {
		return ck.Check(f, opts)
	}), f.History, opts)
	if r.Name == "" {
		r.Name = ck.Name
	}
	return r
}
