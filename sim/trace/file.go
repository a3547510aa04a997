package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/faultline/faultline/nodes"
)

// FormatVersion is the version of the trace file format written by Writer.
const FormatVersion = 1

// Header is the first line of a trace file.
type Header struct {
	Faultline int    `json:"faultline_trace"` // FormatVersion
	Seed      uint64 `json:"seed"`
	Scenario  string `json:"scenario,omitempty"`
	Nodes     int    `json:"nodes"`
	Clients   int    `json:"clients"`
	Repro     string `json:"repro,omitempty"` // the command that reproduces the run
}

// Footer is the last line of a complete trace file.
type Footer struct {
	End    bool          `json:"end"`
	Events uint64        `json:"events"`
	At     time.Duration `json:"at_ns"`
	Hash   string        `json:"hash"`
	// Outcome is how the simulation ended: the text of sim.Outcome
	// (deadline, quiescent, budget, panic, violation; sim.ParseOutcome
	// reads it).
	Outcome string `json:"outcome"`
	// Status is the verdict of the harness that judged the run, if one did
	// (scenarios.Status: valid, invalid, liveness, panic, unknown).
	Status string `json:"status,omitempty"`
	// Truncated counts the events of the run the file does not hold: the
	// writer reached its bound and stopped writing them, after a Mark of
	// type MarkTruncated where it cut. Events still counts every event of
	// the run, and Hash covers them all.
	Truncated uint64 `json:"truncated,omitempty"`
}

// record is the JSON form of one event (see docs/TRACE_FORMAT.md).
type record struct {
	Seq     uint64        `json:"seq"`
	At      time.Duration `json:"at_ns"`
	Kind    string        `json:"kind"`
	Node    string        `json:"node,omitempty"`
	Peer    string        `json:"peer,omitempty"`
	ID      uint64        `json:"id,omitempty"`
	Num     int64         `json:"num,omitempty"`
	Type    string        `json:"type,omitempty"`
	Note    string        `json:"note,omitempty"`
	Text    string        `json:"text,omitempty"`
	Op      *opRecord     `json:"op,omitempty"`
	Outcome string        `json:"outcome,omitempty"`
}

type opRecord struct {
	Kind   nodes.OpKind `json:"f"`
	Key    string       `json:"key,omitempty"`
	Value  string       `json:"value,omitempty"`
	Expect string       `json:"expect,omitempty"`
	Output string       `json:"output,omitempty"`
	Exists bool         `json:"exists,omitempty"`
}

func idString(id nodes.ID) string {
	if id == 0 {
		return ""
	}
	return id.String()
}

// Writer writes a trace file: a header line, one JSON object per event,
// and a footer line.
type Writer struct {
	w   *bufio.Writer
	enc *json.Encoder
	n   counter
}

// counter counts the bytes written through it.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// NewWriter writes h to w and returns a Writer for the events.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	h.Faultline = FormatVersion
	bw := bufio.NewWriterSize(w, 1<<16)
	tw := &Writer{w: bw}
	tw.n.w = bw
	tw.enc = json.NewEncoder(&tw.n)
	tw.enc.SetEscapeHTML(false)
	return tw, tw.enc.Encode(h)
}

// MaxTextBytes bounds an event's note and text as written: a node that
// logs megabytes (or panics with them) still writes a trace readers open.
// The hash covers the full text; only the file's copy is cut.
const MaxTextBytes = 64 << 10

// MaxLineBytes bounds one line Read accepts; Writer's lines stay far
// below it.
const MaxLineBytes = 16 << 20

// MaxProcesses bounds the nodes and the clients a header may declare.
const MaxProcesses = 100_000

// Bound cuts s to at most max bytes (at a UTF-8 boundary), saying how much
// it cut.
func Bound(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf(" …[%d bytes cut]", len(s)-cut)
}

// Write appends one event.
func (tw *Writer) Write(e *Event) error {
	r := record{Seq: e.Seq, At: e.At, Kind: e.Kind.String(), Node: idString(e.Node), Peer: idString(e.Peer),
		ID: e.ID, Num: e.Num, Type: e.Type, Note: Bound(e.Note, MaxTextBytes), Text: Bound(e.Text, MaxTextBytes)}
	if e.Kind == Invoke || e.Kind == Return {
		r.Op = &opRecord{e.Op.Kind, e.Op.Key, e.Op.Value, e.Op.Expect, e.Op.Output, e.Op.Exists}
		if e.Kind == Return {
			r.Outcome = e.Outcome.String()
		}
	}
	return tw.enc.Encode(&r)
}

// Written is how many bytes the writer has written so far, header
// included (buffered ones too).
func (tw *Writer) Written() int64 { return tw.n.n }

// Close writes the footer and flushes.
func (tw *Writer) Close(f Footer) error {
	f.End = true
	if err := tw.enc.Encode(f); err != nil {
		return err
	}
	return tw.w.Flush()
}

// File is a trace read back from disk.
type File struct {
	Header Header
	Events []Event
	Footer *Footer // nil if the file was cut short
}

// Read parses a trace file. Errors name the line. A file cut short — no
// footer, perhaps a last line cut mid-way by a crash — is not an error:
// Read returns the events before the cut, with a nil Footer.
func Read(r io.Reader, name string) (*File, error) { return ReadKinds(r, name) }

