package causal

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/crdt"
	"github.com/faultline/faultline/nodes/kv"
)

func TestReadLog(t *testing.T) {
	op := Op{Origin: nodes.NodeID(1), Seq: 1, Kind: crdt.OpAdd, Elem: "e1", Dots: []crdt.Dot{{Node: nodes.NodeID(1), N: 1}}}
	a := frame(record{Op: &op})
	b := frame(record{Session: true, Client: nodes.ClientID(1), Seq: 7, Reply: kv.Reply{Seq: 7, Status: kv.StatusOK, Value: "n1.1"}})
	whole := append(append([]byte(nil), a...), b...)
	flipped := append([]byte(nil), whole...)
	flipped[10] ^= 1
	flippedLast := append([]byte(nil), whole...)
	flippedLast[len(a)+10] ^= 1
	for _, c := range []struct {
		name      string
		in        []byte
		recs, len int
		err       string
	}{
		{"whole records", whole, 2, len(whole), ""},
		{"a torn tail is left out", whole[:len(whole)-3], 1, len(a), ""},
		{"a torn length is left out", append(append([]byte(nil), a...), 0, 0), 1, len(a), ""},
		{"a corrupt last record is left out", flippedLast, 1, len(a), ""},
		{"a corrupt record before the last is an error", flipped, 0, 0, "record 1"},
	} {
		recs, n, err := readLog(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err == "" && (len(recs) != c.recs || n != c.len):
			t.Errorf("%s: %d records in %d bytes, want %d in %d", c.name, len(recs), n, c.recs, c.len)
		}
	}
	recs, _, _ := readLog(whole)
	if recs[0].Op == nil || recs[0].Op.Dot() != op.Dot() || !recs[1].Session || recs[1].Reply.Value != "n1.1" {
		t.Errorf("records do not round-trip: %+v", recs)
	}
}
