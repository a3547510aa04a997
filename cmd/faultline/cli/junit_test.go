package cli

import (
	"bytes"
	"encoding/xml"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// What a JUnit consumer reads, decoded independently of the writer's
// types: the element and attribute names of the common (Jenkins/Surefire)
// JUnit schema.
type xmlSuites struct {
	XMLName xml.Name   `xml:"testsuites"`
	Attrs   []xml.Attr `xml:",any,attr"`
	Suites  []struct {
		Attrs []xml.Attr `xml:",any,attr"`
		Props []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Attrs    []xml.Attr   `xml:",any,attr"`
			Failures []xmlProblem `xml:"failure"`
			Errors   []xmlProblem `xml:"error"`
			Out      string       `xml:"system-out"`
		} `xml:"testcase"`
		Other []xml.Name `xml:",any"`
	} `xml:"testsuite"`
}

type xmlProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func attr(as []xml.Attr, name string) (string, bool) {
	for _, a := range as {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// checkJUnit checks what the schema requires (testsuite: name, tests,
// failures, errors, time; testcase: name, classname, time; failure and
// error: message and type) and that the counts add up.
func checkJUnit(t *testing.T, data []byte) xmlSuites {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(xml.Header)) {
		t.Errorf("no XML declaration:\n%s", data)
	}
	var r xmlSuites
	if err := xml.Unmarshal(data, &r); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	need := func(as []xml.Attr, where string, names ...string) map[string]string {
		got := map[string]string{}
		for _, n := range names {
			v, ok := attr(as, n)
			if !ok {
				t.Errorf("%s lacks attribute %s", where, n)
			}
			got[n] = v
		}
		return got
	}
	number := func(where, s string) float64 {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 {
			t.Errorf("%s: %q is not a non-negative number", where, s)
		}
		return f
	}
	top := need(r.Attrs, "testsuites", "tests", "failures", "errors")
	tests, failures, errs := 0, 0, 0
	for _, s := range r.Suites {
		a := need(s.Attrs, "testsuite", "name", "tests", "failures", "errors", "skipped", "time")
		number("testsuite time", a["time"])
		if len(s.Other) > 0 {
			t.Errorf("testsuite holds unexpected elements %v", s.Other)
		}
		f, e := 0, 0
		for _, c := range s.Cases {
			ca := need(c.Attrs, "testcase", "name", "classname", "time")
			number("testcase "+ca["name"]+" time", ca["time"])
			for _, p := range append(append([]xmlProblem(nil), c.Failures...), c.Errors...) {
				if p.Message == "" || p.Type == "" {
					t.Errorf("testcase %s: a failure without message or type: %+v", ca["name"], p)
				}
			}
			if len(c.Failures)+len(c.Errors) > 1 {
				t.Errorf("testcase %s has %d problems, want at most one", ca["name"], len(c.Failures)+len(c.Errors))
			}
			f += len(c.Failures)
			e += len(c.Errors)
		}
		if a["tests"] != strconv.Itoa(len(s.Cases)) || a["failures"] != strconv.Itoa(f) || a["errors"] != strconv.Itoa(e) {
			t.Errorf("testsuite counts tests=%s failures=%s errors=%s, but it holds %d cases, %d failures, %d errors", a["tests"], a["failures"], a["errors"], len(s.Cases), f, e)
		}
		tests, failures, errs = tests+len(s.Cases), failures+f, errs+e
	}
	if top["tests"] != strconv.Itoa(tests) || top["failures"] != strconv.Itoa(failures) || top["errors"] != strconv.Itoa(errs) {
		t.Errorf("testsuites counts %v, but its suites hold %d, %d, %d", top, tests, failures, errs)
	}
	return r
}

func TestJUnit(t *testing.T) {
	sc, err := scenarios.LoadLibrary("abd-partitions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(Config{Name: "faultline"})
	for _, tc := range []struct {
		name             string
		sum              scenarios.Summary
		cases            int
		failures, errors int
		want             []string // in the XML
	}{
		{"green", scenarios.Summary{Seeds: 200, Counts: map[scenarios.Status]int{scenarios.StatusValid: 200}, CPU: 3 * time.Second}, 1, 0, 0,
			[]string{`<testcase name="sweep" classname="abd-partitions" time="3.000">`, "valid 200, invalid 0"}},
		{"red", scenarios.Summary{Seeds: 10, Counts: map[scenarios.Status]int{scenarios.StatusValid: 7, scenarios.StatusInvalid: 1, scenarios.StatusPanic: 1, scenarios.StatusUnknown: 1},
			Failures: []scenarios.Outcome{
				{Seed: 3, Status: scenarios.StatusInvalid, Reason: `key "k1" is not linearizable <&>`, Wall: time.Second},
				{Seed: 5, Status: scenarios.StatusPanic, Reason: "n2 panicked: index out of range"},
				{Seed: 8, Status: scenarios.StatusUnknown, Reason: "linearizability: out of budget"},
			}}, 4, 3, 1,
			[]string{
				`<failure message="invalid: key &#34;k1&#34; is not linearizable &lt;&amp;&gt;" type="invalid">`,
				"reproduce: faultline replay scenarios/abd-partitions.yaml --seed 3",
				`<error message="panic: n2 panicked: index out of range" type="panic">`,
				`<failure message="unknown: linearizability: out of budget" type="unknown">`,
				`<failure message="3 of 10 seeds failed; worst panic" type="panic">`,
			}},
		{"incomplete", scenarios.Summary{Seeds: 4, Counts: map[scenarios.Status]int{scenarios.StatusValid: 4}, Interrupted: true}, 1, 1, 0,
			[]string{`type="incomplete"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeJUnit(&b, a.junitReport(sc, "scenarios/abd-partitions.yaml", "build-1", &tc.sum)); err != nil {
				t.Fatal(err)
			}
			r := checkJUnit(t, b.Bytes())
			if len(r.Suites) != 1 {
				t.Fatalf("%d suites, want 1", len(r.Suites))
			}
			s := r.Suites[0]
			f, e := 0, 0
			for _, c := range s.Cases {
				f, e = f+len(c.Failures), e+len(c.Errors)
			}
			if len(s.Cases) != tc.cases || f != tc.failures || e != tc.errors {
				t.Errorf("%d cases, %d failures, %d errors; want %d, %d, %d\n%s", len(s.Cases), f, e, tc.cases, tc.failures, tc.errors, b.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("no %s in\n%s", w, b.String())
				}
			}
			if v := s.Props; len(v) < 3 || v[2].Name != "build" || v[2].Value != "build-1" {
				t.Errorf("properties %v: want the build that ran the seeds", v)
			}
		})
	}
}

// run --junit writes the file beside the usual summary.
func TestRunJUnitFile(t *testing.T) {
	path := t.TempDir() + "/junit.xml"
	code, out, errOut := runCLI("run", "../../../scenarios/bugs/no-sessions.yaml", "--seed", "1", "--junit", path)
	if code != scenarios.ExitInvalid {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkJUnit(t, data)
	if !strings.Contains(string(data), "reproduce: faultline replay ../../../scenarios/bugs/no-sessions.yaml --seed 1") {
		t.Errorf("no repro line in\n%s", data)
	}
}
