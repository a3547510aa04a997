// Package kv is the client side of any key-value protocol in Faultline:
// the request and reply messages a KV node speaks, and the simulated
// clients (workloads) that issue operations, retry them, and record the
// history the checkers judge.
//
// A protocol is a KV store for Faultline's purposes if its nodes accept
// Request from clients and answer with Reply. Nothing here knows which
// protocol is behind the messages, so the same workload drives Raft KV
// today and other protocols later.
package kv
