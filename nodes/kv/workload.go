package kv

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Workload kinds (Workload.Kind).
const (
	// KindKV is the multi-key workload: get, put, append and cas over keys
	// k1..kN. Check it with the checker's "kv" model.
	KindKV = "kv"
	// KindRegister is the single-register workload: read, write and cas on
	// the key "". Check it with the checker's "register" model.
	KindRegister = "register"
)

// Client modes (Workload.Mode).
const (
	// ModeClosed: one operation at a time per client; the next is invoked
	// when the previous one ends (after an optional think time).
	ModeClosed = "closed"
	// ModeOpen: operations arrive every Interval whatever happens to the
	// earlier ones, so several may be outstanding (see the package doc).
	ModeOpen = "open"
)

// Value generators (Workload.Values).
const (
	// ValuesUnique gives every written value a name no other write uses,
	// "c<client>-<n>" (e.g. c3-17), so a read tells which write it saw.
	ValuesUnique = "unique"
	// ValuesSmall draws written values from "0".."ValueRange-1", as Jepsen's
	// register tests do: compare-and-set succeeds often, but reads are
	// ambiguous, which makes the linearizability search harder.
	ValuesSmall = "small"
)

// Routes: where a client sends an operation, and where it retries
// (Workload.Route).
const (
	// RouteLeader starts at a random server, follows NotLeader hints and
	// sticks to the last server that answered OK; on a timeout it tries the
	// next server. For protocols with a leader or primary.
	RouteLeader = "leader"
	// RouteFixed always sends to the client's home server, server
	// ((i-1) mod n)+1 for client ci, and retries there: for protocols in
	// which any server coordinates a request (quorum systems, multi-leader)
	// and a client has affinity to one.
	RouteFixed = "fixed"
	// RouteAny sends every attempt to a server drawn at random, ignoring
	// hints: for leaderless protocols.
	RouteAny = "any"
)

// Mix weighs the operation kinds: each new operation is Get with
// probability Get/(Get+Put+Append+CAS), and so on. In a register workload
// Get is a read, Put a write, and Append must be zero. The zero Mix means
// DefaultMixKV or DefaultMixRegister.
type Mix struct {
	Get    int `yaml:"get,omitempty" json:"get,omitempty"`
	Put    int `yaml:"put,omitempty" json:"put,omitempty"`
	Append int `yaml:"append,omitempty" json:"append,omitempty"`
	CAS    int `yaml:"cas,omitempty" json:"cas,omitempty"`
}

// Default mixes: reads are as frequent as all writes together.
var (
	DefaultMixKV       = Mix{Get: 3, Put: 1, Append: 1, CAS: 1}
	DefaultMixRegister = Mix{Get: 2, Put: 1, CAS: 1}
)

func (m Mix) total() int { return m.Get + m.Put + m.Append + m.CAS }

// Defaults applied by WithDefaults to zero fields.
const (
	DefaultKeysKV         = 10
	DefaultValueRange     = 5
	DefaultTimeout        = 5 * time.Second
	DefaultAttemptTimeout = 100 * time.Millisecond
	DefaultBackoffMin     = 2 * time.Millisecond
	DefaultBackoffMax     = 100 * time.Millisecond
	DefaultInterval       = 10 * time.Millisecond
	DefaultPendingMax     = 4
	DefaultProbeFor       = 5 * time.Second
)

