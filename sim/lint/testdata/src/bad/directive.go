package bad

func directives(m map[int]int) (n int) {
	//faultline:orderless
	for k := range m {
		n += k
	}
	// faultline:orderless summing commutes
	for _, v := range m {
		n += v
	}
	//faultline:unordered summing commutes
	n++
	//faultline:orderless nothing below is a map range
	n++
	return n
}
