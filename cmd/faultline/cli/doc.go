// Package cli is the faultline command as a library, so a binary built
// around your own protocol gets the same commands: demo, run, replay,
// shrink, check, viz, plot, list and vet.
//
// # Your own binary
//
// Register your node kinds in Config.Register and name the binary; every
// command it prints (reproduce lines, viewer commands, usage) uses that
// name:
//
//	package main
//
//	import (
//		"os"
//
//		"github.com/faultline/faultline/cmd/faultline/cli"
//		"example.com/mykv"
//	)
//
//	func main() {
//		os.Exit(cli.Main(cli.Config{Name: "mykv-sim", Register: mykv.Register}))
//	}
//
// Give Config.Demo a DemoConfig with an embedded scenario to get a demo
// command; the stock faultline binary uses FaultlineDemo.
//
// # Exit codes
//
// Main and Run return the scenarios.Exit* codes: 0 all valid, 1 a safety
// violation, 2 bad input or usage, 3 a liveness failure, 4 a node panic,
// 5 an unknown verdict (a checker ran out of budget); 130 when a sweep
// was interrupted.
package cli
