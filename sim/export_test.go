package sim

// CPUTime is cpuTime for the external benchmarks (package sim_test).
var CPUTime = cpuTime
