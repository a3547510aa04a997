//go:build unix

package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile is the lock a sweep holds on its output directory.
const lockFile = ".faultline.lock"

// lockDir takes the output directory for one sweep: a second sweep into
// the same directory fails at once instead of duplicating every seed. The
// lock is an flock on DIR/.faultline.lock, released when the sweep ends
// (or its process dies).
func lockDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("scenarios: %v", err)
	}
	path := filepath.Join(dir, lockFile)
	if err := noSymlink(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("scenarios: another sweep is writing to %s (it holds %s); wait for it, or choose another --out", dir, lockFile)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
