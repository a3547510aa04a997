// Package cli is the faultline command as a library, so a binary built
// around your own protocol gets the same commands: demo, run, replay,
// shrink, hunt, check, viz, plot, list and vet.
//
// # Your own binary
//
// Hand Config your node kinds and workloads and name the binary; every
// command it prints (reproduce lines, viewer commands, usage, the
// artifacts of a sweep) uses that name:
//
//	package main
//
//	import (
//		"os"
//
//		"example.com/mykv/mykvkind"
//		"github.com/faultline/faultline/cmd/faultline/cli"
//		"github.com/faultline/faultline/nodes/kv/kvkind"
//		"github.com/faultline/faultline/scenarios"
//	)
//
//	func main() {
//		os.Exit(cli.Main(cli.Config{
//			Name:      "mykv-sim",
//			Nodes:     []scenarios.NodeKind{mykvkind.Kind()},
//			Workloads: kvkind.Workloads(),
//		}))
//	}
//
// examples/cmd/pbkv is a complete one, walked through in the README's
// "Writing a protocol".
//
// Give Config.Demo a DemoConfig with an embedded scenario to get a demo
// command; the stock faultline binary uses FaultlineDemo.
//
// # Exit codes
//
// Main and Run return the scenarios.Exit* codes: 0 all valid, 1 a safety
// violation, 2 bad input or usage, 3 a liveness failure, 4 a node panic,
// 5 an unknown verdict (a checker ran out of budget), 6 a crash of the
// command itself (a panic outside node code, reported with its stack);
// 130 when a sweep was interrupted.
package cli
