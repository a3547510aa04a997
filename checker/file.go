package checker

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// A Format is a history file format.
type Format string

const (
	FormatJSON  Format = "json"  // Faultline's JSON Lines (see ReadJSON)
	FormatEtcd  Format = "etcd"  // Jepsen etcd register log (see ReadEtcdLog)
	FormatKVLog Format = "kvlog" // Porcupine's KV log (see ReadKVLog)
	// FormatEDN (edn.go) is a Jepsen history.edn (see ReadEDN).
)

// DetectFormat guesses the format from the first non-blank line: an EDN
// map is a Porcupine KV log when it has that log's exact shape and a Jepsen
// EDN history otherwise, a JSON object is Faultline JSON, a "jepsen.util"
// line is an etcd log. An empty input is JSON (an empty
// history).
func DetectFormat(firstLine string) (Format, bool) {
	s := strings.TrimSpace(firstLine)
	switch {
	case s == "":
		return FormatJSON, true
	case strings.HasPrefix(s, "{:") && kvLine.MatchString(s):
		return FormatKVLog, true
	case strings.HasPrefix(s, "{:"):
		return FormatEDN, true
	case strings.HasPrefix(s, "{"):
		return FormatJSON, true
	case strings.Contains(s, "jepsen.util"):
		return FormatEtcd, true
	}
	return "", false
}

// Read reads a history in the given format.
func Read(r io.Reader, name string, f Format) (*History, error) {
	switch f {
	case FormatJSON:
		return ReadJSON(r, name)
	case FormatEtcd:
		return ReadEtcdLog(r, name)
	case FormatKVLog:
		return ReadKVLog(r, name)
	case FormatEDN:
		return ReadEDN(r, name)
	}
	return nil, fmt.Errorf("checker: %s: unknown format %q (want json, etcd, kvlog or edn)", name, f)
}

// ReadFile reads the history at path, detecting its format.
func ReadFile(path string) (*History, Format, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("checker: %w", err)
	}
	name := filepath.Base(path)
	first, lineNo := firstLine(data)
	f, ok := DetectFormat(first)
	if !ok {
		return nil, "", fmt.Errorf("checker: %s:%d: unrecognized history format: %q (want Faultline JSON Lines, a Jepsen history.edn or etcd log, or a Porcupine KV log)", name, lineNo, truncate(first))
	}
	h, err := Read(bytes.NewReader(data), name, f)
	return h, f, err
}

func firstLine(data []byte) (string, int) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		if !isBlank(sc.Text()) {
			return sc.Text(), n
		}
	}
	return "", n
}

// CheckFile reads the history at path (any Format) and runs the default
// checkers for it (see Check). The error is for unreadable or malformed
// input only and points at file:line; what the checkers conclude is in the
// Result.
func CheckFile(path string, opts Options) (Result, error) {
	h, _, err := ReadFile(path)
	if err != nil {
		return Result{}, err
	}
	return Check(h, opts), nil
}
