package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/faultline/faultline/nemesis"
	"github.com/faultline/faultline/sim"
)

// MaxClientKeys bounds clients × keys of a keyed workload: a client keeps
// a little state for every key (the kv client, three slices of Keys), so
// the bound keeps that under about 100 MB.
const MaxClientKeys = 1 << 22

// maxMixWeight bounds one operation's weight, so that weights sum without
// overflow.
const maxMixWeight = 1_000_000

// maxGeneratedFaults bounds how many faults a generated nemesis may plan
// for a run (its duration over the shortest interval): the schedule is
// drawn up front, about 400 bytes a step, so at most some 40 MB.
const maxGeneratedFaults = 100_000

// MaxFileBytes bounds a scenario file; bigger files are rejected before
// parsing.
const MaxFileBytes = 1 << 20

// Error is a problem in a scenario file: where, which field, what was
// expected.
type Error struct {
	Pos   Pos
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.Pos.File
	if loc == "" {
		loc = "scenario"
	}
	if e.Pos.Line > 0 {
		loc += fmt.Sprintf(":%d:%d", e.Pos.Line, e.Pos.Col)
	}
	if e.Field != "" {
		return fmt.Sprintf("scenarios: %s: %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("scenarios: %s: %s", loc, e.Msg)
}

// contextError is an error that wraps another under a context; see
// inContext.
type contextError struct {
	msg string
	err error
}

func (e *contextError) Error() string { return e.msg }
func (e *contextError) Unwrap() error { return e.err }

// packagePrefixes are the prefixes of the errors this package wraps: a
// wrapped message drops its own, so it names a package once.
var packagePrefixes = []string{"scenarios: ", "nemesis: "}

// inContext is err under a context: "scenarios: CONTEXT: MSG", where MSG
// is err's message without the package prefix it carries ("scenarios: ",
// "nemesis: "), so that a message wrapped twice reads
// "scenarios: hunt raftkv/kv: cluster.params.bugs: ..." and not
// "scenarios: hunt raftkv/kv: scenarios: ...". Then it drops the first
// of also that the message starts with: a context the new one already
// names (nemesis.generate: "generate: "). errors.Is and errors.As see
// err.
func inContext(context string, err error, also ...string) error {
	msg := err.Error()
	for _, p := range packagePrefixes {
		msg = strings.TrimPrefix(msg, p)
	}
	for _, p := range also {
		if m, ok := strings.CutPrefix(msg, p); ok {
			msg = m
			break
		}
	}
	return &contextError{msg: "scenarios: " + context + ": " + msg, err: err}
}

// generatedError is inContext for an error in a scenario this package
// generated from its arguments (the hunt's): a file Error drops its
// position — the file is nobody's to open — and keeps the field, which
// names the argument (cluster.params.bugs: the parameter bugs).
func generatedError(context, file string, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Pos.File == file && e.Field != "" {
		return &contextError{msg: "scenarios: " + context + ": " + e.Field + ": " + e.Msg, err: err}
	}
	return inContext(context, err)
}

// LoadFile reads and decodes a scenario file.
func LoadFile(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %v", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileBytes {
		return nil, tooBig(path, st.Size())
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileBytes+1)); err != nil {
		return nil, fmt.Errorf("scenarios: %s: %v", path, err)
	}
	if buf.Len() > MaxFileBytes {
		// Not a regular file (a pipe): its size is unknown past the limit.
		return nil, &Error{Pos: Pos{File: path}, Msg: fmt.Sprintf("more than %d bytes; scenarios are limited to %d bytes (1 MiB)", MaxFileBytes, MaxFileBytes)}
	}
	return Parse(path, buf.Bytes())
}

