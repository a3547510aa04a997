package scenarios

import (
	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
)

func installNemesis(w *sim.Sim, sc *Scenario, seed uint64) error { return nil }

func raftProtocol(cfg raftkv.Config) *Protocol {
	return &Protocol{Factory: raftkv.New(cfg)}
}
