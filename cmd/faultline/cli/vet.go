package cli

import (
	"errors"
	"io"
)

// vetMain is the determinism lint (package sim/lint's Main): it lints the
// Go packages named by args and returns the exit code. nil means the lint
// is not built in yet; wiring it is one line, vetMain = lint.Main.
var vetMain func(args []string, stdout, stderr io.Writer) int

// cmdVet runs the determinism lint over the user's packages, passing
// every argument (patterns and flags) through.
func (a *app) cmdVet(args []string) error {
	if vetMain == nil {
		return errors.New("the determinism lint is not built into this binary yet (it lands with package sim/lint)")
	}
	if code := vetMain(args, a.stdout, a.stderr); code != 0 {
		return exitError{code}
	}
	return nil
}
