// Command faultline runs deterministic fault-injection scenarios against
// distributed protocols, replays failing seeds, checks histories, and shows
// traces. Run `faultline help` for the commands; package cli is the same
// command for a binary built around your own protocol.
package main

import (
	"os"

	"github.com/faultline/faultline/cmd/faultline/cli"
	"github.com/faultline/faultline/internal/stock"
)

func main() {
	os.Exit(cli.Main(cli.Config{
		Name:      "faultline",
		Nodes:     stock.Nodes(),
		Workloads: stock.Workloads(),
		Demo:      cli.FaultlineDemo(),
	}))
}
