package cli

import "strings"

// shellQuote returns s as one POSIX shell word: unchanged when it is made
// of characters no shell treats specially, otherwise in single quotes
// (a quote inside closes them, adds a backslash-escaped quote and reopens
// them). File arguments in printed commands go through it, so a path with
// spaces or quotes pastes back as itself.
func shellQuote(s string) string {
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
