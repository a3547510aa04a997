// Command pbkv is the faultline command for the primary-backup KV example:
// run, replay, shrink, check, viz, plot, list, vet and demo, with the pbkv
// node kind and the stock kv workloads.
package main

import (
	"os"

	"github.com/faultline/faultline/cmd/faultline/cli"
	"github.com/faultline/faultline/examples/pbkv/pbkvkind"
	pbkvscenarios "github.com/faultline/faultline/examples/scenarios"
	"github.com/faultline/faultline/nodes/kv/kvkind"
	"github.com/faultline/faultline/scenarios"
)

func main() { os.Exit(cli.Main(config())) }

// config is the binary: its name, protocol, workloads and demo.
func config() cli.Config {
	return cli.Config{
		Name:      "pbkv",
		Nodes:     []scenarios.NodeKind{pbkvkind.Kind()},
		Workloads: kvkind.Workloads(),
		Demo:      &cli.DemoConfig{Name: pbkvscenarios.DemoName, Scenario: pbkvscenarios.Demo},
	}
}
