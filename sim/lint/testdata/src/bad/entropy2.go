package bad

//faultline:seeded-entropy a library reads crypto/rand.Reader; only the swap is allowed
import crand3 "crypto/rand"

import "math/big"

func entropy2() {
	_, _ = crand3.Read(make([]byte, 8))
	_, _ = crand3.Int(crand3.Reader, big.NewInt(10))
}
