package raftkv

// quorumValue returns the value that at least quorum of vals reach (the
// quorum-th largest), sorting vals in place: an insertion sort, which for
// a cluster's handful of values is cheaper than slices.Sort's dispatch.
func quorumValue(vals []uint64, quorum int) uint64 {
	for i := 1; i < len(vals); i++ {
		v, j := vals[i], i
		for ; j > 0 && vals[j-1] > v; j-- {
			vals[j] = vals[j-1]
		}
		vals[j] = v
	}
	return vals[len(vals)-quorum]
}
