// Package service is a replicated stateless service and its open-loop
// clients: the smallest system in which gray failure, overload and
// metastability can be seen and measured.
//
// # Servers
//
// Each Server answers a Request with a Response after Config.Work of
// service time, declared to the host (nodes.ServiceEnv). Under the
// simulator's service-time model a server is one FIFO worker: requests
// wait in its queue, the slow fault multiplies their service time, and a
// request whose client has long given up is still served — wasted work,
// the engine of a retry storm. Admission control sheds cheaply (no work
// declared): a bounded queue (Config.MaxQueue, against nodes.Queued) and a
// token bucket (Config.RatePerSecond, Burst). A server also answers a
// load balancer's HealthCheck.
//
// A server keeps no state that outlives a request, so it persists nothing:
// a crash loses its queue (the host drops what waited) and its token
// bucket, and a restarted server is as good as new.
//
// # Clients
//
// A Client issues requests as a Poisson process at Workload.RatePerSecond
// times the host's offered load (nodes.LoadEnv: the overload fault), each
// under a Policy built from nodes/resilience: a per-attempt timeout, up to
// MaxAttempts attempts spaced by a Backoff (none, full or decorrelated
// jitter), a RetryBudget, and a CircuitBreaker that fails requests fast.
// A retry goes to another server (or to Workload.Target, a load balancer).
// The history records one OpRequest per request: OK (Output: its attempts)
// when any attempt succeeded, Fail when every attempt was shed or the
// breaker refused, Info when an attempt timed out (it may have been
// served). A late success of an earlier attempt still ends the request.
//
// # Failure model
//
// Servers may crash, pause, slow down and be partitioned; clients are not
// faulted. Nothing is durable, so nothing can be lost: what the scenarios
// judge is goodput, latency, retry amplification and recovery after a
// trigger (servicekind's checks).
package service
