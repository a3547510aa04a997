package lint

import (
	"errors"
	"strings"
)

// DirectiveOrderless is the escape hatch for RuleMapRange. Written on the
// line of a map range (or a maps.Keys/Values/All call) or on the line just
// before it, followed by a mandatory reason:
//
//	//faultline:orderless summing sizes; addition commutes
//	for _, v := range sizes {
const DirectiveOrderless = "orderless"

// DirectiveSeededEntropy is the one exception to RuleGlobalRand, for a
// library that draws from crypto/rand.Reader and cannot be changed (etcd
// raft's election timeouts): written on the line of an import of
// crypto/rand or the line just before it, followed by a mandatory reason,
// it allows that import in that file, and then only uses of the Reader
// variable (to swap in a reader drawing from env.Rand()). Any other use of
// crypto/rand in the file (rand.Read, rand.Int, rand.Text) is still a
// violation, and the directive attached to no such import is one.
//
//	//faultline:seeded-entropy the library draws timeouts from crypto/rand.Reader; we swap in env.Rand() under a lock
//	import crand "crypto/rand"
const DirectiveSeededEntropy = "seeded-entropy"

const directivePrefix = "faultline:"

// directive is a parsed //faultline:<name> <reason> comment.
type directive struct {
	name   string
	reason string
}

// parseDirective reads the text of one // comment (including the slashes).
// It returns ok=false for ordinary comments. For comments that look like a
// faultline directive it returns the directive, or an error saying what is
// wrong with it (a space after //, an unknown name, a missing reason).
func parseDirective(text string) (d directive, ok bool, err error) {
	body, isLine := strings.CutPrefix(text, "//")
	if !isLine {
		return directive{}, false, nil
	}
	trimmed := strings.TrimLeft(body, " \t")
	rest, isOurs := strings.CutPrefix(trimmed, directivePrefix)
	if !isOurs {
		return directive{}, false, nil
	}
	if len(trimmed) != len(body) {
		return directive{}, true, errors.New("write the directive as //" + directivePrefix + "... with no space after //, like other Go directives")
	}
	name, reason := rest, ""
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		name, reason = rest[:i], strings.TrimSpace(rest[i:])
	}
	d = directive{name: name, reason: reason}
	switch name {
	case DirectiveOrderless:
		if reason == "" {
			return d, true, errors.New("//" + directivePrefix + DirectiveOrderless + " needs a reason: say why iteration order cannot reach a decision or the trace")
		}
		return d, true, nil
	case DirectiveSeededEntropy:
		if reason == "" {
			return d, true, errors.New("//" + directivePrefix + DirectiveSeededEntropy + " needs a reason: say which code draws from crypto/rand.Reader and how the swap is bounded")
		}
		return d, true, nil
	default:
		return d, true, errors.New("unknown directive //" + directivePrefix + name + "; the only ones are //" + directivePrefix + DirectiveOrderless + " <reason> and //" + directivePrefix + DirectiveSeededEntropy + " <reason>")
	}
}
