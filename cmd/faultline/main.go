// Command faultline runs deterministic fault-injection scenarios against
// distributed protocols, replays failing seeds, checks histories, and shows
// traces. Run `faultline help` for the commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/faultline/faultline/scenarios"
)

const usage = `faultline — deterministic simulation and fault injection for distributed systems

Usage:
  faultline demo                             run the embedded default scenario over 200 seeds
  faultline run FILE [--seed N | --seeds A..B] [--workers N] [--out DIR] [--json]
  faultline replay FILE --seed N [--out DIR]   one seed, full trace written, verdict explained
  faultline shrink FILE --seed N [--out DIR] [--budget 60s]
                                             reduce a failing seed to a small scripted scenario
  faultline check HISTORY [--timeout 10s] [--html FILE]
                                             check a history (Faultline JSON, Jepsen etcd log, Porcupine kv log)
  faultline viz TRACE [--text] [--highlight …]   the terminal timeline
  faultline plot TRACE|RESULTS --out FILE.png|.svg [--kind latency|availability|sweep]
  faultline list                             registered nodes, faults, workloads and checks

Exit codes: 0 all valid · 1 safety violation · 2 bad input or usage · 3 liveness failure
            4 node panic · 5 unknown verdict (a checker ran out of budget)
`

// usageError marks errors that should print the usage and exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries a non-zero exit code without being an error to report.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	if os.Getenv("GOGC") == "" {
		// A simulation allocates fast but keeps little alive: collecting
		// less often buys 25–60% of throughput for a few tens of MB.
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return scenarios.ExitUsage
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) error{
		"demo":   cmdDemo,
		"run":    cmdRun,
		"replay": cmdReplay,
		"shrink": cmdShrink,
		"check":  cmdCheck,
		"viz":    cmdViz,
		"plot":   cmdPlot,
		"list":   cmdList,
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "faultline: unknown command %q\n\n%s", name, usage)
		return scenarios.ExitUsage
	}
	err := cmd(args[1:], stdout, stderr)
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "faultline %s: %s\n(faultline %s -h lists its flags; faultline help lists the commands)\n", name, ue.msg, name)
		return scenarios.ExitUsage
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintf(stderr, "faultline %s: %v\n", name, err)
		return scenarios.ExitUsage
	}
}

// helpOut remembers where each command's -h output goes.
var helpOut = map[*flag.FlagSet]io.Writer{}

// newFlags makes a flag set that reports errors as usage errors (printed
// once, by run) and prints its flags for -h.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // errors are printed once, by run; -h by parseInterleaved
	helpOut[fs] = stderr
	return fs
}

// parseInterleaved parses flags that may come before or after positional
// arguments (faultline run FILE --seed 3 and faultline run --seed 3 FILE).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				out := helpOut[fs]
				fmt.Fprintf(out, "flags of faultline %s:\n", fs.Name())
				fs.SetOutput(out)
				fs.PrintDefaults()
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
