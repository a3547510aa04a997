// Package lint enforces Faultline's determinism rules on simulated code, as
// an ordinary test inside go test ./... (the model is cockroachdb/pebble's
// internal/lint): if simulated code can observe anything the seed does not
// control, a seed no longer reproduces its run, and every failure the
// simulator finds becomes a flake.
//
// # What is linted
//
// Every package at or below the directories in [SimulatedRoots] (sim/,
// nodes/ — protocols and workloads included — and nemesis/), minus _test.go
// files and testdata/ trees. cmd/, viz/, checker/ and scenarios/ run outside
// the event loop and are not linted. TestDeterminismRules lints the real
// tree and reports every violation, file:line:col, in one failure;
// TestFixtures proves each rule fires on the planted violations in
// testdata/src/bad and stays quiet on testdata/src/good.
//
// # The rules
//
// Each message names the rule and says what to use instead.
//
//   - wallclock: time.Now, Since, Until, Sleep, After, AfterFunc, NewTimer,
//     NewTicker and Tick read or wait on the host's clock. Use env.Now(),
//     env.Monotonic() and env.SetTimer: virtual time, advanced by the
//     simulator. (time.Duration, time.Time arithmetic and time.Unix are fine.)
//   - globalrand: the package-level functions of math/rand/v2 (rand.IntN,
//     rand.Shuffle, rand.N, ...) draw from a process-global, randomly seeded
//     source; importing math/rand (v1) or crypto/rand at all is banned. Use
//     env.Rand(), the node's own seeded stream. Building an explicitly seeded
//     generator, rand.New(rand.NewPCG(s1, s2)), is allowed.
//   - goroutine, select: handlers run atomically on the simulator's single
//     thread; the Go scheduler is not seeded. Use env.SetTimer and messages.
//   - maprange: ranging over a map (including a type parameter whose
//     constraint admits a map), over maps.Keys/Values/All, or with
//     reflect.Value's MapRange/MapKeys visits entries in an order that
//     changes from run to run. Iterate slices.Sorted(maps.Keys(m))
//     instead. Passing a maps iterator straight to slices.Sorted*,
//     maps.Collect or maps.Insert is accepted, since those erase the order.
//   - directive: a malformed, unknown or unattached //faultline: comment.
//
// # The escape hatch
//
// A map loop whose order provably cannot reach a decision, a message or the
// trace (summing, building another map or set, collecting keys to sort) may
// be marked on its own line or the line just above:
//
//	//faultline:orderless summing byte counts; addition commutes
//	for _, n := range sizes {
//		total += n
//	}
//
// The reason is mandatory; a directive with no reason, with a space after
// the slashes, or not attached to a map loop is itself a violation. There is
// no escape hatch for the other rules: code that needs the host's clock,
// goroutines or OS entropy does not belong in simulated packages.
//
// # How it works
//
// The linted packages are parsed with go/parser and type-checked with
// go/types (the map rule needs types, and type information also catches
// renamed and dot imports). Their imports are read from compiler export data
// found by a single `go list -e -export -deps` run, so no dependency outside
// the standard library is needed and the whole check takes well under a
// second once the build cache is warm. A package that fails to type-check is
// reported as such, and the rules still run on what was understood.
package lint