// ReadKinds is Read keeping only the events of the given kinds (every
// event when none is given): a reader that needs a few kinds of a long
// trace holds only those.
func ReadKinds(r io.Reader, name string, kinds ...Kind) (*File, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	f := &File{}
	line := 0
	header := false
	for {
		b, complete, err := readLine(br)
		if err == errLineTooLong {
			return nil, fmt.Errorf("trace: %s:%d: line longer than %d MiB (Faultline writes short lines: not a trace, or corrupt)", name, line+1, MaxLineBytes>>20)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("trace: %s:%d: %v", name, line+1, err)
		}
		if len(b) == 0 && err == io.EOF {
			break
		}
		line++
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if !header {
			header = true
			if err := json.Unmarshal(b, &f.Header); err != nil || f.Header.Faultline == 0 {
				hint := ""
				if bytes.Contains(b, []byte(`"faultline_results"`)) {
					hint = "; this is a results file (read it with run --out, or replay a seed to get its trace)"
				} else if bytes.Contains(b, []byte(`"faultline_history"`)) {
					hint = "; this is a history (check reads it)"
				}
				return nil, fmt.Errorf("trace: %s:%d: not a Faultline trace (missing header with \"faultline_trace\")%s", name, line, hint)
			}
			if f.Header.Faultline > FormatVersion {
				return nil, fmt.Errorf("trace: %s:%d: format version %d is newer than this build reads (%d)", name, line, f.Header.Faultline, FormatVersion)
			}
			if h := f.Header; h.Nodes < 0 || h.Nodes > MaxProcesses || h.Clients < 0 || h.Clients > MaxProcesses {
				return nil, fmt.Errorf("trace: %s:%d: header declares %d nodes and %d clients; a trace has at most %d of each", name, line, h.Nodes, h.Clients, MaxProcesses)
			}
			continue
		}
		if f.Footer != nil {
			return nil, fmt.Errorf("trace: %s:%d: data after the footer", name, line)
		}
		e, ft, perr := parseRecord(b)
		if perr != nil {
			if !complete {
				break // the last line, cut mid-way: the file was cut short
			}
			return nil, fmt.Errorf("trace: %s:%d: %v", name, line, perr)
		}
		if ft != nil {
			f.Footer = ft
			continue
		}
		if len(kinds) > 0 && !slices.Contains(kinds, e.Kind) {
			continue
		}
		f.Events = append(f.Events, e)
	}
	if !header {
		return nil, fmt.Errorf("trace: %s: empty file", name)
	}
	return f, nil
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its newline, and whether the
// newline was there (false for a last line cut short).
func readLine(br *bufio.Reader) (line []byte, complete bool, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		if len(line)+len(frag) > MaxLineBytes {
			return nil, false, errLineTooLong
		}
		if err == bufio.ErrBufferFull {
			line = append(line, frag...)
			continue
		}
		if err == nil {
			if line == nil {
				return frag[:len(frag)-1], true, nil
			}
			return append(line, frag[:len(frag)-1]...), true, nil
		}
		return append(line, frag...), false, err
	}
}

// parseRecord decodes one event line, or the footer.
func parseRecord(b []byte) (Event, *Footer, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return Event{}, nil, err
	}
	if r.Kind == "" {
		var ft Footer
		if err := json.Unmarshal(b, &ft); err == nil && ft.End {
			return Event{}, &ft, nil
		}
		return Event{}, nil, errors.New(`record has no "kind"`)
	}
	e, err := r.event()
	return e, nil, err
}

func parseIDField(s, field string) (nodes.ID, error) {
	if s == "" {
		return 0, nil
	}
	id, ok := nodes.ParseID(s)
	if !ok {
		return 0, fmt.Errorf("field %q: bad process id %q (want n<k> or c<k>)", field, s)
	}
	return id, nil
}

func (r *record) event() (Event, error) {
	k, ok := ParseKind(r.Kind)
	if !ok {
		return Event{}, fmt.Errorf("field \"kind\": unknown event kind %q", r.Kind)
	}
	node, err := parseIDField(r.Node, "node")
	if err != nil {
		return Event{}, err
	}
	peer, err := parseIDField(r.Peer, "peer")
	if err != nil {
		return Event{}, err
	}
	e := Event{Seq: r.Seq, At: r.At, Kind: k, Node: node, Peer: peer, ID: r.ID, Num: r.Num,
		Type: r.Type, Note: r.Note, Text: r.Text}
	if r.Op != nil {
		e.Op = nodes.Op{Kind: r.Op.Kind, Key: r.Op.Key, Value: r.Op.Value, Expect: r.Op.Expect, Output: r.Op.Output, Exists: r.Op.Exists}
	}
	if r.Outcome != "" {
		switch r.Outcome {
		case "ok":
			e.Outcome = nodes.OK
		case "fail":
			e.Outcome = nodes.Fail
		case "info":
			e.Outcome = nodes.Info
		default:
			return Event{}, errors.New("field \"outcome\": want ok, fail or info, got " + fmt.Sprintf("%q", r.Outcome))
		}
	}
	return e, nil
}