// Parse decodes a scenario from YAML. name is used in error messages.
// Decoding is strict: unknown fields, wrong types, bad durations, ratios
// and distributions are errors naming the line, column and field.
func Parse(name string, data []byte) (*Scenario, error) {
	if len(data) > MaxFileBytes {
		return nil, tooBig(name, int64(len(data)))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(name, data, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{Pos: Pos{File: name}, Msg: "empty scenario"}
	}
	d := &decoder{file: name}
	sc := &Scenario{Source: name}
	if err := d.noAliases(doc.Content[0]); err != nil {
		return nil, err
	}
	rejoinParens(doc.Content[0])
	if err := d.scenario(doc.Content[0], sc); err != nil {
		return nil, err
	}
	sc.fieldPos = d.fieldPos
	return sc.Resolve()
}

func tooBig(name string, size int64) error {
	return &Error{Pos: Pos{File: name}, Msg: fmt.Sprintf("the file is %d bytes; scenarios are limited to %d bytes (1 MiB)", size, MaxFileBytes)}
}

func yamlError(name string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, col := 0, 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ":"); ok {
			if v, err := strconv.Atoi(n); err == nil {
				line = v
				msg = strings.TrimSpace(after)
			}
		}
	}
	// The YAML library reports an unclosed collection at the line where
	// it opened, counted from zero (its scanner errors count from one):
	// point at the opening bracket instead.
	if open, ok := unclosed[msg]; ok && line > 0 {
		line++
		if c := lastOpen(data, line, open); c > 0 {
			col = c
			msg = fmt.Sprintf("this %q is never closed (%s)", string(open), msg)
		}
	}
	if line > 0 && col == 0 {
		col = 1
	}
	return &Error{Pos: Pos{File: name, Line: line, Col: col}, Msg: "not valid YAML: " + msg}
}

// unclosed maps the YAML library's "collection never ended" messages to
// the bracket that opened the collection.
var unclosed = map[string]byte{
	"did not find expected ',' or '}'": '{',
	"did not find expected ',' or ']'": '[',
}

// lastOpen returns the 1-based column of the last open bracket on a 1-based
// line that the line itself does not close (0 if none).
func lastOpen(data []byte, line int, open byte) int {
	lines := bytes.Split(data, []byte("\n"))
	if line > len(lines) {
		return 0
	}
	closeB := map[byte]byte{'{': '}', '[': ']'}[open]
	var stack []int
	for i, c := range lines[line-1] {
		switch c {
		case open:
			stack = append(stack, i+1)
		case closeB:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return 0
	}
	return stack[0]
}

type decoder struct {
	file string
	// fieldPos records where fields were written, for errors that Validate
	// finds later (see Scenario.at).
	fieldPos map[string]Pos
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line, Col: n.Column} }

// mark remembers where field was written.
func (d *decoder) mark(field string, n *yaml.Node) {
	if d.fieldPos == nil {
		d.fieldPos = map[string]Pos{}
	}
	d.fieldPos[field] = d.pos(n)
}

func (d *decoder) errf(n *yaml.Node, field, format string, args ...any) error {
	return &Error{Pos: d.pos(n), Field: field, Msg: fmt.Sprintf(format, args...)}
}

// noAliases rejects anchors and aliases: scenarios do not need them, and
// refusing them makes alias bombs impossible.
func (d *decoder) noAliases(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return d.errf(n, "", "YAML anchors and aliases are not supported in scenarios")
	}
	for _, c := range n.Content {
		if err := d.noAliases(c); err != nil {
			return err
		}
	}
	return nil
}

