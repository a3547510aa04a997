package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim/trace"
	"github.com/faultline/faultline/viz"
)

// The plots beside every seed's trace read back only the events they draw
// (plotKinds), and draw exactly what they draw from the whole trace.
func TestPlotsReadOnlyTheirKinds(t *testing.T) {
	sc, err := scenarios.LoadLibrary("bugs/no-sessions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := scenarios.ReplayTo(sc, 3, dir, scenarios.RunOptions{CheckSteps: 1}, ""); err != nil {
		t.Fatal(err)
	}
	read := func(kinds ...trace.Kind) *trace.File {
		b, err := os.ReadFile(filepath.Join(dir, scenarios.TraceFile))
		if err != nil {
			t.Fatal(err)
		}
		f, err := trace.ReadKinds(bytes.NewReader(b), scenarios.TraceFile, kinds...)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	all, few := read(), read(plotKinds...)
	if len(few.Events) == 0 || len(few.Events)*2 > len(all.Events) {
		t.Fatalf("the plots read %d of %d events: want some, and far fewer than all", len(few.Events), len(all.Events))
	}
	for name, plot := range map[string]func(f *trace.File) ([]byte, error){
		"latency": func(f *trace.File) ([]byte, error) {
			var b bytes.Buffer
			err := viz.PlotLatency(&b, f, viz.PlotOptions{Format: "svg"})
			return b.Bytes(), err
		},
		"availability": func(f *trace.File) ([]byte, error) {
			var b bytes.Buffer
			err := viz.PlotAvailability(&b, f, viz.PlotOptions{Format: "svg"})
			return b.Bytes(), err
		},
	} { //faultline:orderless each case stands alone
		a, err1 := plot(all)
		b, err2 := plot(few)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s plot from the plot's kinds differs from the one from every event (errors %v, %v)", name, err1, err2)
		}
	}
}
