package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// serve serves a store read-only: its front page lists every scenario's
// runs with their verdicts, the latest marked, each linking to its page;
// the runs' files and directory listings are served as they are; nothing
// outside the store is, by path or by link.
func TestServeStore(t *testing.T) {
	root := t.TempDir()
	for _, seeds := range []string{"1..2", "3..3"} {
		if code, out, errs := runCLI("run", quickFile, "--seeds", seeds, "--workers", "1", "--out", root); code != 0 {
			t.Fatalf("run: exit %d\n%s%s", code, out, errs)
		}
	}
	latest := onlyRun(t, root)
	id := filepath.Base(latest)
	if err := os.Symlink("/etc", filepath.Join(root, "elsewhere")); err != nil {
		t.Fatal(err)
	}
	h, closeRoot, err := storeHandler(root)
	if err != nil {
		t.Fatal(err)
	}
	defer closeRoot()
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		path string
		code int
		want []string // in the body
	}{
		{"/", 200, []string{"<h2>quick</h2>", `href="quick/` + id + `/index.html">` + id + `</a> (latest)`, "1 seed: valid 1", "2 seeds: valid 2"}},
		{"/quick/", 200, []string{id, "latest"}},                       // a directory listing of the runs
		{"/quick/latest/", 200, []string{"<h2>Verdicts</h2>"}},         // a run's page, through latest
		{"/quick/" + id + "/results.jsonl", 200, []string{`"seed":3`}}, // a run's files
		{"/quick/nosuch", 404, nil},
		{"/../../../etc/passwd", 404, nil},
		{"/elsewhere/passwd", 403, nil}, // a link out of the store
	} {
		code, body := get(tc.path)
		if code != tc.code {
			t.Errorf("GET %s: %d, want %d\n%.300s", tc.path, code, tc.code, body)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q in\n%.2000s", tc.path, w, body)
			}
		}
	}
	resp, err := http.Post(srv.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405 (the store is read-only)", resp.StatusCode)
	}
}

// The command listens on 127.0.0.1 only and stops gracefully: a request
// answered, then the context's end (Ctrl-C) returns without error.
func TestServeStops(t *testing.T) {
	root := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	a := newApp(Config{Name: "faultline", Stdout: &out, Stderr: io.Discard})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, root, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "No runs yet") {
		t.Errorf("GET / of an empty store: %d\n%s", resp.StatusCode, b)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after Ctrl-C, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(out.String(), "serving "+root+" on http://127.0.0.1:") {
		t.Errorf("serve printed %q", out.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--port", "70000"}, "--port 70000"},
		{[]string{"serve", filepath.Join(root, "nosuch")}, "not a directory"},
		{[]string{"serve", "a", "b"}, "one store directory"},
	} {
		if code, _, errs := runCLI(tc.args...); code != scenarios.ExitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, %s; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}
