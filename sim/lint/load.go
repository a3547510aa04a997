package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// pkg is one package of Go source, parsed and type-checked.
type pkg struct {
	Dir   string // absolute directory
	Path  string // import path used for type-checking
	Files []*ast.File
	Types *types.Package
	Info  *types.Info
	// Errors holds go list, parse and type errors. Linting still runs on
	// whatever was understood, but a package with errors may hide
	// violations.
	Errors []error
}

// moduleRoot walks up from dir to the nearest directory holding go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("lint: no go.mod in %s or any parent: Check lints packages of a Go module", dir)
		}
		d = parent
	}
}

// listedPackage is the part of `go list -json` output the loader reads.
type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Match      []string
	Export     string
	Error      *struct{ Err string }
}

// goList runs `go list -e -json=<fields> args...` in dir and decodes its
// output, in order.
func goList(dir, fields string, args ...string) ([]listedPackage, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goroot := runtime.GOROOT()
		if goroot == "" {
			return nil, fmt.Errorf("lint: the go command is needed to resolve packages: %v", err)
		}
		goCmd = filepath.Join(goroot, "bin", "go")
	}
	cmd := exec.Command(goCmd, append([]string{"list", "-e", "-json=" + fields}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("lint: go list in %s failed: %v\n%s", dir, err, strings.TrimSpace(stderr.String()))
	}
	var out []listedPackage
	dec := json.NewDecoder(&stdout)
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("lint: reading go list output: %v", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// resolve turns go-list-style patterns, resolved in dir, into the packages
// to lint, sorted by import path. A pattern that matches nothing, or that
// go list cannot resolve at all (no such directory, no module provides
// it), is an error: it is a mistake in the input, and linting nothing
// would look like a pass.
func resolve(dir string, patterns []string) ([]listedPackage, error) {
	listed, err := goList(dir, "ImportPath,Dir,GoFiles,CgoFiles,Match,Error", patterns...)
	if err != nil {
		return nil, err
	}
	matched := map[string]bool{}
	var pkgs []listedPackage
	var errs []error
	for _, p := range listed {
		switch {
		case p.Dir == "" && p.Error != nil:
			// The pattern itself did not resolve; go list says why.
			msg := strings.TrimSpace(p.Error.Err)
			if !strings.HasPrefix(msg, "pattern ") {
				msg = p.ImportPath + ": " + msg
			}
			errs = append(errs, errors.New("lint: "+msg))
		case len(p.GoFiles)+len(p.CgoFiles) == 0:
			continue // only _test.go files, or none for this build: nothing to lint
		default:
			pkgs = append(pkgs, p)
		}
		for _, m := range p.Match {
			matched[m] = true
		}
	}
	for _, pat := range patterns {
		if !matched[pat] && !matched[cleanPattern(pat)] {
			hint := ""
			if first, _, _ := strings.Cut(pat, "/"); !strings.HasPrefix(pat, ".") && !filepath.IsAbs(pat) && !strings.Contains(first, ".") {
				hint = " (a pattern for directories starts with ./, as in ./" + pat + ")"
			}
			errs = append(errs, fmt.Errorf("lint: pattern %q matches no packages with Go files in %s%s", pat, dir, hint))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(pkgs, func(a, b listedPackage) int { return strings.Compare(a.ImportPath, b.ImportPath) })
	return pkgs, nil
}

// cleanPattern puts a pattern in the canonical form go list reports in
// Match: cleaned, with a leading ./ kept (cmd/go's search.CleanPatterns).
func cleanPattern(p string) string {
	if rest, ok := strings.CutPrefix(p, "./"); ok {
		if c := path.Clean(rest); c != "." {
			return "./" + c
		}
		return "."
	}
	return path.Clean(p)
}

// load parses and type-checks the listed packages. Imports are resolved
// from compiler export data obtained with one `go list -export -deps` run
// in dir, so only the linted packages themselves are type-checked from
// source. A package that fails to parse or type-check is still returned,
// with Errors set; err is reserved for failures of the loader itself.
func load(fset *token.FileSet, dir string, listed []listedPackage) ([]*pkg, error) {
	pkgs := make([]*pkg, 0, len(listed))
	imports := map[string]bool{}
	for _, lp := range listed {
		p := &pkg{Dir: lp.Dir, Path: lp.ImportPath}
		if lp.Error != nil {
			p.Errors = append(p.Errors, errors.New(strings.TrimSpace(lp.Error.Err)))
		}
		for _, name := range slices.Concat(lp.GoFiles, lp.CgoFiles) {
			f, err := parser.ParseFile(fset, filepath.Join(lp.Dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				p.Errors = append(p.Errors, err)
			}
			if f == nil {
				continue
			}
			p.Files = append(p.Files, f)
			for _, imp := range f.Imports {
				if path, err := strconv.Unquote(imp.Path.Value); err == nil && path != "unsafe" && path != "C" {
					imports[path] = true
				}
			}
		}
		pkgs = append(pkgs, p)
	}

	exports, err := listExports(dir, imports)
	if err != nil {
		return nil, err
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		e, ok := exports[path]
		switch {
		case !ok:
			return nil, fmt.Errorf("not reported by go list")
		case e.Export == "" && e.Error != nil:
			return nil, fmt.Errorf("no export data: %s", strings.TrimSpace(e.Error.Err))
		case e.Export == "":
			return nil, fmt.Errorf("no export data (a dependency failed to compile?)")
		}
		return os.Open(e.Export)
	})

	for _, p := range pkgs {
		p.Info = &types.Info{
			Types: map[ast.Expr]types.TypeAndValue{},
			Uses:  map[*ast.Ident]types.Object{},
			Defs:  map[*ast.Ident]types.Object{},
		}
		const maxTypeErrors = 10
		var nTypeErrors int
		conf := types.Config{
			Importer:    imp,
			Sizes:       types.SizesFor("gc", runtime.GOARCH),
			FakeImportC: true,
			Error: func(err error) {
				nTypeErrors++
				if nTypeErrors <= maxTypeErrors {
					p.Errors = append(p.Errors, err)
				}
			},
		}
		p.Types, _ = conf.Check(p.Path, fset, p.Files, p.Info)
		if nTypeErrors > maxTypeErrors {
			p.Errors = append(p.Errors, fmt.Errorf("... and %d more type errors", nTypeErrors-maxTypeErrors))
		}
	}
	return pkgs, nil
}

// listExports runs `go list -e -export -deps` on the import paths and
// returns what it says about each package, keyed by import path.
func listExports(dir string, imports map[string]bool) (map[string]listedPackage, error) {
	out := map[string]listedPackage{}
	if len(imports) == 0 {
		return out, nil
	}
	paths := slices.Sorted(maps.Keys(imports))
	listed, err := goList(dir, "ImportPath,Export,Error", append([]string{"-export", "-deps"}, paths...)...)
	if err != nil {
		return nil, err
	}
	for _, p := range listed {
		out[p.ImportPath] = p
	}
	return out, nil
}

// checkDir makes dir absolute and checks that it is a directory inside a
// Go module.
func checkDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("lint: %v", err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("lint: directory %s does not exist", dir)
	case err != nil:
		return "", fmt.Errorf("lint: %v", err)
	case !fi.IsDir():
		return "", fmt.Errorf("lint: %s is not a directory", dir)
	}
	if _, err := moduleRoot(abs); err != nil {
		return "", err
	}
	return abs, nil
}
