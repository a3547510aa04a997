package scenarios

// huntPCTShare is the share of a generated hunt's seeds that run under a
// PCT delivery schedule (swarm.pct; sim.Schedule), of depth 1..3.
const huntPCTShare = "1/4"
