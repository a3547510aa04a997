package lint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// SimulatedRoots lists the directories (relative to the module root) whose
// packages run inside the simulator. Every package at or below each of them
// is linted, except testdata/ trees and _test.go files. To put new simulated
// code under the rules (a workload, a protocol), put it below one of these
// or add its directory here. cmd/, viz/, checker/ and scenarios/ are not
// simulated: they run outside the event loop and may use the host's clock,
// goroutines and maps freely.
var SimulatedRoots = []string{"sim", "nodes", "nemesis"}

// Package is one directory of Go source, parsed and type-checked.
type Package struct {
	Dir   string // absolute directory
	Path  string // import path used for type-checking
	Files []*ast.File
	Types *types.Package
	Info  *types.Info
	// Errors holds parse and type errors. Linting still runs on whatever
	// was understood, but a package with errors may hide violations.
	Errors []error
}

// ModuleRoot walks up from dir to the nearest directory holding go.mod.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("lint: no go.mod in %s or any parent", dir)
		}
		d = parent
	}
}

// modulePath reads the module path from root/go.mod.
func modulePath(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			p := strings.TrimSpace(rest)
			if unq, err := strconv.Unquote(p); err == nil {
				p = unq
			}
			return p, nil
		}
	}
	return "", fmt.Errorf("lint: %s/go.mod: no module line", root)
}

// SimulatedDirs returns, sorted, every directory under root's
// SimulatedRoots that holds non-test Go files. Roots that do not exist yet
// are skipped. testdata, hidden and _-prefixed directories and nested
// modules are not descended into.
func SimulatedDirs(root string) ([]string, error) {
	var dirs []string
	for _, r := range SimulatedRoots {
		top := filepath.Join(root, r)
		if _, err := os.Stat(top); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				return nil
			}
			if path != top {
				name := d.Name()
				if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			files, err := goFiles(path)
			if err != nil {
				return err
			}
			if len(files) > 0 {
				dirs = append(dirs, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(dirs)
	return dirs, nil
}

// goFiles lists the non-test .go files of dir that the default build
// context would compile (build tags and GOOS/GOARCH suffixes respected).
func goFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		match, err := build.Default.MatchFile(dir, name)
		if err != nil {
			return nil, err
		}
		if match {
			files = append(files, filepath.Join(dir, name))
		}
	}
	return files, nil
}

// Load parses and type-checks the packages in dirs (absolute paths inside
// the module rooted at root). Imports are resolved from compiler export
// data obtained with one `go list -export -deps` run in root, so only the
// linted packages themselves are type-checked from source. A package that
// fails to parse or type-check is still returned, with Errors set; err is
// reserved for failures of the loader itself.
func Load(fset *token.FileSet, root string, dirs []string) ([]*Package, error) {
	modPath, err := modulePath(root)
	if err != nil {
		return nil, err
	}
	pkgs := make([]*Package, 0, len(dirs))
	imports := map[string]bool{}
	for _, dir := range dirs {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return nil, err
		}
		pkg := &Package{Dir: dir, Path: modPath + "/" + filepath.ToSlash(rel)}
		files, err := goFiles(dir)
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				pkg.Errors = append(pkg.Errors, err)
			}
			if f == nil {
				continue
			}
			pkg.Files = append(pkg.Files, f)
			for _, imp := range f.Imports {
				if p, err := strconv.Unquote(imp.Path.Value); err == nil && p != "unsafe" && p != "C" {
					imports[p] = true
				}
			}
		}
		pkgs = append(pkgs, pkg)
	}

	exports, err := listExports(root, imports)
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

	for _, pkg := range pkgs {
		pkg.Info = &types.Info{
			Types: map[ast.Expr]types.TypeAndValue{},
			Uses:  map[*ast.Ident]types.Object{},
			Defs:  map[*ast.Ident]types.Object{},
		}
		const maxTypeErrors = 10
		var nTypeErrors int
		conf := types.Config{
			Importer: imp,
			Sizes:    types.SizesFor("gc", runtime.GOARCH),
			Error: func(err error) {
				nTypeErrors++
				if nTypeErrors <= maxTypeErrors {
					pkg.Errors = append(pkg.Errors, err)
				}
			},
		}
		pkg.Types, _ = conf.Check(pkg.Path, fset, pkg.Files, pkg.Info)
		if nTypeErrors > maxTypeErrors {
			pkg.Errors = append(pkg.Errors, fmt.Errorf("... and %d more type errors", nTypeErrors-maxTypeErrors))
		}
	}
	return pkgs, nil
}

// listedPackage is the part of `go list -json` output the loader reads.
type listedPackage struct {
	ImportPath string
	Export     string
	Error      *struct{ Err string }
}

// listExports runs `go list -e -export -deps` on the import paths and
// returns what it says about each package, keyed by import path.
func listExports(root string, imports map[string]bool) (map[string]listedPackage, error) {
	out := map[string]listedPackage{}
	if len(imports) == 0 {
		return out, nil
	}
	paths := slices.Sorted(maps.Keys(imports))
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	args := append([]string{"list", "-e", "-export", "-deps", "-json=ImportPath,Export,Error"}, paths...)
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("lint: go list -export failed: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("lint: reading go list output: %v", err)
		}
		out[p.ImportPath] = p
	}
	return out, nil
}
