package examples_test

import (
	"testing"

	"github.com/faultline/faultline/sim/lint"
)

// TestDeterminism holds the example's simulated code (the protocol and its
// wiring) to Faultline's determinism rules.
func TestDeterminism(t *testing.T) { lint.Test(t, "./pbkv/...") }
