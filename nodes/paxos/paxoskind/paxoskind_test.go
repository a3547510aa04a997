package paxoskind_test

import (
	"os"
	"testing"

	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/nodes/paxos/paxoskind"
	"github.com/faultline/faultline/scenarios"
)

func TestMain(m *testing.M) {
	scenarios.RegisterNode(paxoskind.Kind())
	for _, w := range kvkind.Workloads() {
		scenarios.RegisterWorkload(w)
	}
	os.Exit(m.Run())
}

const lib = "../../../scenarios/"

func load(t testing.TB, path string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
