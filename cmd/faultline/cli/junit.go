package cli

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/faultline/faultline/scenarios"
)

// The JUnit XML that CI systems read (the common "Jenkins" schema, as
// Surefire, GitLab, GitHub Actions reporters and Buildkite parse it): one
// suite per sweep, a test case per failing seed, and a summary case that
// fails when any seed failed or the sweep is incomplete. Invalid,
// liveness and unknown seeds are failures (unknown is not a pass); a
// panic or a nondeterministic seed is an error (the run itself broke).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitReport builds the report of a sweep; file is the scenario file the
// repro lines name, build the binary that ran the seeds.
func (a *app) junitReport(sc *scenarios.Scenario, file, build string, s *scenarios.Summary) junitSuites {
	suite := junitSuite{Name: sc.Name, Time: seconds(s.CPU)}
	suite.Properties = []junitProperty{
		{"scenario", sc.Name},
		{"fingerprint", scenarios.Fingerprint(sc)},
		{"build", build},
		{"seeds", fmt.Sprint(s.Seeds)},
	}
	for _, f := range s.Failures {
		reason := oneLine(f.Reason)
		p := &junitProblem{
			Message: fmt.Sprintf("%s: %s", f.Status, reason),
			Type:    string(f.Status),
			Text:    fmt.Sprintf("seed %d: %s\n%s\nreproduce: %s\n", f.Seed, f.Status, f.Reason, a.replayCommand(file, f.Seed)),
		}
		c := junitCase{Name: fmt.Sprintf("seed %d", f.Seed), Classname: sc.Name, Time: seconds(f.Wall)}
		if f.Status == scenarios.StatusPanic || f.Status == scenarios.StatusNondeterministic {
			c.Error = p
			suite.Errors++
		} else {
			c.Failure = p
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, c)
	}
	var counts []string
	for _, st := range scenarios.Statuses {
		counts = append(counts, fmt.Sprintf("%s %d", st, s.Counts[st]))
	}
	sumCase := junitCase{Name: "sweep", Classname: sc.Name, Time: seconds(s.CPU),
		SystemOut: fmt.Sprintf("%s: %s (%s)\n", sc.Name, plural(s.Seeds, "seed"), strings.Join(counts, ", "))}
	switch {
	case len(s.Failures) > 0:
		first := s.Failures[0]
		sumCase.Failure = &junitProblem{
			Message: fmt.Sprintf("%d of %s failed; worst %s", len(s.Failures), plural(s.Seeds, "seed"), s.Worst()),
			Type:    string(s.Worst()),
			Text:    fmt.Sprintf("first failing seed %d (%s): %s\nreproduce: %s\n", first.Seed, first.Status, oneLine(first.Reason), a.replayCommand(file, first.Seed)),
		}
		suite.Failures++
	case s.Interrupted:
		sumCase.Failure = &junitProblem{Message: fmt.Sprintf("incomplete: %s ran", plural(s.Seeds, "seed")), Type: "incomplete"}
		suite.Failures++
	}
	suite.Cases = append(suite.Cases, sumCase)
	suite.Tests = len(suite.Cases)
	return junitSuites{Name: a.name, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Time: suite.Time, Suites: []junitSuite{suite}}
}

func seconds(d interface{ Seconds() float64 }) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func writeJUnit(w io.Writer, r junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// writeJUnitFile writes the report to path, atomically (a CI step that
// reads it never sees half a file).
func (a *app) writeJUnitFile(path string, sc *scenarios.Scenario, file, build string, s *scenarios.Summary) error {
	var b strings.Builder
	if err := writeJUnit(&b, a.junitReport(sc, file, build, s)); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("--junit: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("--junit: %v", err)
	}
	return nil
}
