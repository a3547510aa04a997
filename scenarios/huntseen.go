package scenarios

import "sort"

// firstSeen remembers the fault kinds and probes a hunt's runs have
// fired, so its progress reports each the first time only.
type firstSeen struct{ faults, probes map[string]bool }

func newFirstSeen() *firstSeen {
	return &firstSeen{faults: map[string]bool{}, probes: map[string]bool{}}
}

// add notes what o fired and returns what no earlier run had, sorted.
func (s *firstSeen) add(o *Outcome) (faults, probes []string) {
	for _, f := range o.Faults {
		if !s.faults[f] {
			s.faults[f] = true
			faults = append(faults, f)
		}
	}
	for _, p := range sortedKeys(o.Probes) {
		if o.Probes[p] > 0 && !s.probes[p] {
			s.probes[p] = true
			probes = append(probes, p)
		}
	}
	sort.Strings(faults)
	return faults, probes
}
