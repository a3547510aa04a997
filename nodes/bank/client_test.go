package bank_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes/bank"
)

func TestWorkloadValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		w    bank.Workload
		want string // "" for valid
	}{
		{"defaults", bank.Workload{}, ""},
		{"one account", bank.Workload{Bank: bank.Bank{Accounts: 1}}, "Bank.Accounts: 1 is below 2"},
		{"negative balance", bank.Workload{Bank: bank.Bank{Initial: -1}}, "Bank.Initial: -1 is negative"},
		{"negative weight", bank.Workload{ReadWeight: -1}, "or ReadWeight is negative"},
		{"timeout below an attempt", bank.Workload{Timeout: time.Millisecond}, "Timeout: 1ms is shorter than AttemptTimeout 100ms"},
		{"unknown route", bank.Workload{Route: "leader"}, `Route: "leader" is not "coordinator" or "home"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.w.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("got %v, want valid", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestShardOf(t *testing.T) {
	for _, c := range []struct{ acct, servers, want int }{{0, 3, 1}, {1, 3, 2}, {2, 3, 3}, {3, 3, 1}, {7, 2, 2}} {
		if got := bank.ShardOf(c.acct, c.servers); int(got) != c.want {
			t.Errorf("ShardOf(%d, %d) = %v, want n%d", c.acct, c.servers, got, c.want)
		}
	}
}
