package cli_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/faultline/faultline/cmd/faultline/cli"
)

// Run is Main for tests: the arguments come without the program name and
// the exit code comes back.
func ExampleRun() {
	var out bytes.Buffer
	code := cli.Run(cli.Config{Name: "mytool", Stdout: &out, Stderr: &out}, []string{"help"})
	usage := strings.Split(out.String(), "\n")
	fmt.Println(code)
	fmt.Println(usage[0])
	fmt.Println(usage[3])
	// Output:
	// 0
	// mytool — deterministic simulation and fault injection for distributed systems
	//   mytool run FILE [--seed N | --seeds A..B] [--workers N] [--out ROOT] [--json]
}
