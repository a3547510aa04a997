package cli

import (
	"flag"
	"fmt"

	"github.com/faultline/faultline/scenarios"
)

// traceMax is --trace-max: the bound on an artifact trace file, which
// replay and a sweep's failing seeds stream to disk as the run goes.
type traceMax struct {
	text  *string
	bytes int64
}

func addTraceMaxFlag(fs *flag.FlagSet) *traceMax {
	return &traceMax{text: fs.String("trace-max", formatBytes(scenarios.DefaultTraceMaxBytes),
		"largest artifact trace file; past it the trace ends with a truncation mark (the footer keeps the whole run's event count and hash)")}
}

func (t *traceMax) validate() error {
	n, err := parseBytes(*t.text)
	if err != nil {
		return usageError{fmt.Sprintf("--trace-max %v", err)}
	}
	if n < 64<<10 {
		return usageError{fmt.Sprintf("--trace-max %s: want at least 64KiB", *t.text)}
	}
	t.bytes = n
	return nil
}

func (t *traceMax) runOptions(o scenarios.RunOptions) scenarios.RunOptions {
	o.TraceMaxBytes = t.bytes
	return o
}
