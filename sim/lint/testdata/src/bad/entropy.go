package bad

//faultline:seeded-entropy
import crand2 "crypto/rand"

import "io"

var _ io.Reader = crand2.Reader

//faultline:seeded-entropy attached to no import of crypto/rand
var unattached = 1
