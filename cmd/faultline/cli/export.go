package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/faultline/faultline/viz/perfetto"
)

func (a *app) cmdExport(args []string) error {
	fs := a.newFlags("export")
	asPerfetto := fs.Bool("perfetto", false, "Chrome trace-event JSON, for Perfetto UI (ui.perfetto.dev) and chrome://tracing")
	out := fs.String("out", "", "file to write (default: TRACE with .perfetto.json for .jsonl; - for standard output)")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"export takes one trace file (written by " + a.name + " replay, or seed-N/" + "trace.jsonl of run --out)"}
	}
	if !*asPerfetto {
		return usageError{"export needs a format: --perfetto"}
	}
	f, err := readTrace(pos[0])
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := perfetto.Write(&b, f); err != nil {
		return err
	}
	if *out == "-" {
		_, err := a.stdout.Write(b.Bytes())
		return err
	}
	path := *out
	if path == "" {
		path = strings.TrimSuffix(pos[0], filepath.Ext(pos[0])) + ".perfetto.json"
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: %d events of seed %d as trace events in %s (open it in ui.perfetto.dev)\n", a.name, len(f.Events), f.Header.Seed, path)
	return nil
}
