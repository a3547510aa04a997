package viz

import (
	"reflect"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

func TestParseHighlight(t *testing.T) {
	var o Options
	if err := ParseHighlight("17, c3@6.912491708s,#1234,,c12@1ms", &o); err != nil {
		t.Fatal(err)
	}
	want := Options{Highlight: []int64{17}, HighlightSeqs: []uint64{1234},
		HighlightOps: []OpRef{{nodes.ClientID(3), 6912491708 * time.Nanosecond}, {nodes.ClientID(12), time.Millisecond}}}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("got %+v", o)
	}
	for _, tc := range []struct{ in, err string }{
		{"x", `viz: highlight "x": want an operation handle (17), c<k>@<time> or #<seq>`},
		{"-3", `viz: highlight "-3": want an operation handle (17), c<k>@<time> or #<seq>`},
		{"#", `viz: highlight "#": want #<event seq>, e.g. #1234`},
		{"n1@1s", `viz: highlight "n1@1s": "n1" is not a client (want c<k>@<time>, e.g. c3@6.912491708s)`},
		{"c1@soon", `viz: highlight "c1@soon": bad invocation time "soon" (want e.g. 6.912491708s)`},
	} {
		err := ParseHighlight(tc.in, &Options{})
		if err == nil || err.Error() != tc.err {
			t.Errorf("%q: got %v, want %s", tc.in, err, tc.err)
		}
	}
}

func FuzzParseHighlight(f *testing.F) {
	for _, s := range []string{"17", "c3@6.9s", "#12", "c1@,", "@@", "#-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var o Options
		ParseHighlight(s, &o) // must not panic
	})
}
