package shell_test

import (
	"testing"

	"github.com/faultline/faultline/internal/shell"
	"github.com/faultline/faultline/internal/shell/shelltest"
)

var quoteCases = []struct{ in, want string }{
	{"", "''"},
	{"scenarios/bugs/no-sessions.yaml", "scenarios/bugs/no-sessions.yaml"},
	{"/tmp/out/seed-7/trace.jsonl", "/tmp/out/seed-7/trace.jsonl"},
	{"c3@2.433555918s,c1@0.5s", "c3@2.433555918s,c1@0.5s"},
	{"a=b+c%d:e", "a=b+c%d:e"},
	{"my runs/x.yaml", "'my runs/x.yaml'"},
	{"it's.yaml", `'it'\''s.yaml'`},
	{"''", `''\'''\'''`},
	{`"$HOME".yaml`, `'"$HOME".yaml'`},
	{"a\\b", `'a\b'`},
	{"~/x.yaml", "'~/x.yaml'"},
	{"-", "-"},
	{"*.yaml", "'*.yaml'"},
	{"a;rm -rf x", "'a;rm -rf x'"},
	{"tab\there", "'tab\there'"},
	{"line\nbreak", "'line\nbreak'"},
	{"café.yaml", "'café.yaml'"},
	{"$(x)`y`!z", "'$(x)`y`!z'"},
}

func TestShellQuote(t *testing.T) {
	for _, c := range quoteCases {
		if got := shell.Quote(c.in); got != c.want {
			t.Errorf("shell.Quote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// What shellQuote prints, a shell reads back as the original word.
func TestShellQuoteRoundTrip(t *testing.T) {
	for _, c := range quoteCases {
		if got := shelltest.Words(t, shell.Quote(c.in)); len(got) != 1 || got[0] != c.in {
			t.Errorf("sh reads %s as %q, want %q", shell.Quote(c.in), got, c.in)
		}
	}
}
