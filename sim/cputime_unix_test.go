//go:build unix

package sim

import "syscall"

// cpuTime is the process's CPU time in ns (user + system), to compare
// queues on a busy machine.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
