package good

import "github.com/faultline/faultline/nodes"

// Entry is a log entry, sent by pointer inside a message.
type Entry struct {
	Term  uint64
	Key   string
	Value []byte
}

// Append is a message whose fields are pointers, slices of pointers and a
// map: the lint is static, so how a message is built or copied by Send is
// none of its business. Only the order in which a node acts is.
type Append struct {
	Term    uint64
	Prev    *Entry
	Entries []*Entry
	Acks    map[nodes.ID]bool
	Next    *Append
}

// replicate sends pointer-laden messages, to peers in the order
// env.Peers() gives (sorted), and by value and by pointer.
func replicate(env nodes.Env, log []*Entry) {
	m := &Append{Term: 3, Entries: log, Acks: map[nodes.ID]bool{env.ID(): true}}
	if len(log) > 0 {
		m.Prev = log[len(log)-1]
	}
	for _, id := range env.Peers() {
		env.Send(id, m)
		env.Send(id, *m)
		env.Send(id, &Append{Next: m})
	}
}
