//go:build !unix

package faultlinetest

import "time"

// cpuTime is not measured on this platform (Bench then omits cpu-dilation).
func cpuTime() time.Duration { return 0 }
