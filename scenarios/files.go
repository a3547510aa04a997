package scenarios

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SafeDirName turns a scenario (or test) name into one path element that
// cannot leave the directory it is joined to: "/" becomes "__", anything
// but ASCII letters, digits, '-', '_' and '.' becomes '_', a leading dot
// becomes '_', and a name longer than 80 bytes is cut and ends with a hash
// of the whole. `name: ../../elsewhere` then writes out/______elsewhere,
// not outside out/.
func SafeDirName(name string) string {
	const max = 80
	b := []byte(strings.ReplaceAll(name, "/", "__"))
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "unnamed"
	}
	if b[0] == '.' {
		b[0] = '_'
	}
	if len(b) > max {
		h := fnv.New64a()
		h.Write([]byte(name))
		b = fmt.Appendf(b[:max-17], "-%016x", h.Sum64())
	}
	return string(b)
}

// writtenMark is the file Faultline leaves in every directory it writes a
// seed's artifacts to: only a directory that holds it is ever replaced.
const writtenMark = ".faultline"

// replaceDir moves the freshly written tmp to final, replacing a final
// that Faultline wrote before; a final that it did not write (no mark) is
// an error, and nothing of the user's is removed.
func replaceDir(tmp, final string) error {
	if st, err := os.Lstat(final); err == nil {
		if !st.IsDir() || st.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("scenarios: %s exists and is not a directory Faultline wrote; leaving it alone", final)
		}
		if _, err := os.Stat(filepath.Join(final, writtenMark)); err != nil {
			return fmt.Errorf("scenarios: %s exists and was not written by Faultline (no %s in it); leaving it alone", final, writtenMark)
		}
		if err := os.RemoveAll(final); err != nil {
			return fmt.Errorf("scenarios: %v", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("scenarios: %v", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("scenarios: %v", err)
	}
	return syncDir(filepath.Dir(final))
}

// noSymlink refuses a path that is a symbolic link: Faultline writes only
// the files it names, never where a link points.
func noSymlink(path string) error {
	if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("scenarios: %s is a symbolic link; Faultline does not write through links (remove it or choose another --out)", path)
	}
	return nil
}

// syncDir makes a directory's entries (a rename, a new file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("scenarios: %v", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("scenarios: syncing %s: %v", dir, err)
	}
	return nil
}
