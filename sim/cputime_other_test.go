//go:build !unix

package sim

// cpuTime is not measured on this platform (cpu-ns/op then reads 0).
func cpuTime() int64 { return 0 }
