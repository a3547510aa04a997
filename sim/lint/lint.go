package lint

import (
	"errors"
	"flag"
	"fmt"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// Report is what [Check] found.
type Report struct {
	// Violations lists every broken rule, sorted by position.
	Violations []Violation
	// Broken lists, by import path, the packages that did not load or
	// type-check. The rules still ran on what was understood, but a
	// broken package may hide violations, so a report with Broken
	// packages is not a clean bill of health.
	Broken []BrokenPackage
	// Packages lists the import paths of the packages checked, sorted.
	Packages []string
}

// Clean reports whether the report has no violations and no broken
// packages.
func (r Report) Clean() bool { return len(r.Violations) == 0 && len(r.Broken) == 0 }

// BrokenPackage is a package that did not load or type-check.
type BrokenPackage struct {
	Path   string  // import path
	Errors []error // go list, parse and type errors (at most ten type errors, then a count)
}

// Check lints the packages matched by the go-list-style patterns ("./...",
// "./proto/...", "example.com/x/proto"), resolved as the go command would
// in dir, a directory inside any Go module. No patterns means "./...". The
// packages' dependencies come from the module's own build (go list
// -export), so a module that builds can be checked, wherever it is.
//
// Mistakes in the input — dir is not inside a module, a pattern matches no
// package with Go files, go list fails — are errors prefixed "lint:". A
// package that does not type-check is not an error: it is listed in
// Report.Broken, and the rules still run on it.
func Check(dir string, patterns ...string) (Report, error) {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	for _, p := range patterns {
		if p == "" || strings.HasPrefix(p, "-") {
			// go list would take it for a flag (a flag such as -toolexec runs commands).
			return Report{}, fmt.Errorf("lint: %q is not a package pattern (flags go before the patterns)", p)
		}
	}
	abs, err := checkDir(dir)
	if err != nil {
		return Report{}, err
	}
	listed, err := resolve(abs, patterns)
	if err != nil {
		return Report{}, err
	}
	fset := token.NewFileSet()
	pkgs, err := load(fset, abs, listed)
	if err != nil {
		return Report{}, err
	}
	r := Report{Violations: checkPackages(fset, pkgs)}
	for _, p := range pkgs {
		r.Packages = append(r.Packages, p.Path)
		if len(p.Errors) > 0 {
			r.Broken = append(r.Broken, BrokenPackage{Path: p.Path, Errors: p.Errors})
		}
	}
	return r, nil
}

// Test runs [Check] on the patterns, resolved in the test's working
// directory (its package directory, so "./..." means this package and
// everything below it; import-path patterns such as "example.com/x/..."
// work from anywhere in the module). It reports every violation in one
// failure, and every broken package in another:
//
//	func TestDeterminism(t *testing.T) { lint.Test(t, "./...") }
func Test(t testing.TB, patterns ...string) {
	t.Helper()
	r, err := Check(".", patterns...)
	if err != nil {
		t.Fatal(err)
	}
	short := relativeTo(".")
	if len(r.Broken) > 0 {
		var b strings.Builder
		writeBroken(&b, r.Broken, short)
		t.Errorf("%s did not type-check, so the determinism lint may miss violations in %s (fix the package first):\n%s",
			plural(len(r.Broken), "package"), pronoun(len(r.Broken)), strings.TrimSuffix(b.String(), "\n"))
	}
	if len(r.Violations) > 0 {
		var b strings.Builder
		for _, v := range r.Violations {
			fmt.Fprintf(&b, "\n\t%s", format(v, short))
		}
		t.Errorf("%s (rules: %s):%s", plural(len(r.Violations), "determinism violation"), rulesDoc, b.String())
	}
}

// rulesDoc is where a reader of a report finds the rules.
const rulesDoc = "go doc github.com/faultline/faultline/sim/lint"

// The exit codes of [Main].
const (
	exitClean      = 0
	exitViolations = 1
	exitError      = 2
)

// Main is the vet command: args are the arguments after the command name
// (os.Args[2:] for `faultline vet`), in the form
//
//	vet [-C dir] [patterns...]
//
// It checks the patterns (default "./...") resolved in dir (default the
// working directory) and prints each violation to stdout as
// file:line:col: rule: message, with file names relative to the working
// directory when that is shorter, then a summary line. Usage and load
// errors, and packages that do not type-check, go to stderr.
//
// It returns the exit code: 0 when clean, 1 when there are violations, 2
// for a usage or load error, or when no violation was found but some
// package did not type-check (the result is then unknown, not clean).
func Main(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("vet", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("C", ".", "resolve the patterns in `dir`, a directory inside a Go module")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: vet [-C dir] [patterns...]\n\n"+
			"Checks the packages matched by the patterns (default ./...) against the\n"+
			"determinism rules of simulated code; see %s.\n"+
			"Exits 0 when clean, 1 on violations, 2 on usage or load errors.\n\n", rulesDoc)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	r, err := Check(*dir, flags.Args()...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	short := relativeTo(".")
	for _, v := range r.Violations {
		fmt.Fprintln(stdout, format(v, short))
	}
	if len(r.Broken) > 0 {
		fmt.Fprintf(stderr, "lint: %s did not type-check; violations in %s may be missed:\n", plural(len(r.Broken), "package"), pronoun(len(r.Broken)))
		writeBroken(stderr, r.Broken, short)
	}
	pkgs := plural(len(r.Packages), "package")
	switch {
	case len(r.Violations) > 0:
		fmt.Fprintf(stdout, "FAIL: %s in %s (rules: %s)\n", plural(len(r.Violations), "determinism violation"), pkgs, rulesDoc)
		return exitViolations
	case len(r.Broken) > 0:
		fmt.Fprintf(stdout, "UNKNOWN: no determinism violations found in %s, but %d did not type-check\n", pkgs, len(r.Broken))
		return exitError
	default:
		fmt.Fprintf(stdout, "ok: %s, no determinism violations\n", pkgs)
		return exitClean
	}
}

// format renders v as file:line:col: rule: message, with the file name
// passed through short.
func format(v Violation, short func(string) string) string {
	v.Pos.Filename = short(v.Pos.Filename)
	return v.String()
}

// writeBroken lists each broken package and its errors, one per line.
func writeBroken(w io.Writer, broken []BrokenPackage, short func(string) string) {
	for _, b := range broken {
		fmt.Fprintf(w, "\t%s:\n", b.Path)
		for _, err := range b.Errors {
			fmt.Fprintf(w, "\t\t%s\n", shortError(err, short))
		}
	}
}

// shortError renders a parse or type error with its file name passed
// through short.
func shortError(err error, short func(string) string) string {
	var pos token.Position
	var msg string
	var te types.Error
	var se scanner.Error
	var list scanner.ErrorList
	switch {
	case errors.As(err, &te):
		pos, msg = te.Fset.Position(te.Pos), te.Msg
	case errors.As(err, &list) && len(list) > 0:
		pos, msg = list[0].Pos, list[0].Msg
		if len(list) > 1 {
			msg += fmt.Sprintf(" (and %d more errors)", len(list)-1)
		}
	case errors.As(err, &se):
		pos, msg = se.Pos, se.Msg
	default:
		return err.Error()
	}
	pos.Filename = short(pos.Filename)
	return fmt.Sprintf("%s: %s", pos, msg)
}

// relativeTo returns a function that makes an absolute file name relative
// to dir when that is shorter, as the go command does.
func relativeTo(dir string) func(string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = ""
	}
	return func(name string) string {
		if abs == "" || !filepath.IsAbs(name) {
			return name
		}
		if rel, err := filepath.Rel(abs, name); err == nil && len(rel) < len(name) {
			return rel
		}
		return name
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
