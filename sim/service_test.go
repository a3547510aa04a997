package sim_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

type svcPing struct{ N int }

// deliveries returns when n1 handled each message, in order.
func deliveries(r *sim.Recorder, to nodes.ID) []time.Duration {
	var at []time.Duration
	for _, e := range r.Events {
		if e.Kind == trace.Deliver && e.Node == to {
			at = append(at, e.At)
		}
	}
	return at
}

// A server with a per-message service time is a FIFO worker: messages that
// arrive together are handled one service time apart, and the slow factor
// multiplies it.
func TestServiceTimeQueues(t *testing.T) {
	cases := []struct {
		name    string
		service sim.Service
		factor  sim.Factor
		want    []time.Duration
	}{
		{"instantaneous", sim.Service{}, 0, []time.Duration{1, 1, 1, 5}},
		{"10ms each", sim.Service{PerMessage: 10 * time.Millisecond}, 0, []time.Duration{11, 21, 31, 41}},
		{"slow 4x", sim.Service{PerMessage: 10 * time.Millisecond}, sim.Times(4), []time.Duration{41, 81, 121, 161}},
		{"slow 2.5x", sim.Service{PerMessage: 2 * time.Millisecond}, sim.Times(2.5), []time.Duration{6, 11, 16, 21}},
		{"slow without a service time does nothing", sim.Service{}, sim.Times(4), []time.Duration{1, 1, 1, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, rec := world(t, sim.Config{Seed: 1, Nodes: 2, Service: c.service,
				Node: func(id nodes.ID) nodes.Node {
					return &probe{start: func(env nodes.Env) {
						if id == 2 {
							for i := range 3 {
								env.Send(1, svcPing{i})
							}
							env.SetTimer(4*time.Millisecond, 0)
						}
					}, timer: func(env nodes.Env, _ uint64) { env.Send(1, svcPing{3}) }}
				}})
			if err := w.SetServiceFactor(1, c.factor); err != nil {
				t.Fatal(err)
			}
			w.Run(time.Second)
			got := deliveries(rec, 1)
			if len(got) != len(c.want) {
				t.Fatalf("handled at %v, want %d messages", got, len(c.want))
			}
			for i := range got {
				if got[i] != c.want[i]*time.Millisecond {
					t.Errorf("message %d handled at %v, want %v (all: %v)", i, got[i], c.want[i]*time.Millisecond, got)
				}
			}
		})
	}
}

// Handlers run at the end of their service: a reply leaves after it.
func TestServiceTimeDelaysReplies(t *testing.T) {
	var replyAt time.Duration
	w, rec := world(t, sim.Config{Seed: 1, Nodes: 1, Clients: 1, Service: sim.Service{PerMessage: 7 * time.Millisecond},
		Node: func(nodes.ID) nodes.Node {
			return &probe{msg: func(env nodes.Env, from nodes.ID, m nodes.Message) { env.Send(from, m) }}
		},
		Client: func(nodes.ID) nodes.Node {
			return &probe{start: func(env nodes.Env) { env.Send(1, svcPing{}) },
				msg: func(env nodes.Env, _ nodes.ID, _ nodes.Message) { replyAt = env.Monotonic() }}
		}})
	w.Run(time.Second)
	if replyAt != 9*time.Millisecond {
		t.Errorf("reply at %v, want 9ms (1ms there, 7ms service, 1ms back)", replyAt)
	}
	// The client pays no service time.
	if got := deliveries(rec, nodes.ClientID(1)); len(got) != 1 || got[0] != 9*time.Millisecond {
		t.Errorf("client handled at %v", got)
	}
}

// A crash loses the queue: queued messages drop as "crashed", and the
// restarted server starts idle.
func TestServiceQueueLostAtCrash(t *testing.T) {
	w, rec := world(t, sim.Config{Seed: 1, Nodes: 2, Service: sim.Service{PerMessage: 10 * time.Millisecond},
		Node: func(id nodes.ID) nodes.Node {
			return &probe{start: func(env nodes.Env) {
				if id == 2 {
					for i := range 3 {
						env.Send(1, svcPing{i})
					}
				}
			}}
		}})
	w.At(15*time.Millisecond, func() { w.Crash(1); w.Restart(1) })
	w.Run(time.Second)
	if got := deliveries(rec, 1); len(got) != 1 || got[0] != 11*time.Millisecond {
		t.Errorf("handled at %v, want only the first, at 11ms", got)
	}
	crashed := 0
	for _, e := range rec.Events {
		if e.Kind == trace.Drop && e.Note == "crashed" {
			crashed++
		}
	}
	if crashed != 2 {
		t.Errorf("%d queued messages dropped as crashed, want 2", crashed)
	}
	if w.BusyUntil(1) != 0 {
		t.Errorf("busy until %v after the crash", w.BusyUntil(1))
	}
}

// Syncs pay Service.PerSync and the slow factor.
func TestServiceSyncCost(t *testing.T) {
	cases := []struct {
		name    string
		service sim.Service
		factor  sim.Factor
		want    time.Duration
	}{
		{"default", sim.Service{}, 0, time.Millisecond},
		{"per sync", sim.Service{PerSync: 4 * time.Millisecond}, 0, 5 * time.Millisecond},
		{"slow disk", sim.Service{}, sim.Times(10), 10 * time.Millisecond},
		{"slow per sync", sim.Service{PerSync: 4 * time.Millisecond}, sim.Times(2), 10 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var at time.Duration
			w, _ := world(t, sim.Config{Seed: 1, Nodes: 1, Service: c.service,
				Node: func(nodes.ID) nodes.Node {
					return &probe{start: func(env nodes.Env) { env.Store().Write("f", []byte("x")); env.Store().Sync(1) },
						synced: func(env nodes.Env, _ uint64) { at = env.Monotonic() }}
				}})
			w.SetServiceFactor(1, c.factor)
			w.Run(time.Second)
			if at != c.want {
				t.Errorf("synced at %v, want %v", at, c.want)
			}
		})
	}
}

