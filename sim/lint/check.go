package lint

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strconv"
)

// Violation is one broken rule at one place.
type Violation struct {
	// Pos is where: an absolute file name, line and column.
	Pos token.Position
	// Rule is the rule broken.
	Rule Rule
	// Message says what is wrong and, for every rule but RuleDirective,
	// what to use instead.
	Message string
}

// String renders file:line:col: rule: message.
func (v Violation) String() string {
	return fmt.Sprintf("%s: %s: %s", v.Pos, v.Rule, v.Message)
}

// checkPackages lints the packages and returns every violation, sorted by
// position. It uses whatever type information load produced; a package
// with type errors is still checked as far as it was understood.
func checkPackages(fset *token.FileSet, pkgs []*pkg) []Violation {
	var out []Violation
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			c := &fileChecker{fset: fset, pkg: pkg, hatches: map[int]*hatch{}, entropy: map[int]*hatch{}}
			c.file(f)
			out = append(out, c.out...)
		}
	}
	slices.SortFunc(out, func(a, b Violation) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Rule, b.Rule),
		)
	})
	return out
}

// hatch is one //faultline:orderless comment in a file.
type hatch struct {
	pos  token.Pos
	used bool
}

// fileChecker lints one file.
type fileChecker struct {
	fset    *token.FileSet
	pkg     *pkg
	hatches map[int]*hatch // by line
	// entropy holds the //faultline:seeded-entropy comments by line;
	// seeded is set when one allowed this file's import of crypto/rand.
	entropy map[int]*hatch
	seeded  bool
	out     []Violation
}

func (c *fileChecker) report(pos token.Pos, rule Rule, format string, args ...any) {
	c.out = append(c.out, Violation{Pos: c.fset.Position(pos), Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (c *fileChecker) line(pos token.Pos) int { return c.fset.Position(pos).Line }

func (c *fileChecker) file(f *ast.File) {
	for _, cg := range f.Comments {
		for _, cm := range cg.List {
			d, ok, err := parseDirective(cm.Text)
			switch {
			case !ok:
			case err != nil:
				c.report(cm.Pos(), RuleDirective, "%v", err)
			case d.name == DirectiveOrderless:
				c.hatches[c.line(cm.Pos())] = &hatch{pos: cm.Pos()}
			case d.name == DirectiveSeededEntropy:
				c.entropy[c.line(cm.Pos())] = &hatch{pos: cm.Pos()}
			}
		}
	}

	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		if path == "crypto/rand" && (imp.Name == nil || imp.Name.Name != ".") && c.seededEntropy(imp.Pos()) {
			c.seeded = true
			continue
		}
		if why, banned := bannedImports[path]; banned {
			c.report(imp.Pos(), RuleGlobalRand, "import %q: %s; %s", path, why, adviceRand)
		}
	}

	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		var parent ast.Node
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		descend := c.node(n, parent)
		if descend {
			stack = append(stack, n)
		}
		return descend
	})

	lines := make([]int, 0, len(c.hatches))
	for l := range c.hatches { //faultline:orderless collecting keys to sort
		lines = append(lines, l)
	}
	slices.Sort(lines)
	for _, l := range lines {
		if h := c.hatches[l]; !h.used {
			c.report(h.pos, RuleDirective, "//%s%s is not on or just above a map range or map iterator call; remove it", directivePrefix, DirectiveOrderless)
		}
	}
	for _, l := range slices.Sorted(maps.Keys(c.entropy)) {
		if h := c.entropy[l]; !h.used {
			c.report(h.pos, RuleDirective, "//%s%s is not on or just above an import of crypto/rand; remove it", directivePrefix, DirectiveSeededEntropy)
		}
	}
}

// seededEntropy reports whether a //faultline:seeded-entropy comment sits
// on the line of pos or the line before, marking it used.
func (c *fileChecker) seededEntropy(pos token.Pos) bool {
	l := c.line(pos)
	for _, hl := range []int{l, l - 1} {
		if h, ok := c.entropy[hl]; ok {
			h.used = true
			return true
		}
	}
	return false
}

// cryptoRandUse reports a use of crypto/rand other than its Reader
// variable in a file whose import of it a seeded-entropy directive allowed.
func (c *fileChecker) cryptoRandUse(id *ast.Ident, at token.Pos) bool {
	if !c.seeded {
		return false
	}
	obj := c.pkg.Info.Uses[id]
	if obj == nil || obj.Pkg() == nil || obj.Pkg().Path() != "crypto/rand" || obj.Parent() != obj.Pkg().Scope() {
		return false
	}
	if _, isVar := obj.(*types.Var); isVar && obj.Name() == "Reader" {
		return false
	}
	c.report(at, RuleGlobalRand, "crypto/rand.%s under //%s%s: only the Reader variable may be used (swapped for a seeded reader); %s", obj.Name(), directivePrefix, DirectiveSeededEntropy, adviceRand)
	return true
}

