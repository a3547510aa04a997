package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// privateStdout moves the worker's stdout to a descriptor of its own, for
// the frames, and points descriptor 1 at stderr: whatever node code
// prints lands with the rest of the worker's output.
func privateStdout() (*os.File, error) {
	fd, err := syscall.Dup(1)
	if err != nil {
		return nil, fmt.Errorf("dup stdout: %v", err)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.Dup3(2, 1, 0); err != nil {
		return nil, fmt.Errorf("stdout to stderr: %v", err)
	}
	return os.NewFile(uintptr(fd), "worker-protocol"), nil
}

// workerAttr puts a worker in a process group of its own (a Ctrl-C at
// the terminal reaches the parent, which lets running seeds finish, and
// not the workers) and kills it if the parent dies.
func workerAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// rssBytes is a process's resident set size, from /proc; ok is false
// when it cannot be read (the process is gone).
func rssBytes(pid int) (n int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}

// physicalMemory is the machine's memory in bytes (0 if unknown).
func physicalMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}
