package causal

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/nodes"
)

// Update carries one write from the replica that accepted it to a peer,
// once it is durable there. The receiver applies it when its dependencies
// are visible, and buffers it until then.
type Update struct {
	Version Version
}

func (m Update) String() string { return m.Version.String() }

// Clone deep-copies the message.
func (m Update) Clone() nodes.Message { return Update{Version: m.Version.clone()} }

// Snapshot is an anti-entropy round: every version the sender has visible.
// That set is causally closed (each version's dependencies are in it, or
// overtaken by later versions in it), so the receiver merges it at once,
// key by key, with no dependency check, and stays causally closed.
type Snapshot struct {
	Versions []Version
}

func (m Snapshot) String() string {
	parts := make([]string, len(m.Versions))
	for i, x := range m.Versions {
		parts[i] = fmt.Sprintf("%q@%v", x.Key, x.Stamp)
	}
	return strings.Join(parts, " ")
}

// Clone deep-copies the message.
func (m Snapshot) Clone() nodes.Message {
	vs := make([]Version, len(m.Versions))
	for i, x := range m.Versions {
		vs[i] = x.clone()
	}
	return Snapshot{Versions: vs}
}
