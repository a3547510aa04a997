package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// defaultServePort is serve's port unless --port says otherwise.
const defaultServePort = 8017

func (a *app) cmdServe(args []string) error {
	fs := a.newFlags("serve")
	port := fs.Int("port", defaultServePort, "the port to listen on, on 127.0.0.1 only (0: any free port)")
	pos, err := a.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError{"serve takes one store directory (default " + defaultStore + ")"}
	}
	if *port < 0 || *port > 65535 {
		return usageError{fmt.Sprintf("--port %d: want 0 to 65535", *port)}
	}
	root := defaultStore
	if len(pos) == 1 {
		root = pos[0]
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: not a directory (a store is the --out of run, replay, merge, …)", root)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return a.serve(ctx, root, ln)
}

// serve serves the store at root on ln until ctx is done, then shuts down
// gracefully: requests in flight finish (for up to 5s).
func (a *app) serve(ctx context.Context, root string, ln net.Listener) error {
	h, closeRoot, err := storeHandler(root)
	if err != nil {
		ln.Close()
		return err
	}
	defer closeRoot()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(a.stdout, "%s: serving %s on http://%s/ (Ctrl-C stops)\n", a.name, root, ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: stopped serving %s\n", a.name, root)
	return nil
}

// storeHandler serves a store read-only: / is a page listing every
// scenario's runs (newest first, each with its verdict counts and a link
// to its page), and everything else is the store's files, with directory
// listings. Files are opened through an os.Root, so no path and no link
// leads outside the store.
func storeHandler(dir string) (http.Handler, func() error, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	files := http.FileServerFS(storeFS{root.FS()})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page, err := storeIndex(dir)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.Handle("GET /", files)
	return mux, root.Close, nil
}

// storeFS is the store's files, a path or link that would leave it
// refused as forbidden (os.Root's error, which the file server would
// answer as an internal error).
type storeFS struct{ fs.FS }

func (s storeFS) Open(name string) (fs.File, error) {
	f, err := s.FS.Open(name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f, err
}

type storeRun struct {
	ID, Href, Counts string
	Latest           bool
}

type storeScenario struct {
	Name string
	Runs []storeRun
}

// storeIndex renders the store's front page.
func storeIndex(dir string) ([]byte, error) {
	runs, names, err := storeRuns(dir)
	if err != nil {
		return nil, err
	}
	data := struct {
		Root      string
		Scenarios []storeScenario
	}{Root: dir}
	for _, name := range names {
		s := storeScenario{Name: name}
		latest := filepath.Base(latestRun(filepath.Join(dir, name)))
		ids := slices.Clone(runs[name])
		slices.Reverse(ids) // newest first
		for _, id := range ids {
			run := storeRun{ID: id, Latest: id == latest, Href: path.Join(name, id) + "/"}
			if _, err := os.Stat(filepath.Join(dir, name, id, reportFile)); err == nil {
				run.Href += reportFile
			}
			run.Counts = runCounts(filepath.Join(dir, name, id))
			s.Runs = append(s.Runs, run)
		}
		data.Scenarios = append(data.Scenarios, s)
	}
	var b bytes.Buffer
	if err := storeTemplate.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// runCounts is a run's verdicts from its summary.json ("" for a run
// without one: a replay, a shrink, a hunt, a sweep still running).
func runCounts(run string) string {
	b, err := os.ReadFile(filepath.Join(run, summaryFile))
	if err != nil {
		return ""
	}
	var s struct {
		Seeds       int            `json:"seeds"`
		Counts      map[string]int `json:"counts"`
		Interrupted bool           `json:"interrupted"`
	}
	if json.Unmarshal(b, &s) != nil {
		return ""
	}
	out := plural(s.Seeds, "seed") + ":"
	for _, st := range scenarios.Statuses {
		if n := s.Counts[string(st)]; n > 0 {
			out += fmt.Sprintf(" %s %d", st, n)
		}
	}
	if s.Interrupted {
		out += " (interrupted)"
	}
	return out
}

var storeTemplate = template.Must(template.New("store").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Faultline store {{.Root}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
code { font: 12px/1.3 ui-monospace, monospace; }
</style>
</head>
<body>
<h1>Faultline store <code>{{.Root}}</code></h1>
{{if not .Scenarios}}<p>No runs yet.</p>
{{end}}{{range .Scenarios}}<h2>{{.Name}}</h2>
<table>
<tr><th>run</th><th>verdicts</th></tr>
{{range .Runs}}<tr><td><a href="{{.Href}}">{{.ID}}</a>{{if .Latest}} (latest){{end}}</td><td>{{.Counts}}</td></tr>
{{end}}</table>
{{end}}</body>
</html>
`))
