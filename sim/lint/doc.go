// Package lint enforces Faultline's determinism rules on simulated code —
// Faultline's own and yours — as an ordinary test inside go test ./... (the
// model is cockroachdb/pebble's internal/lint), or as the `faultline vet`
// command. If simulated code can observe anything the seed does not
// control, a seed no longer reproduces its run, and every failure the
// simulator finds becomes a flake.
//
// # Linting your own protocol
//
// One line in a test of your module, at its root, checks every package
// below it:
//
//	func TestDeterminism(t *testing.T) { lint.Test(t, "./...") }
//
// [Test] reports every violation, file:line:col, in one failure. From the
// shell, `faultline vet ./...` does the same through [Main]. [Check] is the
// function under both: it takes go-list-style patterns, resolved in any
// directory of any Go module (yours needs Faultline only as a dependency),
// and returns a [Report]. Put only simulated code under the patterns —
// node code, workloads, fault injectors — not commands or test harnesses,
// which may use the host's clock and goroutines freely. _test.go files and
// testdata/ trees are never linted.
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
// The rules are about the order in which code acts, not about what it
// sends: a message with pointer, slice or map fields is fine to pass to
// env.Send (the simulator deep-copies it), as long as nothing iterates a
// map to build or address it.
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
// # Seeded entropy
//
// One narrow exception exists for an unmodifiable library that draws from
// crypto/rand.Reader (etcd raft's election timeouts): a file may import
// crypto/rand if the import carries, on its line or the line above,
//
//	//faultline:seeded-entropy <reason: who reads the Reader, how the swap is bounded>
//
// and then use nothing of crypto/rand but the Reader variable, to swap in a
// reader drawing from env.Rand() for the length of a call. rand.Read,
// rand.Int and the rest stay violations in that file; a dot import is not
// allowed; the directive without a reason or attached to no crypto/rand
// import is a violation (see nodes/etcdraft/entropy.go).
//
// # Results and errors
//
// A mistake in the input — a directory outside any Go module, a pattern
// that matches no package with Go files — is an error prefixed "lint:". A
// package that does not type-check is not an error but a [BrokenPackage] in
// the report: the rules still run on what was understood, but may miss
// violations, so the result is unknown rather than clean. [Main] exits 0
// when clean, 1 on violations, and 2 on usage and load errors or when the
// only findings are broken packages.
//
// # What Faultline lints
//
// This module's own test, TestDeterminismRules, lints every package below
// sim/, nodes/ (protocols and workloads) and nemesis/; cmd/, viz/,
// checker/ and scenarios/ run outside the event loop and are not linted.
// This package sits below sim/ and so lints itself, although it never runs
// in the simulator: it complies (it needs no clock, goroutines, select or
// randomness, and sorts what it collects from maps), so no exception is
// carved out. TestFixtures proves each rule fires on the planted
// violations in testdata/src/bad and stays quiet on testdata/src/good.
//
// # How it works
//
// One `go list` run resolves the patterns to packages, which are parsed
// with go/parser and type-checked with go/types (the map rule needs types,
// and type information also catches renamed and dot imports). Their
// imports are read from compiler export data found by a second `go list
// -e -export -deps` run, so the go command must be on PATH, no dependency
// outside the standard library is needed, and a check takes well under a
// second once the build cache is warm.
package lint
