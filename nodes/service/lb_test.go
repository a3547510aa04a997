package service_test

import (
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/resilience"
	"github.com/faultline/faultline/nodes/service"
	"github.com/faultline/faultline/sim"
)

// lbWorld: n1 balances over n2..n4 (2ms of work each); n2 is 20x slow;
// two clients at 100/s each go through n1. It returns how many requests
// each backend served and the balancer.
func lbWorld(t *testing.T, cfg service.LBConfig) (served map[nodes.ID]int, lb *service.LB, ok int) {
	t.Helper()
	cfg.Backends = []nodes.ID{2, 3, 4}
	servers := map[nodes.ID]*service.Server{}
	server := service.New(service.Config{Work: 2 * time.Millisecond})
	balancer := service.NewLB(cfg)
	var clients []*service.Client
	cf := service.Workload{RatePerSecond: 100, Target: 1, Policy: service.Policy{Timeout: time.Second, AttemptTimeout: 500 * time.Millisecond, MaxAttempts: 1,
		Backoff: resilience.Backoff{Base: time.Millisecond, Max: time.Millisecond}}}.Factory()
	w, err := sim.New(sim.Config{Seed: 3, Nodes: 4, Clients: 2,
		Node: func(id nodes.ID) nodes.Node {
			if id == 1 {
				lb = balancer(id).(*service.LB)
				return lb
			}
			s := server(id).(*service.Server)
			servers[id] = s
			return s
		},
		Client: func(id nodes.ID) nodes.Node { c := cf(id).(*service.Client); clients = append(clients, c); return c }})
	if err != nil {
		t.Fatal(err)
	}
	w.SetServiceFactor(2, sim.Times(20))
	w.Run(5 * time.Second)
	served = map[nodes.ID]int{}
	for id, s := range servers {
		served[id] = s.Served()
	}
	for _, c := range clients {
		ok += c.Stats().OK
	}
	return served, lb, ok
}

func TestBalancePolicies(t *testing.T) {
	cases := []struct {
		name string
		cfg  service.LBConfig
		// successes out of ~1000 requests (n2 can serve 25/s: what the
		// balancer sends it beyond that times out)
		okMin, okMax int
		ejected      bool
	}{
		{"round robin sends the slow one its third", service.LBConfig{Balance: service.RoundRobin, ForwardTimeout: time.Second}, 600, 750, false},
		{"least outstanding steers around it", service.LBConfig{Balance: service.LeastOutstanding, ForwardTimeout: time.Second}, 970, 1000, false},
		{"p2c steers around it", service.LBConfig{Balance: service.PowerOfTwo, ForwardTimeout: time.Second}, 970, 1000, false},
		{"health checks take it out part of the time", service.LBConfig{Balance: service.RoundRobin, ForwardTimeout: time.Second,
			HealthInterval: 50 * time.Millisecond, HealthTimeout: 100 * time.Millisecond}, 720, 900, false},
		{"outlier ejection takes it out", service.LBConfig{Balance: service.RoundRobin, ForwardTimeout: 50 * time.Millisecond,
			EjectAfter: 2, EjectFor: time.Second}, 900, 1000, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			served, lb, ok := lbWorld(t, c.cfg)
			if ok < c.okMin || ok > c.okMax {
				t.Errorf("%d requests ok (want %d..%d); served %v", ok, c.okMin, c.okMax, served)
			}
			if ej := lb.Ejections(); (ej[0] > 0) != c.ejected || ej[1]+ej[2] > 0 && !c.ejected {
				t.Errorf("ejections %v (want n2 ejected: %v, others never)", ej, c.ejected)
			}
		})
	}
}

func TestLBConfigErrors(t *testing.T) {
	for _, c := range []service.LBConfig{
		{Balance: service.RoundRobin, ForwardTimeout: time.Second},
		{Balance: 9, Backends: []nodes.ID{2}, ForwardTimeout: time.Second},
		{Balance: service.PowerOfTwo, Backends: []nodes.ID{2}},
		{Balance: service.PowerOfTwo, Backends: []nodes.ID{2}, ForwardTimeout: time.Second, HealthInterval: time.Second},
		{Balance: service.PowerOfTwo, Backends: []nodes.ID{2}, ForwardTimeout: time.Second, EjectAfter: 2},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	for _, n := range service.BalanceNames() {
		if b, err := service.ParseBalance(n); err != nil || b.String() != n {
			t.Errorf("%q: %v %v", n, b, err)
		}
	}
}
