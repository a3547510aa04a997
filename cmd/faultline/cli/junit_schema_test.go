package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// junitSchema is the common JUnit XSD (the Jenkins xUnit plugin's
// junit-10.xsd, restated; its source and licence are in the file).
const junitSchema = "testdata/junit/junit-10.xsd"

// xmllint validates a file against the schema; ok false with the
// validator's words when it does not validate.
func xmllint(t *testing.T, path string) (ok bool, msg string) {
	t.Helper()
	out, err := exec.Command("xmllint", "--noout", "--schema", junitSchema, path).CombinedOutput()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Fatalf("xmllint: %v", err)
	}
	return err == nil, string(out)
}

// What --junit writes validates against the common schema: a green sweep,
// a red one with every kind of problem, an interrupted one, and the file
// a real run writes. The schema is no rubber stamp: documents it must
// refuse are refused.
func TestJUnitValidatesAgainstSchema(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint is not installed (apt-get install libxml2-utils)")
	}
	sc, err := scenarios.LoadLibrary("abd-partitions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(Config{Name: "faultline"})
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	report := func(sum scenarios.Summary) []byte {
		var b bytes.Buffer
		if err := writeJUnit(&b, a.junitReport(sc, "scenarios/abd-partitions.yaml", "build-1", &sum)); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	red := report(scenarios.Summary{Seeds: 10, CPU: 1500 * time.Millisecond,
		Counts: map[scenarios.Status]int{scenarios.StatusValid: 6, scenarios.StatusInvalid: 1, scenarios.StatusPanic: 1, scenarios.StatusUnknown: 1, scenarios.StatusNondeterministic: 1},
		Failures: []scenarios.Outcome{
			{Seed: 3, Status: scenarios.StatusInvalid, Reason: "key \"k1\" is not linearizable <&>\nsecond line", Wall: time.Second},
			{Seed: 5, Status: scenarios.StatusPanic, Reason: "n2 panicked: index out of range"},
			{Seed: 8, Status: scenarios.StatusUnknown, Reason: "linearizability: out of budget"},
			{Seed: 9, Status: scenarios.StatusNondeterministic, Reason: "diverged at event 12"},
		}})
	valid := map[string][]byte{
		"green":       report(scenarios.Summary{Seeds: 200, Counts: map[scenarios.Status]int{scenarios.StatusValid: 200}, CPU: 3 * time.Second}),
		"red":         red,
		"interrupted": report(scenarios.Summary{Seeds: 4, Counts: map[scenarios.Status]int{scenarios.StatusValid: 4}, Interrupted: true}),
	}
	real := filepath.Join(dir, "run.xml")
	if code, out, errOut := runCLI("run", "../../../scenarios/bugs/no-sessions.yaml", "--seeds", "1..2", "--junit", real); code != scenarios.ExitInvalid {
		t.Fatalf("run: exit %d:\n%s%s", code, out, errOut)
	}
	for name, data := range valid {
		if ok, msg := xmllint(t, write(name, data)); !ok {
			t.Errorf("%s: does not validate:\n%s\n%s", name, msg, data)
		}
	}
	if ok, msg := xmllint(t, real); !ok {
		t.Errorf("run --junit: does not validate:\n%s", msg)
	}
	// Controls: each breaks one rule of the schema.
	for name, broken := range map[string]string{
		"suite without tests":    strings.Replace(string(red), `<testsuite name="abd-partitions" tests="5"`, `<testsuite name="abd-partitions"`, 1),
		"case without a name":    strings.Replace(string(red), `<testcase name="seed 3"`, `<testcase`, 1),
		"time not in seconds":    strings.Replace(string(red), `time="1.500"`, `time="1.5s"`, 1),
		"an element of our own":  strings.Replace(string(red), `<properties>`, `<verdicts></verdicts><properties>`, 1),
		"property without value": strings.Replace(string(red), `<property name="scenario" value="abd-partitions">`, `<property name="scenario">`, 1),
	} {
		if broken == string(red) {
			t.Errorf("%s: the control changed nothing (the writer's output changed?)", name)
			continue
		}
		if ok, _ := xmllint(t, write(strings.ReplaceAll(name, " ", "-"), []byte(broken))); ok {
			t.Errorf("%s: validates, but the schema should refuse it", name)
		}
	}
}
