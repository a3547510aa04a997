package pbkvkind_test

import (
	"testing"

	"github.com/faultline/faultline/scenarios/faultlinetest"
)

// BenchmarkPartitions measures pbkv in the simulator — events/s,
// dilation, cpu-dilation, allocations and bytes per trace event — on the
// library scenario, one seed per iteration, from outside Faultline's
// module: the one line a protocol author adds.
//
//	go test ./pbkv/pbkvkind -run '^$' -bench Partitions -benchtime 5x -count 6
func BenchmarkPartitions(b *testing.B) {
	faultlinetest.Bench(b, faultlinetest.Load(b, "../../scenarios/pbkv-partitions.yaml"))
}
