package trace

import "fmt"

// MarkType says what a Mark event marks. It is stored in the event's Type
// field; [Event.MarkType] reads it back.
type MarkType string

// The mark types. Their text is part of the trace format.
const (
	// MarkPhase: the run entered a phase (safety, heal, end of the quiet
	// period); Text says which.
	MarkPhase MarkType = "phase"
	// MarkProbe: a coverage probe was reached for the first time in the
	// run; Text is the probe's name.
	MarkProbe MarkType = "probe"
	// MarkNemesisSkip: a scheduled fault did not start; Text is the
	// fault's text, ": " and the reason.
	MarkNemesisSkip MarkType = "nemesis-skip"
	// MarkTruncated: a trace file stops here: it reached the size bound
	// of its writer, and the run's later events are not in the file (the
	// footer's Truncated counts them). Only files carry it, never a run.
	MarkTruncated MarkType = "truncated"
)

// MarkTypes returns every mark type in order.
func MarkTypes() []MarkType {
	return []MarkType{MarkPhase, MarkProbe, MarkNemesisSkip, MarkTruncated}
}

func (t MarkType) String() string { return string(t) }

// ParseMarkType is the inverse of MarkType.String.
func ParseMarkType(s string) (MarkType, error) {
	for _, t := range MarkTypes() {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("trace: unknown mark type %q (want phase, probe, nemesis-skip or truncated)", s)
}

// MarkType returns the type of a Mark event, and "" for other kinds.
func (e *Event) MarkType() MarkType {
	if e.Kind != Mark {
		return ""
	}
	return MarkType(e.Type)
}

// ViolationType says which check a Violation event reports. It is stored
// in the event's Type field; [Event.ViolationType] reads it back.
type ViolationType string

// The violation types. Their text is part of the trace format.
const (
	// ViolationOnline: an online invariant failed at this very step (the
	// simulator stopped the run here). Its text is empty.
	ViolationOnline ViolationType = ""
	// ViolationLinearizability: the offline linearizability check failed.
	// The event is appended after the run (see docs/TRACE_FORMAT.md); Node
	// is the client whose operation no order can place and Note lists the
	// operations to highlight.
	ViolationLinearizability ViolationType = "linearizability"
)

// ViolationTypes returns every violation type in order.
func ViolationTypes() []ViolationType {
	return []ViolationType{ViolationOnline, ViolationLinearizability}
}

// String is the type's text; the online type, whose text is empty, prints
// as "online".
func (t ViolationType) String() string {
	if t == ViolationOnline {
		return "online"
	}
	return string(t)
}

// ParseViolationType is the inverse of ViolationType.String; the stored
// text of the online type ("") parses too.
func ParseViolationType(s string) (ViolationType, error) {
	switch s {
	case "", "online":
		return ViolationOnline, nil
	case string(ViolationLinearizability):
		return ViolationLinearizability, nil
	}
	return "", fmt.Errorf("trace: unknown violation type %q (want online or linearizability)", s)
}

// ViolationType returns the type of a Violation event, and "" (the online
// type) for other kinds.
func (e *Event) ViolationType() ViolationType {
	if e.Kind != Violation {
		return ViolationOnline
	}
	return ViolationType(e.Type)
}