// Workload configures the simulated clients of a KV protocol. The zero
// value of every field means its default (see WithDefaults): the zero
// Workload is 10 keys, closed-loop, the default KV mix, unique values, a
// 5 s operation timeout, and no limit on the number of operations.
//
// All times are virtual. Stop and ProbeAt are measured from the start of
// the run: a client starts at time zero and its clock has no drift unless
// a caller injects one, so its monotonic clock reads virtual time.
type Workload struct {
	// Kind is KindKV (default) or KindRegister.
	Kind string `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Keys is the number of keys, named k1..kN (default 10). A register
	// workload has one key, "", and Keys must be 0 or 1.
	Keys int `yaml:"keys,omitempty" json:"keys,omitempty"`
	// Mix weighs the operation kinds (default DefaultMixKV or
	// DefaultMixRegister).
	Mix Mix `yaml:"mix,omitempty" json:"mix,omitempty"`
	// Values is ValuesUnique (default) or ValuesSmall; ValueRange is the
	// number of small values (default 5). Appended values are always
	// unique.
	Values     string `yaml:"values,omitempty" json:"values,omitempty"`
	ValueRange int    `yaml:"value_range,omitempty" json:"value_range,omitempty"`
	// CASMismatchOK records a cas the server rejected with
	// StatusCASMismatch as an OK operation with Output "false" (it observed
	// a value other than Expect, and the checker verifies that) instead of
	// the default Fail (it certainly did not take effect, and the checker
	// drops it).
	CASMismatchOK bool `yaml:"cas_mismatch_ok,omitempty" json:"cas_mismatch_ok,omitempty"`

	// Timeout bounds one operation from its invocation (default 5s). A
	// write, append or cas still unanswered then ends as Info; a read ends
	// as Fail (it had no effect whatever happened), as does any operation
	// that was never sent. The default is long on purpose: until then the
	// client retries the same Seq, and against a server with a session
	// table a write that outlives an outage ends OK instead of Info. Info
	// operations are what makes a linearizability check expensive (each may
	// take effect at any later point): about ten never-applied Info writes
	// on one key already exhaust a 3 s Porcupine budget.
	Timeout time.Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// AttemptTimeout is how long a client waits for an answer from one
	// server before it tries the next one (default 100ms).
	AttemptTimeout time.Duration `yaml:"attempt_timeout,omitempty" json:"attempt_timeout,omitempty"`
	// BackoffMin and BackoffMax bound the wait before retrying after a
	// StatusRetry or a NotLeader without a hint: the n-th consecutive
	// retry waits a uniform draw from [d/2, d] with d = BackoffMin·2ⁿ
	// capped at BackoffMax (defaults 2ms and 100ms).
	BackoffMin time.Duration `yaml:"backoff_min,omitempty" json:"backoff_min,omitempty"`
	BackoffMax time.Duration `yaml:"backoff_max,omitempty" json:"backoff_max,omitempty"`

	// InfoMaxPerKey, if positive, caps the indeterminate operations one
	// client leaves on a key: once that many of its writes to a key ended
	// Info, it only reads that key. Each Info operation may take effect at
	// any later point, so a key with many of them makes the linearizability
	// search exponential (Unknown verdicts); the cap trades some write load
	// during long outages for checkable histories (0: no cap).
	InfoMaxPerKey int `yaml:"info_max_per_key,omitempty" json:"info_max_per_key,omitempty"`

	// Route is RouteLeader (default), RouteFixed or RouteAny.
	Route string `yaml:"route,omitempty" json:"route,omitempty"`

	// Mode is ModeClosed (default) or ModeOpen.
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty"`
	// ThinkMin and ThinkMax: in closed-loop mode, the pause between the end
	// of one operation and the invocation of the next, uniform on
	// [ThinkMin, ThinkMax] (default none).
	ThinkMin time.Duration `yaml:"think_min,omitempty" json:"think_min,omitempty"`
	ThinkMax time.Duration `yaml:"think_max,omitempty" json:"think_max,omitempty"`
	// Interval: in open-loop mode, the time between two invocations by the
	// same client (default 10ms, i.e. 100 ops/s per client). Each client
	// starts at a random phase within the first interval.
	Interval time.Duration `yaml:"interval,omitempty" json:"interval,omitempty"`
	// PendingMax: in open-loop mode, the most operations one client may
	// have invoked and not completed (default 4). An arrival beyond it is
	// skipped, not invoked, and counted in Stats.Skipped.
	PendingMax int `yaml:"pending_max,omitempty" json:"pending_max,omitempty"`

	// MaxOps is the most operations a client invokes (0: no limit).
	MaxOps int `yaml:"max_ops,omitempty" json:"max_ops,omitempty"`
	// Stop is the virtual time after which clients invoke no new
	// operation (0: never); operations under way run to completion.
	Stop time.Duration `yaml:"stop,omitempty" json:"stop,omitempty"`

	// ProbeAt, if positive, is a liveness probe: at that virtual time a
	// client stops its ordinary operations (as if Stop had come) and
	// invokes writes (put, or write in a register workload), one at a
	// time, until one ends OK or ProbeFor (default 5s) has passed. See
	// Client.Probe. ProbeClients limits the probe to clients c1..cK (0:
	// every client).
	ProbeAt time.Duration `yaml:"probe_at,omitempty" json:"probe_at,omitempty"`
	// FinalReadAt, if positive, is when a client stops every other
	// operation (ordinary ones and probe writes) and reads each key once,
	// in key order, retrying a read until it ends OK: the history then
	// ends with a read of every key, which the lost-writes check compares
	// with the acknowledged writes. Set it late in the heal window, after
	// an eventually consistent store has had time to converge.
	FinalReadAt  time.Duration `yaml:"final_read_at,omitempty" json:"final_read_at,omitempty"`
	ProbeFor     time.Duration `yaml:"probe_for,omitempty" json:"probe_for,omitempty"`
	ProbeClients int           `yaml:"probe_clients,omitempty" json:"probe_clients,omitempty"`
}

