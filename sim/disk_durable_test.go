package sim_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// TestDurableFilesFollowTheSyncedWrites: after every completed sync, what
// survives a crash (DurableFiles) is exactly the writes that sync covers,
// applied in order, over several files, with crashes that lose the
// unsynced writes and crashes that keep them. The durable file takes the
// view's array when an append is synced instead of copying it (disk.go,
// complete); this is the test that the two never disagree.
func TestDurableFilesFollowTheSyncedWrites(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep-unsynced=%v", keep), func(t *testing.T) {
			type write struct {
				kind byte // 'a', 'w', 'd'
				name string
				data []byte
			}
			var (
				base   = map[string][]byte{} // durable contents at the last restart
				issued []write               // writes since then
				covers = map[uint64]int{}    // sync tag -> writes it covers
				tag    uint64
				w      *sim.Sim
				checks int
			)
			state := func(k int) map[string][]byte {
				m := map[string][]byte{}
				for n, b := range base { //faultline:orderless copying a map into a map
					m[n] = append([]byte(nil), b...)
				}
				for _, op := range issued[:k] {
					switch op.kind {
					case 'a':
						m[op.name] = append(m[op.name], op.data...)
					case 'w':
						m[op.name] = append([]byte(nil), op.data...)
					case 'd':
						delete(m, op.name)
					}
				}
				return m
			}
			check := func(k int, when string) {
				t.Helper()
				want, got := state(k), w.DurableFiles(nodes.NodeID(1))
				if len(got) != len(want) {
					t.Fatalf("%s: durable files %v, want %v", when, got, want)
				}
				for n, b := range want { //faultline:orderless comparing maps
					if g, ok := got[n]; !ok || !bytes.Equal(g, b) {
						t.Fatalf("%s: durable %s = %q, want %q", when, n, g, b)
					}
				}
				checks++
			}
			durable := 0
			node := func(nodes.ID) nodes.Node {
				return &probe{
					start: func(env nodes.Env) {
						check(durable, "after a restart")
						base, issued, covers, durable = state(durable), nil, map[uint64]int{}, 0
						env.SetTimer(100*time.Microsecond, 0)
					},
					timer: func(env nodes.Env, _ uint64) {
						st, r := env.Store(), env.Rand()
						name := fmt.Sprintf("f%d", r.IntN(3))
						switch x := r.IntN(20); {
						case x < 13:
							data := make([]byte, 1+r.IntN(300))
							for i := range data {
								data[i] = byte(r.IntN(256))
							}
							st.Append(name, data)
							issued = append(issued, write{'a', name, append([]byte(nil), data...)})
						case x < 15:
							data := []byte{byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))}
							st.Write(name, data)
							issued = append(issued, write{'w', name, data})
						case x < 16:
							st.Delete(name)
							issued = append(issued, write{'d', name, nil})
						default:
							tag++
							covers[tag] = len(issued)
							st.Sync(tag)
						}
						env.SetTimer(100*time.Microsecond, 0)
					},
					synced: func(env nodes.Env, tag uint64) {
						durable = max(durable, covers[tag])
						check(durable, fmt.Sprintf("sync %d", tag))
					},
				}
			}
			var err error
			w, err = sim.New(sim.Config{Seed: 5, Nodes: 1, Node: node, Disk: sim.Disk{
				SyncLatency:         sim.UniformDist(100*time.Microsecond, 2*time.Millisecond),
				KeepUnsyncedOnCrash: keep,
			}})
			if err != nil {
				t.Fatal(err)
			}
			at := time.Duration(0)
			for i := range 150 {
				at += time.Duration(1+i%9) * time.Millisecond
				w.Run(at)
				if keep {
					durable = len(issued) // a crash that keeps them makes them all durable
				}
				w.Crash(1)
				w.Restart(1)
			}
			if checks < 300 {
				t.Fatalf("only %d checks", checks)
			}
		})
	}
}
