package scenarios

import (
	"errors"
	"strings"
)

// CheckFaultKind validates a fault kind name for a generated nemesis.
// TODO(nemesis): delegate to the nemesis registry once it lands.
func CheckFaultKind(kind string) error {
	if strings.TrimSpace(kind) == "" {
		return errors.New("empty fault kind")
	}
	return nil
}

// CheckFault validates a fault's text form.
func CheckFault(text string) error {
	if strings.TrimSpace(text) == "" {
		return errors.New("empty fault")
	}
	return nil
}

// FaultHelp lists fault kinds with their syntax, for `faultline list`.
func FaultHelp() [][2]string { return nil }