// WithDefaults returns w with every zero field set to its default.
func (w Workload) WithDefaults() Workload {
	if w.Kind == "" {
		w.Kind = KindKV
	}
	if w.Keys == 0 {
		w.Keys = DefaultKeysKV
		if w.Kind == KindRegister {
			w.Keys = 1
		}
	}
	if w.Mix == (Mix{}) {
		w.Mix = DefaultMixKV
		if w.Kind == KindRegister {
			w.Mix = DefaultMixRegister
		}
	}
	if w.Values == "" {
		w.Values = ValuesUnique
	}
	if w.ValueRange == 0 {
		w.ValueRange = DefaultValueRange
	}
	if w.Timeout == 0 {
		w.Timeout = DefaultTimeout
	}
	if w.AttemptTimeout == 0 {
		w.AttemptTimeout = DefaultAttemptTimeout
	}
	if w.BackoffMin == 0 {
		w.BackoffMin = DefaultBackoffMin
	}
	if w.BackoffMax == 0 {
		w.BackoffMax = max(DefaultBackoffMax, w.BackoffMin)
	}
	if w.Mode == "" {
		w.Mode = ModeClosed
	}
	if w.Route == "" {
		w.Route = RouteLeader
	}
	if w.ThinkMax < w.ThinkMin {
		w.ThinkMax = w.ThinkMin
	}
	if w.Interval == 0 {
		w.Interval = DefaultInterval
	}
	if w.PendingMax == 0 {
		w.PendingMax = DefaultPendingMax
	}
	if w.ProbeFor == 0 {
		w.ProbeFor = DefaultProbeFor
	}
	return w
}

// Validate reports the first field of w (after defaults) that makes no
// sense, as an error naming the field and its value.
func (w Workload) Validate() error {
	w = w.WithDefaults()
	bad := func(field string, v any, why string) error {
		return fmt.Errorf("kv: Workload.%s: %v %s", field, v, why)
	}
	switch {
	case w.Kind != KindKV && w.Kind != KindRegister:
		return bad("Kind", fmt.Sprintf("%q", w.Kind), `is not "kv" or "register"`)
	case w.Keys < 0:
		return bad("Keys", w.Keys, "is negative")
	case w.Kind == KindRegister && w.Keys != 1:
		return bad("Keys", w.Keys, "keys in a register workload (it has one key)")
	case w.Mix.Get < 0 || w.Mix.Put < 0 || w.Mix.Append < 0 || w.Mix.CAS < 0:
		return bad("Mix", fmt.Sprintf("%+v", w.Mix), "has a negative weight")
	case w.Mix.total() == 0:
		return bad("Mix", fmt.Sprintf("%+v", w.Mix), "has no positive weight")
	case w.Kind == KindRegister && w.Mix.Append != 0:
		return bad("Mix.Append", w.Mix.Append, "in a register workload (a register has no append)")
	case w.Values != ValuesUnique && w.Values != ValuesSmall:
		return bad("Values", fmt.Sprintf("%q", w.Values), `is not "unique" or "small"`)
	case w.ValueRange < 1:
		return bad("ValueRange", w.ValueRange, "is less than 1")
	case w.Timeout < 0:
		return bad("Timeout", w.Timeout, "is negative")
	case w.AttemptTimeout < 0:
		return bad("AttemptTimeout", w.AttemptTimeout, "is negative")
	case w.BackoffMin < 0:
		return bad("BackoffMin", w.BackoffMin, "is negative")
	case w.BackoffMax < w.BackoffMin:
		return bad("BackoffMax", w.BackoffMax, "is less than BackoffMin "+w.BackoffMin.String())
	case w.InfoMaxPerKey < 0:
		return bad("InfoMaxPerKey", w.InfoMaxPerKey, "is negative")
	case w.Route != RouteLeader && w.Route != RouteFixed && w.Route != RouteAny:
		return bad("Route", fmt.Sprintf("%q", w.Route), `is not "leader", "fixed" or "any"`)
	case w.Mode != ModeClosed && w.Mode != ModeOpen:
		return bad("Mode", fmt.Sprintf("%q", w.Mode), `is not "closed" or "open"`)
	case w.ThinkMin < 0:
		return bad("ThinkMin", w.ThinkMin, "is negative")
	case w.Interval < 0:
		return bad("Interval", w.Interval, "is negative")
	case w.PendingMax < 0:
		return bad("PendingMax", w.PendingMax, "is negative")
	case w.MaxOps < 0:
		return bad("MaxOps", w.MaxOps, "is negative")
	case w.Stop < 0:
		return bad("Stop", w.Stop, "is negative")
	case w.ProbeAt < 0:
		return bad("ProbeAt", w.ProbeAt, "is negative")
	case w.ProbeFor < 0:
		return bad("ProbeFor", w.ProbeFor, "is negative")
	case w.FinalReadAt < 0:
		return bad("FinalReadAt", w.FinalReadAt, "is negative")
	case w.ProbeClients < 0:
		return bad("ProbeClients", w.ProbeClients, "is negative")
	}
	return nil
}

// Model names the checker model that judges this workload's histories:
// "kv" or "register".
func (w Workload) Model() string {
	if w.Kind == KindRegister {
		return KindRegister
	}
	return KindKV
}

// Factory returns the client factory for sim.Config.Client. It panics if w
// is invalid: call Validate first on user input.
func (w Workload) Factory() nodes.Factory {
	w = w.WithDefaults()
	if err := w.Validate(); err != nil {
		panic(err)
	}
	return func(nodes.ID) nodes.Node { return &Client{w: w} }
}

// KeyName returns the name of the i-th key (1-based) of a KV workload,
// "k1", "k2", ... .
func KeyName(i int) string { return fmt.Sprintf("k%d", i) }