// node checks one AST node and says whether to look inside it.
func (c *fileChecker) node(n, parent ast.Node) bool {
	info := c.pkg.Info
	switch n := n.(type) {
	case *ast.GoStmt:
		c.report(n.Pos(), RuleGoroutine, "go statement: a goroutine's scheduling is not controlled by the seed; %s", adviceThread)
	case *ast.SelectStmt:
		c.report(n.Pos(), RuleSelect, "select statement: it picks among ready cases at random and blocks on real time; %s", adviceThread)
	case *ast.RangeStmt:
		if t := info.TypeOf(n.X); isMap(t) {
			if !c.orderless(n.For) {
				c.report(n.For, RuleMapRange, "range over %s visits entries in random order; %s",
					types.TypeString(t, types.RelativeTo(c.pkg.Types)), adviceMapIter)
			}
		}
	case *ast.CallExpr:
		if fn := calleeFunc(info, n); isPkgFunc(fn, "maps", "Keys", "Values", "All") && !sortsOrCollectsToMap(info, n, parent) {
			if !c.orderless(n.Pos()) {
				c.report(n.Pos(), RuleMapRange, "maps.%s yields entries in random order; %s", fn.Name(), adviceMapIter)
			}
		}
		if fn := calleeFunc(info, n); isReflectMapIter(fn) && !c.orderless(n.Pos()) {
			c.report(n.Pos(), RuleMapRange, "reflect.Value.%s walks the map in random order; %s", fn.Name(), adviceMapIter)
		}
	case *ast.SelectorExpr:
		if c.bannedUse(n.Sel, n.Pos()) || c.cryptoRandUse(n.Sel, n.Pos()) {
			return false
		}
	case *ast.Ident:
		// A dot-imported banned function (import . "time"; Now()).
		c.bannedUse(n, n.Pos())
	}
	return true
}

// bannedUse reports id if it refers to a banned package-level function.
func (c *fileChecker) bannedUse(id *ast.Ident, at token.Pos) bool {
	fn, ok := c.pkg.Info.Uses[id].(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Type().(*types.Signature).Recv() != nil {
		return false
	}
	path := fn.Pkg().Path()
	if !isBannedFunc(path, fn.Name()) {
		return false
	}
	rule, advice := adviceForFunc(path)
	what := "draws from the process-global random source"
	if rule == RuleWallclock {
		what = "reads or waits on the host's clock, not virtual time"
	}
	c.report(at, rule, "%s.%s %s; %s", fn.Pkg().Name(), fn.Name(), what, advice)
	return true
}

// orderless reports whether a //faultline:orderless hatch sits on the line
// of pos or the line before, marking it used.
func (c *fileChecker) orderless(pos token.Pos) bool {
	l := c.line(pos)
	for _, hl := range []int{l, l - 1} {
		if h, ok := c.hatches[hl]; ok {
			h.used = true
			return true
		}
	}
	return false
}

// sortsOrCollectsToMap reports whether the maps iterator call is passed
// straight to a consumer that erases its order: slices.Sorted* sorts it,
// maps.Collect and maps.Insert build another map from it.
func sortsOrCollectsToMap(info *types.Info, call *ast.CallExpr, parent ast.Node) bool {
	outer, ok := parent.(*ast.CallExpr)
	if !ok || !slices.Contains(outer.Args, ast.Expr(call)) {
		return false
	}
	fn := calleeFunc(info, outer)
	return isPkgFunc(fn, "slices", "Sorted", "SortedFunc", "SortedStableFunc") ||
		isPkgFunc(fn, "maps", "Collect", "Insert")
}

// calleeFunc returns the function a call statically invokes, or nil.
func calleeFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	fun := ast.Unparen(call.Fun)
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	var id *ast.Ident
	switch f := ast.Unparen(fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}

// isPkgFunc reports whether fn is one of the named package-level functions
// of the standard package path.
func isPkgFunc(fn *types.Func, path string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != path {
		return false
	}
	return slices.Contains(names, fn.Name())
}

// isReflectMapIter reports whether fn is reflect.Value's MapRange or MapKeys.
func isReflectMapIter(fn *types.Func) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "reflect" || (fn.Name() != "MapRange" && fn.Name() != "MapKeys") {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return false
	}
	named, ok := types.Unalias(recv.Type()).(*types.Named)
	return ok && named.Obj().Name() == "Value"
}

// isMap reports whether ranging over a value of type t iterates a map: t is
// a map type, or a type parameter whose constraint admits a map.
func isMap(t types.Type) bool {
	if t == nil {
		return false
	}
	if _, ok := t.Underlying().(*types.Map); ok {
		return true
	}
	if tp, ok := t.(*types.TypeParam); ok {
		return constraintAdmitsMap(tp.Constraint(), 0)
	}
	return false
}

func constraintAdmitsMap(t types.Type, depth int) bool {
	if depth > 8 {
		return false
	}
	switch u := t.Underlying().(type) {
	case *types.Map:
		return true
	case *types.Union:
		for i := range u.Len() {
			if constraintAdmitsMap(u.Term(i).Type(), depth+1) {
				return true
			}
		}
	case *types.Interface:
		for i := range u.NumEmbeddeds() {
			if constraintAdmitsMap(u.EmbeddedType(i), depth+1) {
				return true
			}
		}
	}
	return false
}