// rejoinParens repairs what YAML flow style does to a distribution: in
// {latency: uniform(1ms, 10ms)} the comma ends the value, leaving
// "uniform(1ms" and a key "10ms)" with no value. Such fragments are joined
// back, so scenarios may be written as the README shows.
func rejoinParens(n *yaml.Node) {
	for _, c := range n.Content {
		rejoinParens(c)
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	out := n.Content[:0:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		for v.Kind == yaml.ScalarNode && strings.Count(v.Value, "(") > strings.Count(v.Value, ")") &&
			i+3 < len(n.Content) && n.Content[i+3].Kind == yaml.ScalarNode && n.Content[i+3].Tag == "!!null" &&
			n.Content[i+2].Kind == yaml.ScalarNode {
			v.Value += ", " + n.Content[i+2].Value
			i += 2
		}
		out = append(out, k, v)
	}
	n.Content = out
}

// fields walks a mapping, dispatching each key to its handler and
// rejecting unknown or repeated keys with the list of known ones.
func (d *decoder) fields(n *yaml.Node, path string, handlers map[string]func(v *yaml.Node, field string) error, order []string) error {
	if n.Kind != yaml.MappingNode {
		return d.errf(n, path, "want a mapping with fields %s, got %s", strings.Join(order, ", "), describe(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := k.Value
		if path != "" {
			field = path + "." + k.Value
		}
		h, ok := handlers[k.Value]
		if !ok {
			return d.errf(k, field, "unknown field%s (want one of: %s)", didYouMean(k.Value, order), strings.Join(order, ", "))
		}
		if seen[k.Value] {
			return d.errf(k, field, "field given twice")
		}
		seen[k.Value] = true
		d.mark(field, v)
		if err := h(v, field); err != nil {
			return err
		}
	}
	return nil
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Value == "" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

func (d *decoder) scalar(n *yaml.Node, field, want string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", d.errf(n, field, "want %s, got %s", want, describe(n))
	}
	return n.Value, nil
}

func (d *decoder) str(dst *string) func(*yaml.Node, string) error {
	return func(n *yaml.Node, field string) error {
		s, err := d.scalar(n, field, "a string")
		*dst = s
		return err
	}
}

func (d *decoder) posInt(dst *int, want string) func(*yaml.Node, string) error {
	return func(n *yaml.Node, field string) error {
		s, err := d.scalar(n, field, want)
		if err != nil {
			return err
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return d.errf(n, field, "want %s, got %q", want, s)
		}
		*dst = v
		return nil
	}
}

// countInt is posInt for counts that must be at least 1 when written
// (leaving the field out takes the default; writing 0 is a mistake).
func (d *decoder) countInt(dst *int, want string) func(*yaml.Node, string) error {
	return func(n *yaml.Node, field string) error {
		if err := d.posInt(dst, want)(n, field); err != nil {
			return err
		}
		if *dst == 0 {
			return d.errf(n, field, "want %s, got 0", want)
		}
		return nil
	}
}

func (d *decoder) boolean(dst *bool) func(*yaml.Node, string) error {
	return func(n *yaml.Node, field string) error {
		s, err := d.scalar(n, field, "true or false")
		if err != nil {
			return err
		}
		switch s {
		case "true":
			*dst = true
		case "false":
			*dst = false
		default:
			return d.errf(n, field, "want true or false, got %q", s)
		}
		return nil
	}
}

func (d *decoder) duration(dst *time.Duration) func(*yaml.Node, string) error {
	return func(n *yaml.Node, field string) error {
		s, err := d.scalar(n, field, "a duration such as 500ms or 2s")
		if err != nil {
			return err
		}
		v, err := sim.ParseDuration(s)
		if err != nil || v < 0 {
			return d.errf(n, field, "want a non-negative duration such as 500ms or 2s, got %q", s)
		}
		*dst = v
		return nil
	}
}

// positiveDuration is duration for fields where zero would silently mean
// the default (or nothing): writing 0 is an error that says why.
func (d *decoder) positiveDuration(dst *time.Duration, why string) func(*yaml.Node, string) error {
	return func(n *yaml.Node, field string) error {
		if err := d.duration(dst)(n, field); err != nil {
			return err
		}
		if *dst == 0 {
			return d.errf(n, field, "want a positive duration: %s (leave the field out for the default)", why)
		}
		return nil
	}
}

// params decodes a mapping of a kind's parameters, as written (their
// specs check them once the kind is known).
func (d *decoder) params(v *yaml.Node, f string, into *[]Param) error {
	if v.Kind != yaml.MappingNode {
		return d.errf(v, f, "want a mapping of parameters, got %s", describe(v))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		if seen[k.Value] {
			return d.errf(k, f+"."+k.Value, "parameter given twice")
		}
		seen[k.Value] = true
		s, err := d.scalar(val, f+"."+k.Value, "a scalar value")
		if err != nil {
			return err
		}
		*into = append(*into, Param{Key: k.Value, Value: s, Pos: d.pos(val)})
	}
	return nil
}

// scalarAs decodes a scalar with parse into dst; a parse error is an error
// at the value, with parse's message.
func scalarAs[T any](d *decoder, dst *T, want string, parse func(string) (T, error)) func(*yaml.Node, string) error {
	return func(n *yaml.Node, field string) error {
		s, err := d.scalar(n, field, want)
		if err != nil {
			return err
		}
		v, err := parse(s)
		if err != nil {
			return d.errf(n, field, "%v", err)
		}
		*dst = v
		return nil
	}
}

// untrimmed drops the "sim: " prefix of sim's parse errors, which a field
// error already places.
func untrimmed[T any](parse func(string) (T, error)) func(string) (T, error) {
	return func(s string) (T, error) {
		v, err := parse(s)
		if err != nil {
			return v, errors.New(strings.TrimPrefix(err.Error(), "sim: "))
		}
		return v, nil
	}
}

func (d *decoder) promise(dst *Promise) func(*yaml.Node, string) error {
	return scalarAs(d, dst, "a consistency level", ParsePromise)
}

func (d *decoder) ppm(dst *int64) func(*yaml.Node, string) error {
	return scalarAs(d, dst, "a drift such as 100ppm", ParsePPM)
}

func (d *decoder) ratio(dst *sim.Ratio) func(*yaml.Node, string) error {
	return scalarAs(d, dst, "a ratio such as 1/100", untrimmed(sim.ParseRatio))
}

func (d *decoder) dist(dst *sim.Dist) func(*yaml.Node, string) error {
	return scalarAs(d, dst, "a duration or a distribution such as uniform(1ms, 10ms)", untrimmed(sim.ParseDist))
}

// nonZeroDist is dist for latencies, where the zero distribution means
// "use the default": an explicit zero is refused rather than silently
// replaced.
func (d *decoder) nonZeroDist(dst *sim.Dist) func(*yaml.Node, string) error {
	return func(n *yaml.Node, field string) error {
		if err := d.dist(dst)(n, field); err != nil {
			return err
		}
		if *dst == (sim.Dist{}) {
			return d.errf(n, field, "a latency of exactly 0 is not supported (it means the default); use a small value such as 1us")
		}
		return nil
	}
}

func (d *decoder) rangeOf(dst *Range) func(*yaml.Node, string) error {
	return scalarAs(d, dst, "a duration range such as 2s..5s", ParseRange)
}

// ParseRange reads "2s..5s" (or a single duration, meaning min = max).
func ParseRange(s string) (Range, error) {
	r, err := nemesis.ParseRange(s)
	if err != nil {
		return Range{}, fmt.Errorf("want a duration range such as 2s..5s: %v", err)
	}
	return r, nil
}

func (d *decoder) scenario(n *yaml.Node, sc *Scenario) error {
	var check *yaml.Node
	h := map[string]func(*yaml.Node, string) error{
		"version":     d.posInt(&sc.Version, "the schema version (1)"),
		"name":        d.str(&sc.Name),
		"description": d.str(&sc.Description),
		"cluster":     func(v *yaml.Node, f string) error { return d.cluster(v, f, &sc.Cluster) },
		"network":     func(v *yaml.Node, f string) error { return d.network(v, f, &sc.Network) },
		"clocks":      func(v *yaml.Node, f string) error { return d.clocks(v, f, &sc.Clocks) },
		"disk":        func(v *yaml.Node, f string) error { return d.disk(v, f, &sc.Disk) },
		"service":     func(v *yaml.Node, f string) error { return d.service(v, f, &sc.Service) },
		"workload":    func(v *yaml.Node, f string) error { return d.workload(v, f, &sc.Workload) },
		"nemesis":     func(v *yaml.Node, f string) error { return d.nemesis(v, f, &sc.Nemesis) },
		"swarm":       func(v *yaml.Node, f string) error { return d.swarm(v, f, &sc.Swarm) },
		"run":         func(v *yaml.Node, f string) error { return d.run(v, f, &sc.Run) },
		"compare":     func(v *yaml.Node, f string) error { return d.compare(v, f, &sc.Compare) },
		"promise":     d.promise(&sc.Promise),
		"check": func(v *yaml.Node, f string) error {
			check = v
			return d.stringList(v, f, &sc.Check)
		},
	}
	order := []string{"version", "name", "description", "cluster", "network", "clocks", "disk", "service", "workload", "nemesis", "swarm", "run", "check", "promise", "compare"}
	if err := d.fields(n, "", h, order); err != nil {
		return err
	}
	if sc.Version != 0 && sc.Version != SchemaVersion {
		return d.errf(n, "version", "this build reads scenario version %d, not %d", SchemaVersion, sc.Version)
	}
	if check != nil {
		for i := range sc.Check {
			d.mark(fmt.Sprintf("check[%d]", i), check.Content[i])
		}
	}
	return nil
}

func (d *decoder) stringList(n *yaml.Node, field string, dst *[]string) error {
	if n.Kind != yaml.SequenceNode {
		return d.errf(n, field, "want a list such as [a, b], got %s", describe(n))
	}
	for i, c := range n.Content {
		s, err := d.scalar(c, fmt.Sprintf("%s[%d]", field, i), "a string")
		if err != nil {
			return err
		}
		*dst = append(*dst, s)
	}
	return nil
}

func (d *decoder) cluster(n *yaml.Node, path string, c *Cluster) error {
	h := map[string]func(*yaml.Node, string) error{
		"node":   d.str(&c.Node),
		"size":   d.countInt(&c.Size, "a number of nodes from 1 to 1000"),
		"params": func(v *yaml.Node, f string) error { return d.params(v, f, &c.Params) },
	}
	return d.fields(n, path, h, []string{"node", "size", "params"})
}

func (d *decoder) network(n *yaml.Node, path string, nw *Network) error {
	return d.fields(n, path, map[string]func(*yaml.Node, string) error{
		"latency":   d.nonZeroDist(&nw.Latency),
		"drop":      d.ratio(&nw.Drop),
		"duplicate": d.ratio(&nw.Duplicate),
		"schedule":  scalarAs(d, &nw.Schedule, "a delivery schedule such as pct(3, 20ms)", untrimmed(sim.ParseSchedule)),
	}, []string{"latency", "drop", "duplicate", "schedule"})
}

func (d *decoder) clocks(n *yaml.Node, path string, c *Clocks) error {
	return d.fields(n, path, map[string]func(*yaml.Node, string) error{
		"skew":  d.duration(&c.Skew),
		"drift": d.ppm(&c.DriftPPM),
	}, []string{"skew", "drift"})
}

// ParsePPM reads a drift bound such as "100ppm" (the unit is required).
func ParsePPM(s string) (int64, error) {
	num, ok := strings.CutSuffix(strings.TrimSpace(s), "ppm")
	v, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(num), "+"), 10, 64)
	if !ok || err != nil || v < 0 || v > sim.MaxDriftPPM {
		return 0, fmt.Errorf("want a drift bound between 0ppm and %dppm, such as 100ppm, got %q", sim.MaxDriftPPM, s)
	}
	return v, nil
}

func (d *decoder) disk(n *yaml.Node, path string, dk *Disk) error {
	return d.fields(n, path, map[string]func(*yaml.Node, string) error{
		"sync_latency":           d.nonZeroDist(&dk.SyncLatency),
		"keep_unsynced_on_crash": d.boolean(&dk.KeepUnsyncedOnCrash),
	}, []string{"sync_latency", "keep_unsynced_on_crash"})
}

func (d *decoder) service(n *yaml.Node, path string, s *Service) error {
	return d.fields(n, path, map[string]func(*yaml.Node, string) error{
		"per_message": d.duration(&s.PerMessage),
		"per_sync":    d.duration(&s.PerSync),
	}, []string{"per_message", "per_sync"})
}

// workload decodes the common workload fields; every other key is one of
// the workload kind's own parameters, checked against its ParamSpecs by
// Validate once the kind is known.
func (d *decoder) workload(n *yaml.Node, path string, w *Workload) error {
	if n.Kind != yaml.MappingNode {
		return d.errf(n, path, "want a mapping with fields %s and the workload's own parameters, got %s", strings.Join(commonWorkloadFields, ", "), describe(n))
	}
	common := map[string]func(*yaml.Node, string) error{
		"kind":           d.str(&w.Kind),
		"clients":        d.countInt(&w.Clients, "a number of clients from 1 to 1000"),
		"keys":           d.countInt(&w.Keys, "a number of keys (at least 1)"),
		"timeout":        d.positiveDuration(&w.Timeout, "an operation timeout of 0 would end every operation at once"),
		"ops_per_client": d.posInt(&w.OpsPerClient, "the most ordinary operations each client issues, a whole number (0: no cap)"),
		"rate": func(v *yaml.Node, f string) error {
			s, err := d.scalar(v, f, "operations per second per client, such as 20/s")
			if err != nil {
				return err
			}
			r, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "/s"), 64)
			if err != nil || !(r >= 0.001 && r <= 1e6) && r != 0 {
				return d.errf(v, f, "want operations per second per client between 0.001/s and 1000000/s, such as 20/s, got %q", s)
			}
			w.Rate = r
			return nil
		},
		"mix": func(v *yaml.Node, f string) error {
			if v.Kind != yaml.MappingNode {
				return d.errf(v, f, "want a mapping of operation weights such as {get: 50, put: 50}, got %s", describe(v))
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, val := v.Content[i], v.Content[i+1]
				var wt int
				if err := d.posInt(&wt, "a non-negative weight")(val, f+"."+k.Value); err != nil {
					return err
				}
				if wt > maxMixWeight {
					return d.errf(val, f+"."+k.Value, "want a weight of at most %d, got %d", maxMixWeight, wt)
				}
				d.mark(f+"."+k.Value, k)
				w.Mix = append(w.Mix, MixEntry{Op: k.Value, Weight: wt})
			}
			return nil
		},
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := path + "." + k.Value
		if seen[k.Value] {
			return d.errf(k, field, "field given twice")
		}
		seen[k.Value] = true
		d.mark(field, v)
		if h, ok := common[k.Value]; ok {
			if err := h(v, field); err != nil {
				return err
			}
			continue
		}
		s, err := d.scalar(v, field, "a scalar value (a parameter of the workload kind)")
		if err != nil {
			return err
		}
		w.Params = append(w.Params, Param{Key: k.Value, Value: s, Pos: d.pos(v)})
	}
	return nil
}

