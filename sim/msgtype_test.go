package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
	"github.com/faultline/faultline/sim/trace"
)

// blob is a recycled message with a slice, copied into delivered copies.
type blob struct {
	N    int
	Data []byte
}

var reused int // CloneInto calls given a delivered copy (the tests run one world at a time)

func (b *blob) CloneInto(dst nodes.Message) nodes.Message {
	d, _ := dst.(*blob)
	if d == nil {
		d = &blob{}
	} else {
		reused++
	}
	data := d.Data[:0]
	*d = *b
	d.Data = append(data, b.Data...)
	return d
}

// relay: n1 sends n2 a blob every millisecond, from one scratch value;
// n2 checks each and records where it lives. keep makes n2 hold on to the
// last blob and let it decide what it sends, which the contract forbids.
type relay struct {
	nodes.Base
	scratch blob
	n       int
	seen    map[*blob]bool
	keep    bool
	kept    *blob
	bad     *int
}

func (r *relay) Start(env nodes.Env) {
	if env.ID() == 1 {
		env.SetTimer(time.Millisecond, 0)
	}
}

func (r *relay) Timer(env nodes.Env, _ nodes.TimerID, _ uint64) {
	r.n++
	r.scratch.N = r.n
	r.scratch.Data = append(r.scratch.Data[:0], byte(r.n), byte(r.n>>8), 7)
	env.Send(2, &r.scratch)
	env.SetTimer(time.Millisecond, 0)
}

func (r *relay) Message(env nodes.Env, from nodes.ID, m nodes.Message) {
	b, ok := m.(*blob)
	if !ok {
		return
	}
	if b.N == 0 || len(b.Data) != 3 || b.Data[0] != byte(b.N) || b.Data[1] != byte(b.N>>8) || b.Data[2] != 7 {
		*r.bad++
	}
	r.seen[b] = true
	if r.keep {
		if r.kept != nil && r.kept.N%3 == 0 {
			env.Send(1, struct{}{}) // what the kept blob says now reaches the trace
		}
		r.kept = b
	}
}

func runRelay(t *testing.T, recycle, keep bool) (sim.Result, int, int) {
	t.Helper()
	reused = 0
	bad := 0
	var n2 *relay
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 2,
		Network: sim.Network{Latency: sim.UniformDist(100*time.Microsecond, 3*time.Millisecond)},
		Node: func(id nodes.ID) nodes.Node {
			r := &relay{seen: map[*blob]bool{}, keep: keep, bad: &bad}
			if id == 2 {
				n2 = r
			}
			return r
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !recycle {
		w.DisableRecycling()
	}
	res := w.Run(time.Second)
	if bad > 0 {
		t.Errorf("recycle=%v: %d blobs arrived with the wrong contents", recycle, bad)
	}
	return res, len(n2.seen), reused
}

// A Recycler's delivered copies are reused for later sends once their
// handler has returned: a world that keeps a few in flight allocates a
// few, and the trace is the same as without recycling.
func TestRecyclerDeliveredCopiesAreReused(t *testing.T) {
	on, distinctOn, reusedOn := runRelay(t, true, false)
	off, distinctOff, reusedOff := runRelay(t, false, false)
	if on.Hash != off.Hash || on.Events != off.Events {
		t.Fatalf("recycling changed the trace: %v/%d events, %v/%d without", on.Hash, on.Events, off.Hash, off.Events)
	}
	const sent = 1000 // one a millisecond for a second
	if distinctOff < sent-5 || reusedOff != 0 {
		t.Errorf("without recycling: %d distinct copies, %d reused; want one per send (~%d), none reused", distinctOff, reusedOff, sent)
	}
	if distinctOn > 10 || reusedOn < sent-10 {
		t.Errorf("with recycling: %d distinct copies, %d reused; want a few (at most 3 ms of sends in flight), the rest reused", distinctOn, reusedOn)
	}
}

// A handler that keeps a delivered Recycler sees it change under it: the
// trace with recycling differs from the trace without, which is how
// nodetest catches the misuse.
func TestRecyclerKeptAfterDeliveryShowsInTheTrace(t *testing.T) {
	on, _, _ := runRelay(t, true, true)
	off, _, _ := runRelay(t, false, true)
	if on.Hash == off.Hash {
		t.Fatalf("a kept blob did not change the trace (hash %v both ways)", on.Hash)
	}
}

// frame is an envelope: one Go type carrying messages of several kinds.
type frame struct {
	Kind string
	Body []byte
}

func (f *frame) MessageType() string { return f.Kind }

// framer: n1 sends n2 a frame of kind ping, pong or ping again, then a
// plain value, every millisecond; n2 counts the frames it gets, and those
// not as sent.
type framer struct {
	nodes.Base
	got, bad *int
}

func (f framer) Message(_ nodes.Env, _ nodes.ID, m nodes.Message) {
	if fr, ok := m.(*frame); ok {
		*f.got++
		if string(fr.Body) != fr.Kind {
			*f.bad++
		}
	}
}

func (framer) Start(env nodes.Env) {
	if env.ID() == 1 {
		env.SetTimer(time.Millisecond, 0)
	}
}

func (framer) Timer(env nodes.Env, _ nodes.TimerID, _ uint64) {
	for _, k := range []string{"Ping", "Pong", "Ping"} {
		env.Send(2, &frame{Kind: k, Body: []byte(k)})
	}
	env.Send(2, blob{N: 1})
	env.SetTimer(time.Millisecond, 0)
}

// An envelope's messages are named by their kind — in the trace and in
// PeerMessageTypes, which message-targeted faults pick from — and arrive
// as sent; a plain type beside them keeps its Go name.
func TestEnvelopeNamesItsKinds(t *testing.T) {
	got, bad := 0, 0
	w, err := sim.New(sim.Config{Seed: 1, Nodes: 2, Node: func(nodes.ID) nodes.Node { return framer{got: &got, bad: &bad} }})
	if err != nil {
		t.Fatal(err)
	}
	rec := sim.Record(w)
	if r := w.Run(5 * time.Millisecond); r.Failure != nil {
		t.Fatal(r.Failure)
	}
	var sends []string
	for _, e := range rec.Events {
		if e.Kind == trace.Send && len(sends) < 4 {
			sends = append(sends, e.Type)
		}
	}
	if got == 0 || bad > 0 {
		t.Errorf("%d frames delivered, %d not as sent", got, bad)
	}
	if got, want := strings.Join(sends, " "), "Ping Pong Ping blob"; got != want {
		t.Errorf("sends named %q, want %q", got, want)
	}
	if got, want := strings.Join(w.PeerMessageTypes(), " "), "Ping Pong blob"; got != want {
		t.Errorf("PeerMessageTypes %q, want %q", got, want)
	}
}
