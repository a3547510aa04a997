package kv_test

import (
	"fmt"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// Apply is the kv and register semantics, operation by operation.
func TestApply(t *testing.T) {
	data := map[string]string{}
	for i, tc := range []struct {
		op   nodes.Op
		want kv.Result
		data string
	}{
		{nodes.Op{Kind: nodes.OpGet, Key: "k1"}, kv.Result{Status: kv.StatusOK}, "map[]"},
		{nodes.Op{Kind: nodes.OpCAS, Key: "k1", Expect: "", Value: "a"}, kv.Result{Status: kv.StatusOK}, "map[k1:a]"},
		{nodes.Op{Kind: nodes.OpAppend, Key: "k1", Value: "b"}, kv.Result{Status: kv.StatusOK}, "map[k1:ab]"},
		{nodes.Op{Kind: nodes.OpCAS, Key: "k1", Expect: "a", Value: "c"}, kv.Result{Status: kv.StatusCASMismatch, Value: "ab", Exists: true}, "map[k1:ab]"},
		{nodes.Op{Kind: nodes.OpPut, Key: "k1", Value: "d"}, kv.Result{Status: kv.StatusOK}, "map[k1:d]"},
		{nodes.Op{Kind: nodes.OpGet, Key: "k1"}, kv.Result{Status: kv.StatusOK, Value: "d", Exists: true}, "map[k1:d]"},
		// The register: a missing value matches no cas, not even of "".
		{nodes.Op{Kind: nodes.OpCAS, Key: "", Expect: "", Value: "x"}, kv.Result{Status: kv.StatusCASMismatch}, "map[k1:d]"},
		{nodes.Op{Kind: nodes.OpWrite, Key: "", Value: "x"}, kv.Result{Status: kv.StatusOK}, "map[:x k1:d]"},
		{nodes.Op{Kind: nodes.OpRead, Key: ""}, kv.Result{Status: kv.StatusOK, Value: "x", Exists: true}, "map[:x k1:d]"},
	} {
		if got := kv.Apply(data, tc.op); got != tc.want || fmt.Sprint(data) != tc.data {
			t.Errorf("%d: %v: got %+v, data %v; want %+v, %s", i, tc.op, got, data, tc.want, tc.data)
		}
	}
	if kv.Known("delete") || !kv.Known(nodes.OpCAS) {
		t.Error("Known")
	}
}
