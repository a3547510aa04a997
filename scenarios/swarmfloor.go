package scenarios

import "time"

// SwarmTimeoutFloor is the shortest client timeout a swarm seed of sc may
// draw (swarm.timeout): twice NodeKind.RoundTrips round trips at the
// seed's slowest link and disk (2 × latency max + sync latency max each).
// A drawn timeout below it is raised to it. Zero for a kind that declares
// no RoundTrips, or an unregistered one.
//
// Without it a three-phase protocol is failed on liveness for no bug of
// its own: the generic hunt of the correct ABD drew, at seed 70, 13ms
// links, 27ms syncs and a 165ms timeout, and every write of one client —
// four round trips, about 165ms on a quiet network — timed out to the end
// of the heal.
func SwarmTimeoutFloor(sc *Scenario) time.Duration {
	nk := reg.nodes[sc.Cluster.Node]
	if nk == nil || nk.RoundTrips <= 0 {
		return 0
	}
	rt := 2*sc.Network.Latency.Max + sc.Disk.SyncLatency.Max
	return roundDur(2 * time.Duration(nk.RoundTrips) * rt)
}
