package viz

import (
	"bytes"
	"strings"
	"testing"
)

// A trace file cut at its writer's bound says so in the header, so nobody
// reads the end of the file as the end of the run.
func TestHeaderSaysTraceWasCut(t *testing.T) {
	d, _ := demoRuns(t)
	f := *d.File
	ft := *f.Footer
	ft.Truncated = 1234
	f.Footer = &ft
	var b bytes.Buffer
	if err := RenderText(&b, &f, Options{Width: MaxTextWidth}); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(b.String(), "\n"); !strings.Contains(first, "cut: 1234 events not in the file") {
		t.Errorf("header %q does not say the trace was cut", first)
	}
	b.Reset()
	if err := RenderText(&b, d.File, Options{Width: MaxTextWidth}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "cut:") {
		t.Error("a whole trace's header says it was cut")
	}
}
