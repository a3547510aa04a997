package checker

import (
	"strconv"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

// TestRecorderAcrossChunks: a history longer than a chunk keeps every
// operation in invocation order, handles stay valid across chunks, and
// completions land on their own operation wherever it is stored.
func TestRecorderAcrossChunks(t *testing.T) {
	const n = 2*recorderChunk + 37
	var r Recorder
	handles := make([]int, n)
	for i := range n {
		at := time.Duration(i) * time.Microsecond
		handles[i] = r.Invoke(nodes.ClientID(1+i%5), at, nodes.Op{Kind: nodes.OpPut, Key: "k", Value: strconv.Itoa(i)})
		if handles[i] != i {
			t.Fatalf("invocation %d got handle %d", i, handles[i])
		}
	}
	// Complete every third one, last first, so completions jump between chunks.
	end := time.Duration(n) * time.Microsecond
	for i := n - 1; i >= 0; i -= 3 {
		r.Complete(handles[i], end, nodes.OK, nodes.Op{Output: "o" + strconv.Itoa(i)})
	}
	h := r.History()
	if len(h.Ops) != n || cap(h.Ops) != n {
		t.Fatalf("history has %d operations (cap %d); want %d", len(h.Ops), cap(h.Ops), n)
	}
	for i, o := range h.Ops {
		done := (n-1-i)%3 == 0
		if o.Value != strconv.Itoa(i) || o.Client != nodes.ClientID(1+i%5) || o.Invoke != time.Duration(i)*time.Microsecond {
			t.Fatalf("operation %d is %+v", i, o)
		}
		if done != (o.Outcome == nodes.OK) || done && (o.Output != "o"+strconv.Itoa(i) || o.Return != end) {
			t.Fatalf("operation %d: %+v (completed: %v)", i, o, done)
		}
	}
	var empty Recorder
	if h := empty.History(); len(h.Ops) != 0 || h.Ops != nil {
		t.Fatalf("an empty recorder's history has operations %v", h.Ops)
	}
}
