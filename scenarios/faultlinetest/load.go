package faultlinetest

import (
	"testing"

	"github.com/faultline/faultline/scenarios"
)

// Load reads a scenario file for a test, failing the test (with the
// file:line:col of the problem) if it does not load.
//
//	faultlinetest.Run(t, faultlinetest.Load(t, "../../../scenarios/mykv-partitions.yaml"))
func Load(t testing.TB, path string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
