//go:build !linux

package cli

import (
	"os"
	"syscall"
)

// privateStdout: outside Linux the worker keeps its stdout for the frames
// (node code printing to stdout breaks the stream, and the seed is
// recorded as a crash).
func privateStdout() (*os.File, error) { return os.Stdout, nil }

func workerAttr() *syscall.SysProcAttr { return nil }

// rssBytes: outside Linux there is no watchdog; only the worker's soft
// limit bounds its memory.
func rssBytes(pid int) (int64, bool) { return 0, false }

func physicalMemory() int64 { return 0 }
