//go:build !unix

package checker

import "time"

// cpuTime is not measured on this platform (the benchmarks then omit cpu-ms).
func cpuTime() time.Duration { return 0 }
