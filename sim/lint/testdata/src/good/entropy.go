package good

//faultline:seeded-entropy a library draws timeouts from crypto/rand.Reader; it is swapped for a seeded reader under a lock
import crand "crypto/rand"

import "io"

// swap points crypto/rand.Reader at r and returns the restore.
func swap(r io.Reader) func() {
	saved := crand.Reader
	crand.Reader = r
	return func() { crand.Reader = saved }
}
