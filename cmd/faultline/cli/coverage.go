package cli

import (
	"fmt"
	"io"

	"github.com/faultline/faultline/scenarios"
)

// writeCoverage prints a sweep's coverage: how many seeds saw each fault
// kind and probe fire, and what never did (scenarios.ProbeReport). It
// belongs at the end of writeSummary's statistics, where it replaces the
// one-line "faults fired" count.
func writeCoverage(w io.Writer, sc *scenarios.Scenario, s *scenarios.Summary) {
	if s.Seeds == 0 {
		return
	}
	fmt.Fprint(w, "\n"+scenarios.ProbeReport(s, sc))
}
