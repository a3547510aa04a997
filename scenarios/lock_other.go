//go:build !unix

package scenarios

// lockFile is the lock a sweep holds on its output directory (unix only).
const lockFile = ".faultline.lock"

// lockDir does not lock on this platform: two sweeps into one directory
// are the user's to avoid.
func lockDir(string) (unlock func(), err error) { return func() {}, nil }
