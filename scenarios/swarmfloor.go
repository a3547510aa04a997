package scenarios

import "time"

// SwarmTimeoutFloor is the shortest client timeout a swarm seed of sc may
// draw (swarm.timeout): twice NodeKind.RoundTrips round trips at the
// seed's slowest link and disk (2 × latency max + sync latency max each),
// plus, for a kind that runs one operation per key at a time, twice
// NodeKind.KeyRoundTrips for every other client that may share the key
// (the clients per key, rounded up, less one). A drawn timeout below it is
// raised to it. Zero for a kind that declares no RoundTrips, or an
// unregistered one.
//
// Without it a three-phase protocol is failed on liveness for no bug of
// its own: the generic hunt of the correct ABD drew, at seed 70, 13ms
// links, 27ms syncs and a 165ms timeout, and every write of one client —
// four round trips, about 165ms on a quiet network — timed out to the end
// of the heal. Without the queue term the correct Dynamo failed the same
// way at hunt seed 7000125 (a hot key: six clients, one key, a 478ms
// timeout on 18ms links and 25ms syncs): its operations wait in the key's
// queue, each client gave up on every write before its turn came, and no
// write succeeded after the heal.
func SwarmTimeoutFloor(sc *Scenario) time.Duration {
	nk := reg.nodes[sc.Cluster.Node]
	if nk == nil || nk.RoundTrips <= 0 {
		return 0
	}
	rt := 2*sc.Network.Latency.Max + sc.Disk.SyncLatency.Max
	trips := nk.RoundTrips
	if w := sc.Workload; nk.KeyRoundTrips > 0 && w.Keys > 0 && w.Clients > w.Keys {
		trips += nk.KeyRoundTrips * ((w.Clients+w.Keys-1)/w.Keys - 1)
	}
	return roundDur(2 * time.Duration(trips) * rt)
}
