package trace

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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
}

// NewWriter writes h to w and returns a Writer for the events.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	h.Faultline = FormatVersion
	bw := bufio.NewWriterSize(w, 1<<16)
	tw := &Writer{w: bw, enc: json.NewEncoder(bw)}
	tw.enc.SetEscapeHTML(false)
	return tw, tw.enc.Encode(h)
}

// Write appends one event.
func (tw *Writer) Write(e *Event) error {
	r := record{Seq: e.Seq, At: e.At, Kind: e.Kind.String(), Node: idString(e.Node), Peer: idString(e.Peer),
		ID: e.ID, Num: e.Num, Type: e.Type, Note: e.Note, Text: e.Text}
	if e.Kind == Invoke || e.Kind == Return {
		r.Op = &opRecord{e.Op.Kind, e.Op.Key, e.Op.Value, e.Op.Expect, e.Op.Output, e.Op.Exists}
		if e.Kind == Return {
			r.Outcome = e.Outcome.String()
		}
	}
	return tw.enc.Encode(&r)
}

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

// Read parses a trace file. Errors name the line.
func Read(r io.Reader, name string) (*File, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	f := &File{}
	line := 0
	header := false
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		if !header {
			header = true
			if err := json.Unmarshal(b, &f.Header); err != nil || f.Header.Faultline == 0 {
				return nil, fmt.Errorf("trace: %s:%d: not a Faultline trace (missing header with \"faultline_trace\")", name, line)
			}
			if f.Header.Faultline > FormatVersion {
				return nil, fmt.Errorf("trace: %s:%d: format version %d is newer than this build reads (%d)", name, line, f.Header.Faultline, FormatVersion)
			}
			continue
		}
		if f.Footer != nil {
			return nil, fmt.Errorf("trace: %s:%d: data after the footer", name, line)
		}
		var r record
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("trace: %s:%d: %v", name, line, err)
		}
		if r.Kind == "" {
			var ft Footer
			if err := json.Unmarshal(b, &ft); err == nil && ft.End {
				f.Footer = &ft
				continue
			}
			return nil, fmt.Errorf("trace: %s:%d: record has no \"kind\"", name, line)
		}
		e, err := r.event()
		if err != nil {
			return nil, fmt.Errorf("trace: %s:%d: %v", name, line, err)
		}
		f.Events = append(f.Events, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("trace: %s:%d: %v", name, line+1, err)
	}
	if !header {
		return nil, fmt.Errorf("trace: %s: empty file", name)
	}
	return f, nil
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
