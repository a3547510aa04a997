package durable_test

import (
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
)

type rec struct{ N int }

func TestLog(t *testing.T) {
	for _, c := range []struct {
		name      string
		damage    func(b []byte) []byte
		want      []int
		truncated bool
	}{
		{"whole", func(b []byte) []byte { return b }, []int{1, 2, 3}, false},
		{"torn last record", func(b []byte) []byte { return b[:len(b)-3] }, []int{1, 2}, true},
		{"torn length", func(b []byte) []byte { return append(b, 0, 0) }, []int{1, 2, 3}, true},
		{"flipped middle record", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }, []int{1}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := newStore()
			for i := 1; i <= 3; i++ {
				durable.AppendJSON(st, "log", rec{i})
			}
			b, _ := st.Read("log")
			st.Write("log", c.damage(b))
			var got []int
			n, truncated := durable.ReadLog(st, "log", func(r rec) { got = append(got, r.N) })
			if n != len(c.want) || truncated != c.truncated || len(got) != len(c.want) {
				t.Fatalf("read %v (n %d, truncated %v), want %v (truncated %v)", got, n, truncated, c.want, c.truncated)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("read %v, want %v", got, c.want)
				}
			}
			// A record appended after recovery is read back after the whole ones.
			durable.AppendJSON(st, "log", rec{9})
			got = nil
			if _, truncated := durable.ReadLog(st, "log", func(r rec) { got = append(got, r.N) }); truncated || got[len(got)-1] != 9 || len(got) != len(c.want)+1 {
				t.Errorf("after recovery and an append: read %v (truncated %v), want %v then 9", got, truncated, c.want)
			}
		})
	}
	if n, truncated := durable.ReadLog(newStore(), "none", func(rec) {}); n != 0 || truncated {
		t.Errorf("missing file: %d records, truncated %v", n, truncated)
	}
}

// memStore is a store without durability, for the log's format.
type memStore map[string][]byte

func newStore() memStore { return memStore{} }

func (m memStore) Read(name string) ([]byte, error) {
	b, ok := m[name]
	if !ok {
		return nil, nodes.ErrNotFound
	}
	return append([]byte(nil), b...), nil
}
func (m memStore) Write(name string, data []byte)  { m[name] = append([]byte(nil), data...) }
func (m memStore) Append(name string, data []byte) { m[name] = append(m[name], data...) }
func (m memStore) Delete(name string)              { delete(m, name) }
func (m memStore) List() []string                  { return nil }
func (m memStore) Sync(uint64)                     {}
