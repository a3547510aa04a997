package nodes

import "time"

// LoadEnv is an optional extension of the Env a client is handed: the
// host's offered-load multiplier, which a fault injector steps (the
// overload fault). A workload that issues operations at a configured rate
// should issue rate×LoadPermille/1000 of them per second; closed-loop
// workloads may ignore it. Check for it with a type assertion: a host
// without it offers the configured load.
type LoadEnv interface {
	// LoadPermille is the offered-load multiplier in thousandths: 1000
	// is the configured load, 3000 three times it.
	LoadPermille() int64
}

// LoadPermilleOf returns env's offered-load multiplier in thousandths,
// 1000 when env does not implement LoadEnv.
func LoadPermilleOf(env Env) int64 {
	if l, ok := env.(LoadEnv); ok {
		return l.LoadPermille()
	}
	return 1000
}

// ServiceEnv is an optional extension of the Env a server is handed, by
// hosts that model service time (the simulator's sim.Service): a server
// is one FIFO worker, and its handlers can say what their work costs.
type ServiceEnv interface {
	// Work says the running handler spends d of service time on top of
	// the host's per-message cost (the host may scale it: a slow
	// server): what the handler sends after the call leaves once that
	// time has passed, and the server handles its next message after
	// it. A server that rejects a request cheaply and serves another
	// expensively declares work only for the second.
	Work(d time.Duration)
	// Queued is how many delivered messages wait for this server's
	// handler: its queue length, for admission control.
	Queued() int
}

// Work declares d of service time on env if its host models service
// time (ServiceEnv), and does nothing otherwise.
func Work(env Env, d time.Duration) {
	if s, ok := env.(ServiceEnv); ok {
		s.Work(d)
	}
}

// Queued returns env's queue length if its host models service time, and
// 0 otherwise.
func Queued(env Env) int {
	if s, ok := env.(ServiceEnv); ok {
		return s.Queued()
	}
	return 0
}
