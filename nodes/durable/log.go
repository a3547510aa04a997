package durable

import (
	"encoding/binary"

	"github.com/faultline/faultline/nodes"
)

// A log is a file of framed records, each appended with one store write: a
// 4-byte big-endian length, then the record sealed by SealJSON. A crash
// under the tear fault leaves at most the last unsynced record torn;
// ReadLog stops there and cuts the file back to the whole records before
// it, so that records appended after a recovery are not hidden behind the
// torn one at the next.

// AppendJSON appends v to file as one framed record. Like every store
// write it is durable only after a sync.
func AppendJSON(st nodes.Store, file string, v any) {
	rec := SealJSON(v)
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(rec)), uint32(len(rec)))
	st.Append(file, append(frame, rec...))
}

// ReadLog decodes every whole record of file, in order, into a fresh T
// each and passes it to each. At the first torn or corrupt frame it stops
// and rewrites the file to the records before it (truncated reports that;
// the rewrite, too, is durable only after the caller's next sync). A
// missing file is an empty log.
func ReadLog[T any](st nodes.Store, file string, each func(T)) (n int, truncated bool) {
	b, err := st.Read(file)
	if err != nil {
		return 0, false
	}
	off := 0
	for off < len(b) {
		rest := b[off:]
		if len(rest) < 4 || int(binary.BigEndian.Uint32(rest)) > len(rest)-4 {
			break
		}
		size := int(binary.BigEndian.Uint32(rest))
		var v T
		if err := OpenJSON(rest[4:4+size], &v); err != nil {
			break
		}
		each(v)
		n++
		off += 4 + size
	}
	if off < len(b) {
		st.Write(file, b[:off])
		return n, true
	}
	return n, false
}
