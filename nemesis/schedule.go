package nemesis

import (
	"fmt"
	"strings"
	"time"
)

// Step is one line of a schedule: start Fault at At and stop it For later.
// For == 0 means "until the heal" (or, for an instantaneous fault, nothing:
// restart, clock-reset and heal take no for).
type Step struct {
	At    time.Duration
	For   time.Duration
	Fault Fault
}

// String renders the step as "at 5s for 10s: partition majority" or
// "at 20s: restart n2".
func (s Step) String() string {
	head := "at " + fmtDur(s.At)
	if s.For != 0 {
		head += " for " + fmtDur(s.For)
	}
	return head + ": " + s.Fault.String()
}

// ParseStep reads the form Step.String writes.
func ParseStep(line string) (Step, error) {
	s, err := parseStep(line)
	if err != nil {
		return Step{}, fmt.Errorf("nemesis: step %q: %v", strings.TrimSpace(line), err)
	}
	return s, nil
}

func parseStep(line string) (Step, error) {
	head, text, ok := strings.Cut(line, ":")
	if !ok {
		return Step{}, fmt.Errorf("want \"at TIME [for DURATION]: FAULT\", such as \"at 5s for 10s: partition majority\"")
	}
	words := strings.Fields(head)
	var st Step
	if len(words) != 2 && len(words) != 4 || words[0] != "at" || len(words) == 4 && words[2] != "for" {
		return Step{}, fmt.Errorf("%q: want \"at TIME\" or \"at TIME for DURATION\" before the colon", strings.TrimSpace(head))
	}
	var err error
	if st.At, err = parseDur(words[1]); err != nil {
		return Step{}, fmt.Errorf("at: %v", err)
	}
	if st.At < 0 {
		return Step{}, fmt.Errorf("at %s: time must not be negative", words[1])
	}
	if len(words) == 4 {
		if st.For, err = parsePositive("for", words[3]); err != nil {
			return Step{}, err
		}
	}
	if st.Fault, err = parse(text); err != nil {
		return Step{}, fmt.Errorf("fault %q: %v", strings.TrimSpace(text), err)
	}
	return st, nil
}

// Schedule is a nemesis script: steps in order of their start times. It is
// plain data; String and ParseSchedule convert it to and from text, one
// step per line.
type Schedule struct {
	Steps []Step
}

// String renders one step per line, each line ended by a newline.
func (s Schedule) String() string {
	var b strings.Builder
	for _, st := range s.Steps {
		b.WriteString(st.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseSchedule reads one step per line; blank lines and lines starting
// with # are ignored. Errors name the line.
func ParseSchedule(text string) (Schedule, error) {
	var s Schedule
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		st, err := parseStep(t)
		if err != nil {
			return Schedule{}, fmt.Errorf("nemesis: line %d: %v", i+1, err)
		}
		s.Steps = append(s.Steps, st)
	}
	return s, nil
}

// Check validates the schedule for a cluster of n servers healed at healAt
// (0: no heal phase): explicit ids exist, steps are in time order and start
// before the heal, instantaneous faults take no for, and every heal step
// has something to heal. Errors name the step (1-based) and its text.
func (s Schedule) Check(n int, healAt time.Duration) error {
	for i, st := range s.Steps {
		if err := s.checkStep(i, n, healAt); err != nil {
			return fmt.Errorf("nemesis: step %d (%s): %v", i+1, st, err)
		}
	}
	return nil
}

func (s Schedule) checkStep(i, n int, healAt time.Duration) error {
	st := s.Steps[i]
	if st.Fault == nil {
		return fmt.Errorf("no fault")
	}
	kind := st.Fault.Kind()
	switch {
	case i > 0 && st.At < s.Steps[i-1].At:
		return fmt.Errorf("starts before the previous step (at %v): steps must be in time order", s.Steps[i-1].At)
	case healAt > 0 && st.At >= healAt:
		return fmt.Errorf("starts at or after the heal at %v", healAt)
	case st.For < 0:
		return fmt.Errorf("negative duration")
	case st.For != 0 && Instant(kind):
		return fmt.Errorf("%s is instantaneous: it takes no \"for\"", kind)
	}
	if err := st.Fault.Check(n); err != nil {
		return err
	}
	if kind == "heal" && !s.activeAt(i) {
		return fmt.Errorf("nothing to heal: no fault is active at %v", st.At)
	}
	return nil
}

// activeAt reports whether some earlier lasting fault is still active when
// step i starts (not stopped by its for, nor by an earlier heal).
func (s Schedule) activeAt(i int) bool {
	t := s.Steps[i].At
	for j := i - 1; j >= 0; j-- {
		st := s.Steps[j]
		if st.Fault.Kind() == "heal" {
			return false
		}
		if Instant(st.Fault.Kind()) {
			continue
		}
		if st.For == 0 || st.At+st.For > t {
			return true
		}
	}
	return false
}