// The offered-load factor reaches clients through nodes.LoadEnv.
func TestLoadFactor(t *testing.T) {
	var seen []int64
	w, _ := world(t, sim.Config{Seed: 1, Nodes: 1, Clients: 1, Node: func(nodes.ID) nodes.Node { return &probe{} },
		Client: func(nodes.ID) nodes.Node {
			return &probe{start: func(env nodes.Env) { env.SetTimer(10*time.Millisecond, 0) },
				timer: func(env nodes.Env, _ uint64) {
					seen = append(seen, nodes.LoadPermilleOf(env))
					env.SetTimer(10*time.Millisecond, 0)
				}}
		}})
	w.At(15*time.Millisecond, func() {
		if err := w.SetLoad(sim.Times(3)); err != nil {
			t.Error(err)
		}
	})
	w.At(25*time.Millisecond, func() { w.SetLoad(sim.FactorOne) })
	w.Run(35 * time.Millisecond)
	if want := []int64{1000, 3000, 1000}; len(seen) != 3 || seen[0] != want[0] || seen[1] != want[1] || seen[2] != want[2] {
		t.Errorf("clients saw load %v, want %v", seen, want)
	}
	if err := w.SetLoad(sim.MaxFactor + 1); err == nil {
		t.Error("a load factor above the maximum was accepted")
	}
}

func TestFactorText(t *testing.T) {
	cases := []struct {
		in   string
		want sim.Factor
		text string
		err  bool
	}{
		{in: "4x", want: 4000, text: "4x"},
		{in: "4", want: 4000, text: "4x"},
		{in: "2.5x", want: 2500, text: "2.5x"},
		{in: "0.125x", want: 125, text: "0.125x"},
		{in: "1000x", want: sim.MaxFactor, text: "1000x"},
		{in: "0.001x", want: sim.MinFactor, text: "0.001x"},
		{in: "0x", err: true},
		{in: "1001x", err: true},
		{in: "1.2345x", err: true},
		{in: "-2x", err: true},
		{in: "x", err: true},
		{in: "2.x", err: true},
		{in: "1e3x", err: true},
	}
	for _, c := range cases {
		f, err := sim.ParseFactor(c.in)
		if c.err {
			if err == nil {
				t.Errorf("%q parsed as %v, want an error", c.in, f)
			}
			continue
		}
		if err != nil || f != c.want || f.String() != c.text {
			t.Errorf("%q: got %d (%v), %v; want %d (%s)", c.in, f, f, err, c.want, c.text)
		}
	}
	if got := sim.Factor(0).String(); got != "1x" {
		t.Errorf("zero factor prints %q", got)
	}
	if got := sim.Times(3).Scale(int64(time.Hour)); got != int64(3*time.Hour) {
		t.Errorf("3x an hour = %v", time.Duration(got))
	}
}

func TestServiceConfigErrors(t *testing.T) {
	_, err := sim.New(sim.Config{Nodes: 1, Node: func(nodes.ID) nodes.Node { return &probe{} }, Service: sim.Service{PerMessage: -1}})
	if err == nil {
		t.Error("a negative service time was accepted")
	}
}

type workMsg struct{ Work time.Duration }

// Work a handler declares delays what it sends and the messages behind
// it; Queued sees them waiting; the slow factor scales the work too.
func TestServiceWork(t *testing.T) {
	cases := []struct {
		name    string
		service sim.Service
		factor  sim.Factor
		// replies at the client: 3 requests sent at 0, arriving at 1ms
		want   []time.Duration
		queued []int // what the server saw waiting at each handler
	}{
		{"work only", sim.Service{}, 0, []time.Duration{7, 12, 17}, []int{0, 1, 0}},
		{"base cost and work", sim.Service{PerMessage: time.Millisecond}, 0, []time.Duration{8, 14, 20}, []int{2, 1, 0}},
		{"slow 2x", sim.Service{PerMessage: time.Millisecond}, sim.Times(2), []time.Duration{14, 26, 38}, []int{2, 1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var replies []time.Duration
			var queued []int
			w, _ := world(t, sim.Config{Seed: 1, Nodes: 1, Clients: 1, Service: c.service,
				Node: func(nodes.ID) nodes.Node {
					return &probe{msg: func(env nodes.Env, from nodes.ID, m nodes.Message) {
						queued = append(queued, nodes.Queued(env))
						nodes.Work(env, m.(workMsg).Work)
						env.Send(from, m)
					}}
				},
				Client: func(nodes.ID) nodes.Node {
					return &probe{start: func(env nodes.Env) {
						for range 3 {
							env.Send(1, workMsg{5 * time.Millisecond})
						}
					}, msg: func(env nodes.Env, _ nodes.ID, _ nodes.Message) { replies = append(replies, env.Monotonic()) }}
				}})
			w.SetServiceFactor(1, c.factor)
			w.Run(time.Second)
			if len(replies) != 3 {
				t.Fatalf("replies at %v", replies)
			}
			for i := range replies {
				if replies[i] != c.want[i]*time.Millisecond || queued[i] != c.queued[i] {
					t.Errorf("replies at %v, want %v ms; queues seen %v, want %v", replies, c.want, queued, c.queued)
					break
				}
			}
		})
	}
}