func (d *decoder) nemesis(n *yaml.Node, path string, nm *Nemesis) error {
	return d.fields(n, path, map[string]func(*yaml.Node, string) error{
		"generate": func(v *yaml.Node, f string) error {
			g := &Generate{}
			nm.Generate = g
			var faults *yaml.Node
			err := d.fields(v, f, map[string]func(*yaml.Node, string) error{
				"faults":          func(v *yaml.Node, f string) error { faults = v; return d.stringList(v, f, &g.Faults) },
				"interval":        d.rangeOf(&g.Interval),
				"duration":        d.rangeOf(&g.Duration),
				"swarm":           d.boolean(&g.Swarm),
				"concurrent":      d.boolean(&g.Concurrent),
				"intensity":       func(v *yaml.Node, f string) error { return d.intensity(v, f, &g.Intensity) },
				"correlated":      d.boolean(&g.Correlated),
				"storm":           d.boolean(&g.Storm),
				"leader_fallback": d.boolean(&g.LeaderFallback),
				"send_storm":      d.boolean(&g.SendStorm),
			}, []string{"faults", "interval", "duration", "swarm", "concurrent", "intensity", "correlated", "storm", "leader_fallback", "send_storm"})
			if err != nil {
				return err
			}
			if faults != nil {
				for i, k := range g.Faults {
					if err := CheckFaultKind(k); err != nil {
						return d.errf(faults.Content[i], fmt.Sprintf("%s.faults[%d]", f, i), "%v", err)
					}
				}
			}
			return nil
		},
		"script": func(v *yaml.Node, f string) error {
			if v.Kind != yaml.SequenceNode {
				return d.errf(v, f, "want a list of steps such as - {at: 5s, fault: \"partition majority\", for: 10s}, got %s", describe(v))
			}
			for i, sv := range v.Content {
				st := Step{Pos: d.pos(sv)}
				sf := fmt.Sprintf("%s[%d]", f, i)
				var faultNode *yaml.Node
				err := d.fields(sv, sf, map[string]func(*yaml.Node, string) error{
					"at":    d.duration(&st.At),
					"fault": func(v *yaml.Node, f string) error { faultNode = v; return d.str(&st.Fault)(v, f) },
					"for":   d.duration(&st.For),
				}, []string{"at", "fault", "for"})
				if err != nil {
					return err
				}
				if faultNode == nil {
					return d.errf(sv, sf+".fault", "missing: every step needs a fault such as \"partition majority\"")
				}
				if err := CheckFault(st.Fault, 0); err != nil {
					return d.errf(faultNode, sf+".fault", "%v", err)
				}
				nm.Script = append(nm.Script, st)
			}
			return nil
		},
		"unbounded":                 d.boolean(&nm.Unbounded),
		"clients_follow_partitions": d.boolean(&nm.ClientsFollowPartitions),
		"beyond_budget":             d.boolean(&nm.BeyondBudget),
	}, []string{"generate", "script", "unbounded", "clients_follow_partitions", "beyond_budget"})
}

