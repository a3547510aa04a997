package multileader

// Digest starts an anti-entropy round: a hash of each key's synced
// versions at the sender, in key order.
type Digest struct {
	Sums []Sum
}

// Sum is one key's hash in a Digest.
type Sum struct {
	Key string
	Sum uint64
}

// Delta carries versions to merge: a push after a local write, an answer
// to a Digest (with Want: the keys whose hashes differ, which the digest's
// sender answers with its own versions of them), or that answer.
type Delta struct {
	Entries []Entry
	Want    []string
}

// Entry is the versions of one key.
type Entry struct {
	Key      string
	Versions []Version
}
