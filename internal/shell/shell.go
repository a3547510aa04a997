// Package shell quotes words for the POSIX shell, for every command line
// Faultline prints to be pasted back (reproduce, replay, view).
package shell

import "strings"

// Quote returns s as one POSIX shell word: unchanged when it is made
// of characters no shell treats specially, otherwise in single quotes
// (a quote inside closes them, adds a backslash-escaped quote and reopens
// them). Every argument of a printed command goes through it, so a path with
// spaces or quotes pastes back as itself.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for i := 0; i < len(s) && safe; i++ {
		c := s[i]
		safe = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("%+,-./:=@_", c) >= 0
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
