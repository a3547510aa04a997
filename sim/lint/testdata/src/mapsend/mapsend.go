// Package mapsend is a small protocol with exactly four determinism
// violations: a send in map order, the host's clock, the global random
// source and a goroutine. public_test.go and example_test.go check each
// one's position and rule; keep the line numbers stable.
package mapsend

import (
	"math/rand/v2"
	"time"

	"github.com/faultline/faultline/nodes"
)

// Hello announces a node to its peers.
type Hello struct {
	From  nodes.ID
	At    time.Time
	Nonce int
}

// Node greets every peer it knows on start.
type Node struct {
	nodes.Base
	peers map[nodes.ID]bool
}

// Start sends one Hello to each peer.
func (n *Node) Start(env nodes.Env) {
	m := Hello{From: env.ID(), At: time.Now(), Nonce: rand.IntN(1 << 20)}
	for id := range n.peers {
		env.Send(id, m)
	}
	go env.Logf("greeted %d peers", len(n.peers))
}
