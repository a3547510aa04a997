package lint

// Rule names one determinism rule. The name appears in every report line so
// a reader can look the rule up in docs/DETERMINISM.md.
type Rule string

// The rules. Each violation message ends with the "use X instead" advice.
const (
	// RuleWallclock bans reading or waiting on the host's clock.
	RuleWallclock Rule = "wallclock"
	// RuleGlobalRand bans the process-global random sources and OS entropy.
	RuleGlobalRand Rule = "globalrand"
	// RuleGoroutine bans go statements.
	RuleGoroutine Rule = "goroutine"
	// RuleSelect bans select statements.
	RuleSelect Rule = "select"
	// RuleMapRange bans iterating a map (or a maps iterator) in its
	// unspecified order, unless marked //faultline:orderless <reason>.
	RuleMapRange Rule = "maprange"
	// RuleDirective reports a malformed, unknown or unattached
	// //faultline: directive, so the escape hatch cannot rot silently.
	RuleDirective Rule = "directive"
)

// Rules lists every rule, in the order the docs present them.
var Rules = []Rule{RuleWallclock, RuleGlobalRand, RuleGoroutine, RuleSelect, RuleMapRange, RuleDirective}

// The advice each rule gives.
const (
	adviceClock   = "use env.Now()/env.Monotonic()/env.SetTimer instead"
	adviceRand    = "use env.Rand() (the node's seeded math/rand/v2 stream) instead"
	adviceThread  = "handlers run atomically on the simulator's single thread; use env.SetTimer / messages instead"
	adviceMapIter = "iterate sorted keys instead (slices.Sorted(maps.Keys(m))), or mark the loop //faultline:orderless <why>"
)

// bannedFuncs maps an import path to the package-level functions that are
// banned in simulated code. A nil set means "every package-level function
// except those in allowedFuncs".
var bannedFuncs = map[string]map[string]bool{
	"time": {
		"Now": true, "Since": true, "Until": true,
		"Sleep": true, "After": true, "AfterFunc": true,
		"NewTimer": true, "NewTicker": true, "Tick": true,
	},
	"math/rand/v2": nil,
}

// allowedFuncs lists the package-level functions of a nil-set package in
// bannedFuncs that stay allowed: the constructors of explicitly seeded
// sources. rand.New(rand.NewPCG(s1, s2)) is deterministic; rand.IntN is not.
var allowedFuncs = map[string]map[string]bool{
	"math/rand/v2": {"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true},
}

// bannedImports maps an import path that simulated code may not import at
// all to the reason given in the report.
var bannedImports = map[string]string{
	"math/rand":   "math/rand (v1) top-level functions share a process-global source",
	"crypto/rand": "crypto/rand reads OS entropy, which no seed can reproduce",
}

// isBannedFunc reports whether the package-level function pkg.name is banned.
func isBannedFunc(pkg, name string) bool {
	set, ok := bannedFuncs[pkg]
	if !ok {
		return false
	}
	if set == nil {
		return !allowedFuncs[pkg][name]
	}
	return set[name]
}

// adviceForFunc returns the rule and advice for a banned function of pkg.
func adviceForFunc(pkg string) (Rule, string) {
	if pkg == "time" {
		return RuleWallclock, adviceClock
	}
	return RuleGlobalRand, adviceRand
}
