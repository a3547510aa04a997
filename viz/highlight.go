package viz

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
)

// ParseHighlight reads the value of a --highlight flag into opts: a
// comma-separated list of operation handles (17), operations by client and
// invocation time as the checker reports them (c3@6.912491708s), and event
// sequence numbers (#1234). Errors name the bad item. The first item is
// the lead (see Options): the operation no order can place.
//
// Whether the items exist in a trace is checked when it is drawn:
// RenderText and RunViewer report those that match nothing.
func ParseHighlight(s string, opts *Options) error {
	first := !opts.hasHighlight()
	lead := func(l leadList) {
		if first {
			opts.lead, first = l, false
		}
	}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			continue
		case strings.HasPrefix(item, "#"):
			n, err := strconv.ParseUint(item[1:], 10, 64)
			if err != nil || n == 0 {
				return fmt.Errorf("viz: highlight %q: want #<event seq>, e.g. #1234", item)
			}
			opts.HighlightSeqs = append(opts.HighlightSeqs, n)
			lead(leadSeq)
		case strings.Contains(item, "@"):
			who, when, _ := strings.Cut(item, "@")
			id, ok := nodes.ParseID(who)
			if !ok || !id.IsClient() {
				return fmt.Errorf("viz: highlight %q: %q is not a client (want c<k>@<time>, e.g. c3@6.912491708s)", item, who)
			}
			d, err := time.ParseDuration(when)
			if err != nil || d < 0 {
				return fmt.Errorf("viz: highlight %q: bad invocation time %q (want e.g. 6.912491708s)", item, when)
			}
			opts.HighlightOps = append(opts.HighlightOps, OpRef{Client: id, Invoke: d})
			lead(leadOp)
		default:
			n, err := strconv.ParseInt(item, 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("viz: highlight %q: want an operation handle (17), c<k>@<time> or #<seq>", item)
			}
			opts.Highlight = append(opts.Highlight, n)
			lead(leadHandle)
		}
	}
	return nil
}