func (d *decoder) run(n *yaml.Node, path string, r *RunSpec) error {
	return d.fields(n, path, map[string]func(*yaml.Node, string) error{
		"duration": d.positiveDuration(&r.Duration, "a run of 0s runs nothing"),
		"heal":     d.positiveDuration(&r.Heal, "a heal of 0s leaves no time to judge liveness or convergence"),
		"max_events": func(v *yaml.Node, f string) error {
			s, err := d.scalar(v, f, "a number of events")
			if err != nil {
				return err
			}
			x, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return d.errf(v, f, "want a number of events, got %q", s)
			}
			r.MaxEvents = x
			return nil
		},
	}, []string{"duration", "heal", "max_events"})
}

// DidYouMean is didYouMean for callers outside the package (a mistyped
// command, scenario name or flag value).
func DidYouMean(word string, options []string) string {
	return didYouMean(word, slices.Sorted(slices.Values(options)))
}

// didYouMean suggests the closest of options to a misspelt word (edit
// distance at most 2), as ` (did you mean "x"?)`, or "".
func didYouMean(word string, options []string) string {
	best, bestD := "", 3
	for _, o := range options {
		if d := editDistance(word, o); d < bestD && d < len(word) {
			best, bestD = o, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// compare decodes a list of variants: {name, node, params, workload, promise}.
func (d *decoder) compare(n *yaml.Node, path string, dst *[]Variant) error {
	if n.Kind != yaml.SequenceNode {
		return d.errf(n, path, "want a list of protocols such as - {node: raftkv}, got %s", describe(n))
	}
	for i, vn := range n.Content {
		v := Variant{Pos: d.pos(vn)}
		f := fmt.Sprintf("%s[%d]", path, i)
		var node *yaml.Node
		err := d.fields(vn, f, map[string]func(*yaml.Node, string) error{
			"name":     d.str(&v.Name),
			"node":     func(x *yaml.Node, f string) error { node = x; return d.str(&v.Node)(x, f) },
			"params":   func(x *yaml.Node, f string) error { return d.params(x, f, &v.Params) },
			"workload": func(x *yaml.Node, f string) error { return d.params(x, f, &v.Workload) },
			"promise":  d.promise(&v.Promise),
		}, []string{"name", "node", "params", "workload", "promise"})
		if err != nil {
			return err
		}
		if node == nil {
			return d.errf(vn, f+".node", "missing: every protocol to compare names its node kind")
		}
		v.Pos = d.pos(node)
		*dst = append(*dst, v)
	}
	return nil
}

// intensityFields are the generated faults' knobs, as YAML names them.
func intensityFields(in *nemesis.Intensity) []struct {
	key  string
	dur  *time.Duration
	rng  *Range
	rat  *sim.Ratio
	ppm  *int64
	help string
} {
	type f = struct {
		key  string
		dur  *time.Duration
		rng  *Range
		rat  *sim.Ratio
		ppm  *int64
		help string
	}
	return []f{
		{key: "drop", rat: &in.Drop}, {key: "delay", rng: &in.Delay}, {key: "duplicate", rat: &in.Duplicate},
		{key: "reorder", rat: &in.Reorder}, {key: "reorder_max", dur: &in.ReorderMax}, {key: "skew", dur: &in.Skew},
		{key: "drift", ppm: &in.DriftPPM}, {key: "jump", dur: &in.Jump}, {key: "strobe_amplitude", dur: &in.StrobeAmplitude},
		{key: "strobe_period", dur: &in.StrobePeriod}, {key: "crash_loop", rng: &in.CrashLoop},
		{key: "tear", rat: &in.Tear}, {key: "flip", rat: &in.Flip},
	}
}

// intensity decodes nemesis.generate.intensity.
func (d *decoder) intensity(n *yaml.Node, path string, in *nemesis.Intensity) error {
	h := map[string]func(*yaml.Node, string) error{}
	var order []string
	for _, fl := range intensityFields(in) {
		order = append(order, fl.key)
		switch {
		case fl.dur != nil:
			h[fl.key] = d.duration(fl.dur)
		case fl.rng != nil:
			rng := fl.rng
			h[fl.key] = func(v *yaml.Node, f string) error {
				if err := d.rangeOf(rng)(v, f); err != nil {
					return err
				}
				if rng.Min <= 0 {
					return d.errf(v, f, "want a range of positive durations, got %v", *rng)
				}
				return nil
			}
		case fl.rat != nil:
			h[fl.key] = d.ratio(fl.rat)
		case fl.ppm != nil:
			h[fl.key] = d.ppm(fl.ppm)
		}
	}
	return d.fields(n, path, h, order)
}
