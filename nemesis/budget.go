package nemesis

import (
	"github.com/faultline/faultline/nodes"
)

// The recoverability budget. A run is only worth judging if the cluster
// could have survived its faults: a red run must mean a real bug, not an
// impossible environment. So by default the nemesis never lets more than
// f = (n-1)/2 servers be "down" at once, and skips a fault that would.
//
// A server is down if it is crashed, paused or disk-faulted, or if it
// cannot exchange messages both ways, over links no fault cuts completely,
// with enough other servers that are up to form a majority with itself.
// The last rule is applied until nothing changes, so a server whose only
// neighbours are themselves cut off is down too. Lossy, slow, duplicating
// and reordering links, and clock faults, do not count: a correct protocol
// survives them.

// countDown returns how many of n servers are down given the servers that
// are down outright and the directed links that are cut.
func countDown(n int, down []bool, cuts []Link) int {
	cut := make([]bool, (n+1)*(n+1))
	for _, l := range cuts {
		if int(l.From) <= n && int(l.To) <= n {
			cut[int(l.From)*(n+1)+int(l.To)] = true
		}
	}
	dead := make([]bool, n+1)
	copy(dead, down)
	maj := n/2 + 1
	for changed := true; changed; {
		changed = false
		for a := 1; a <= n; a++ {
			if dead[a] {
				continue
			}
			reach := 1
			for b := 1; b <= n; b++ {
				if b != a && !dead[b] && !cut[a*(n+1)+b] && !cut[b*(n+1)+a] {
					reach++
				}
			}
			if reach < maj {
				dead[a] = true
				changed = true
			}
		}
	}
	count := 0
	for a := 1; a <= n; a++ {
		if dead[a] {
			count++
		}
	}
	return count
}

// markDown sets down[id] for each id in ids within 1..n.
func markDown(down []bool, ids []nodes.ID) {
	for _, id := range ids {
		if int(id) >= 1 && int(id) < len(down) {
			down[id] = true
		}
	}
}
