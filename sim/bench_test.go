package sim_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

type Echo struct{ N int }

type echo struct{ nodes.Base }

func (echo) Start(env nodes.Env) {
	if env.ID() != 1 {
		return
	}
	for _, p := range env.Peers() {
		for range 25 {
			env.Send(p, Echo{})
		}
	}
}

func (echo) Message(env nodes.Env, from nodes.ID, m nodes.Message) {
	e := m.(Echo)
	e.N++
	env.Send(from, e)
}

// BenchmarkMessagePassing5: five nodes, 100 messages in flight, every
// delivery answered. One b.N step is one delivered message.
func BenchmarkMessagePassing5(b *testing.B) {
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 5, Node: func(nodes.ID) nodes.Node { return echo{} },
		Network:   sim.Network{Latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)},
		MaxEvents: uint64(b.N)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := sim.CPUTime()
	res := w.Run(1000 * time.Hour)
	if res.Outcome != sim.OutcomeBudget {
		b.Fatalf("outcome %v", res.Outcome)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(res.At)/float64(b.Elapsed()), "dilation")
	if cpu := sim.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op") // steadier on a busy machine
	}
}

type ticker struct{ nodes.Base }

func (ticker) Start(env nodes.Env) { env.SetTimer(time.Second, 0) }
func (ticker) Timer(env nodes.Env, _ nodes.TimerID, _ uint64) {
	env.SetTimer(time.Second, 0)
}

// BenchmarkIdleNodeMemory measures the heap cost of an idle node (a light
// protocol with one timer) in a 10,000-node world.
func BenchmarkIdleNodeMemory(b *testing.B) {
	const n = 10_000
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		w, err := sim.New(sim.Config{Seed: 1, Nodes: n, Node: func(nodes.ID) nodes.Node { return ticker{} }})
		if err != nil {
			b.Fatal(err)
		}
		w.Run(5 * time.Second)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/node")
		runtime.KeepAlive(w)
	}
}

type appender struct{ nodes.Base }

func (appender) Start(env nodes.Env) { env.SetTimer(0, 0) }
func (appender) Timer(env nodes.Env, _ nodes.TimerID, _ uint64) {
	env.Store().Append("wal", make([]byte, 64))
	env.Store().Sync(0)
	env.SetTimer(time.Microsecond, 0)
}

// BenchmarkDiskAppend: appending to a growing file costs the same at any
// size (one b.N step is one timer: an append and a sync).
func BenchmarkDiskAppend(b *testing.B) {
	w, err := sim.New(sim.Config{Nodes: 1, Node: func(nodes.ID) nodes.Node { return appender{} }, MaxEvents: uint64(2 * b.N)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	w.Run(1000 * time.Hour)
}

// BenchmarkMessagePassing5Service is BenchmarkMessagePassing5 with the
// service-time model on (100µs a message): every delivery is queued once at
// its server before it is handled. It must stay allocation-free too.
func BenchmarkMessagePassing5Service(b *testing.B) {
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 5, Node: func(nodes.ID) nodes.Node { return echo{} },
		Network:   sim.Network{Latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)},
		Service:   sim.Service{PerMessage: 100 * time.Microsecond},
		MaxEvents: uint64(b.N)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	res := w.Run(1000 * time.Hour)
	if res.Outcome != sim.OutcomeBudget {
		b.Fatalf("outcome %v", res.Outcome)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkMessagePassing5Observed is BenchmarkMessagePassing5 with three
// observers that each want one rare kind of event (as a history recorder
// wants invocations and returns), installed with Observe (called for every
// event, filtering inside) or with ObserveKinds (called only for theirs).
func BenchmarkMessagePassing5Observed(b *testing.B) {
	for _, byKind := range []bool{false, true} {
		name := "every-event"
		if byKind {
			name = "by-kind"
		}
		b.Run(name, func(b *testing.B) {
			w, err := sim.New(sim.Config{Seed: 1, Nodes: 5, Node: func(nodes.ID) nodes.Node { return echo{} },
				Network:   sim.Network{Latency: sim.UniformDist(50*time.Microsecond, time.Millisecond)},
				MaxEvents: uint64(b.N)})
			if err != nil {
				b.Fatal(err)
			}
			seen := 0
			for _, k := range []trace.Kind{trace.Invoke, trace.Return, trace.Crash} {
				if byKind {
					w.ObserveKinds(func(*trace.Event) error { seen++; return nil }, k)
				} else {
					w.Observe(func(e *trace.Event) error {
						if e.Kind == k {
							seen++
						}
						return nil
					})
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			if res := w.Run(1000 * time.Hour); res.Outcome != sim.OutcomeBudget {
				b.Fatalf("outcome %v", res.Outcome)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
