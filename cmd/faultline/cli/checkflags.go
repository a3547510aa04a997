package cli

import (
	"flag"
	"fmt"
	"time"

	"github.com/faultline/faultline/checker"
	"github.com/faultline/faultline/scenarios"
)

// checkBudget is the linearizability checker's budget as the commands
// that check take it: model steps (deterministic: the verdict is the same
// on any machine) and a wall-clock ceiling (a last resort).
type checkBudget struct {
	steps   *int64
	memory  *string
	ceiling *time.Duration

	memoryBytes *int64
}

func addCheckFlags(fs *flag.FlagSet, ceilingName string) checkBudget {
	return checkBudget{
		steps:       fs.Int64("check-steps", checker.DefaultSteps, "search budget of each linearizability check, in model steps (out of budget is Unknown, the same on any machine)"),
		memory:      fs.String("check-memory", formatBytes(checker.DefaultMemoryBytes), "memory bound of each linearizability check's search: the bytes of the search states it keeps, counted, not measured (out of it is Unknown, the same on any machine); the process peaks at about 1.5× this per partition searched at once"),
		memoryBytes: new(int64),
		ceiling:     fs.Duration(ceilingName, checker.DefaultBudget, "wall-clock ceiling of each linearizability check, a last resort (its Unknown says it depends on the machine)"),
	}
}

func (b checkBudget) validate(ceilingName string) error {
	if *b.steps <= 0 {
		return usageError{fmt.Sprintf("--check-steps %d: want a positive number of model steps", *b.steps)}
	}
	n, err := parseBytes(*b.memory)
	if err != nil {
		return usageError{fmt.Sprintf("--check-memory %v", err)}
	}
	*b.memoryBytes = n
	if *b.ceiling <= 0 {
		return usageError{fmt.Sprintf("--%s %v: want a positive time budget", ceilingName, *b.ceiling)}
	}
	return nil
}

func (b checkBudget) runOptions(o scenarios.RunOptions) scenarios.RunOptions {
	o.CheckSteps, o.CheckMemoryBytes, o.CheckBudget = *b.steps, *b.memoryBytes, *b.ceiling
	return o
}
