//go:build !unix

package scenarios_test

import "time"

// processCPU is not measured on this platform (the scaling table's CPU
// figures are then meaningless).
func processCPU() time.Duration { return 0 }
