package nodes

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
