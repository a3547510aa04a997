package scenarios_test

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/sim"
)

// zeroPositions clears where things were written (and the file name), so
// a scenario and its formatted copy compare by content.
func zeroPositions(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			zeroPositions(v.Elem())
		}
	case reflect.Struct:
		if r, ok := v.Interface().(sim.Ratio); ok && r.Num == 0 {
			v.SetZero() // 0 and 0/1 are the same ratio
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			switch {
			case !f.IsExported():
			case f.Name == "Pos" || f.Name == "Source":
				v.Field(i).SetZero()
			default:
				zeroPositions(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			zeroPositions(v.Index(i))
		}
	}
}

// Format writes every field: what Parse reads back from it is the same
// scenario, field by field — not only the same text again.
func TestFormatWritesEveryField(t *testing.T) {
	files, _ := filepath.Glob("*.yaml")
	more, _ := filepath.Glob("bugs/*.yaml")
	good, _ := filepath.Glob("testdata/*.yaml")
	for _, f := range append(append(files, more...), good...) {
		sc, err := scenarios.LoadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		back, err := scenarios.Parse(f, scenarios.Format(sc))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		a, b := sc.Clone(), back.Clone()
		zeroPositions(reflect.ValueOf(a))
		zeroPositions(reflect.ValueOf(b))
		// Exported fields only (JSON leaves out the record of positions).
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%s: formatted and read back, it differs:\n%s\n%s", f, ja, jb)
		}
	}
}

// A parameter key cannot inject YAML into a formatted scenario: it is
// quoted, so it reads back as the same (unknown) key, not as a section.
func TestFormatQuotesKeys(t *testing.T) {
	sc := &scenarios.Scenario{Name: "inject", Cluster: scenarios.Cluster{Node: "raftkv", Size: 3,
		Params: []scenarios.Param{{Key: "x\nnemesis:\n  script:\n    - {at: 1s, fault: \"crash all\"}\ny", Value: "1"}}}}
	_, err := scenarios.Parse("f.yaml", scenarios.Format(sc))
	if err == nil || !strings.Contains(err.Error(), "unknown parameter") {
		t.Errorf("read back: %v\n%s", err, scenarios.Format(sc))
	}
}
