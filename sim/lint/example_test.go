package lint_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/faultline/faultline/sim/lint"
)

// Check a package and walk the report. testdata/src/mapsend is a small
// protocol that sends to its peers in map order, reads the host's clock,
// draws from the global random source and starts a goroutine.
func ExampleCheck() {
	report, err := lint.Check(".", "./testdata/src/mapsend")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range report.Violations {
		fmt.Printf("%s:%d:%d: %s\n", filepath.Base(v.Pos.Filename), v.Pos.Line, v.Pos.Column, v.Rule)
	}
	fmt.Println("clean:", report.Clean())
	// Output:
	// mapsend.go:29:33: wallclock
	// mapsend.go:29:52: globalrand
	// mapsend.go:30:2: maprange
	// mapsend.go:33:2: goroutine
	// clean: false
}

// Main is the vet command; `faultline vet ./...` runs it.
func ExampleMain() {
	code := lint.Main([]string{"./testdata/src/mapsend"}, os.Stdout, os.Stderr)
	fmt.Println("exit status", code)
	// Output:
	// testdata/src/mapsend/mapsend.go:29:33: wallclock: time.Now reads or waits on the host's clock, not virtual time; use env.Now()/env.Monotonic()/env.SetTimer instead
	// testdata/src/mapsend/mapsend.go:29:52: globalrand: rand.IntN draws from the process-global random source; use env.Rand() (the node's seeded math/rand/v2 stream) instead
	// testdata/src/mapsend/mapsend.go:30:2: maprange: range over map[github.com/faultline/faultline/nodes.ID]bool visits entries in random order; iterate sorted keys instead (slices.Sorted(maps.Keys(m))), or mark the loop //faultline:orderless <why>
	// testdata/src/mapsend/mapsend.go:33:2: goroutine: go statement: a goroutine's scheduling is not controlled by the seed; handlers run atomically on the simulator's single thread; use env.SetTimer / messages instead
	// FAIL: 4 determinism violations in 1 package (rules: go doc github.com/faultline/faultline/sim/lint)
	// exit status 1
}
