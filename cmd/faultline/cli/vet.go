package cli

import (
	"errors"
	"io"

	"github.com/faultline/faultline/sim/lint"
)

// vetMain is the determinism lint (package sim/lint's Main): it lints the
// Go packages named by args and returns the exit code. A variable so that
// tests can observe what the command passes through.
var vetMain func(args []string, stdout, stderr io.Writer) int = lint.Main

// cmdVet runs the determinism lint over the user's packages, passing
// every argument (patterns and flags) through.
func (a *app) cmdVet(args []string) error {
	if vetMain == nil {
		return errors.New("the determinism lint is not built into this binary")
	}
	if code := vetMain(args, a.stdout, a.stderr); code != 0 {
		return exitError{code}
	}
	return nil
}
