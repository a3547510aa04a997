package crdtclient

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		w    Workload
		want string // "" for valid
	}{
		{Workload{Kind: KindCounter}, ""},
		{Workload{Kind: KindSet, Add: 1, Remove: 1}, ""},
		{Workload{Kind: "queue"}, `kind "queue"`},
		{Workload{Kind: KindCounter, Add: 1, Remove: 1}, "a counter has no remove"},
		{Workload{Kind: KindCounter, DecrementPercent: 101}, "decrement_percent 101"},
		{Workload{Kind: KindSet, Timeout: 10 * time.Millisecond, AttemptTimeout: 20 * time.Millisecond}, "shorter than attempt_timeout"},
	} {
		err := c.w.Validate()
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: got %v, want %q", c.w, err, c.want)
		}
	}
}
