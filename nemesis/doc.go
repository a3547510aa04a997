// Package nemesis is the part of Faultline that makes things go wrong: it
// injects the classic distributed-systems faults into a simulated world,
// as data, on a schedule, within a recoverability budget, and visibly.
//
// # Faults are data
//
// A [Fault] is a value with a canonical text form: "partition majority",
// "drop 1/10 n1->n3", "clock-jump n2 -300ms", "crash one". [Parse] reads
// the text back to an equal value, so the same string works in a scenario
// YAML file, in a Go test, in the trace and in a repro line. The grammar and
// every kind, with an example each, are in docs/FAULTS.md; [Kinds] and
// [Syntax] list them. Each kind lives in its own file (partition.go,
// link.go, clock.go, process.go, disk.go, heal.go) and is one line of the
// registry in fault.go.
//
// # Targets are resolved late
//
// Faults name their victims in a small vocabulary — one, minority,
// majority, all, leader, or explicit ids such as n1,n3 — and links as
// A->B (one way) or A<->B. Abstract targets are resolved when the fault
// starts, against the world as it is then (a crash picks among running
// servers; leader asks nodes.LeaderReporter), drawing only from the nemesis
// streams. The resolution is shown next to the text in the trace: "crash
// one [n2]". A fault that cannot start (no leader yet) is skipped and
// recorded, not an error: simulated faults are trace events, never Go
// errors.
//
// # Streams
//
// Every random choice the nemesis makes comes from a stream derived from
// the run's seed by name ([Stream]): each fault kind resolves its targets
// from its own stream, and the generator draws gaps, durations, kinds and
// each kind's parameters from separate streams. Changing one knob, or
// adding a step of one kind, leaves every other draw as it was — which is
// what lets a failing run be shrunk step by step.
//
// # Schedules
//
// A [Schedule] is a list of [Step]s ("at 5s for 10s: partition majority"),
// written by hand ([ParseSchedule]) or drawn from the seed ([Generate]),
// optionally in swarm mode, which draws the enabled kinds and their
// intensity from the seed as well so that a sweep explores many fault
// mixes. [Install] puts a schedule into a world: each step starts and
// stops at its virtual time, and at Options.HealAt every fault is undone
// and the world swept back to health (crashed servers restarted, paused
// ones resumed, disks disarmed, clocks back in sync) before a quiet period
// in which the caller judges liveness.
//
// # The recoverability budget
//
// A red run must mean a real bug, not an impossible environment. By
// default the nemesis never lets more than f = (n-1)/2 servers be down at
// once — crashed, paused, disk-faulted, or cut off from a majority — and
// skips a fault that would go beyond (see budget.go). Options.Unbounded
// lifts the budget; Options.MaxDown changes it.
//
// # Visibility
//
// Each start and stop is a trace event (trace.FaultStart, trace.FaultStop;
// Type is the kind, Text the fault's text with its resolution, Node the one
// server hit if there is one), and every skip a trace.Mark of type
// trace.MarkNemesisSkip. [Nemesis.Windows] returns the same information as
// windows of virtual time, ready to become the nemesis entries of a client
// history.
package nemesis
