package durable

import (
	"encoding/json"
	"fmt"

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
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("durable: encoding %T: %v", v, err))
	}
	st.Append(file, AppendFrame(make([]byte, 0, 8+len(body)), body))
}

// ReadLog decodes every whole record of file, in order, into a fresh T
// each and passes it to each. At the first torn or corrupt frame it stops
// and rewrites the file to the records before it (truncated reports that;
// the rewrite, too, is durable only after the caller's next sync). A
// missing file is an empty log.
func ReadLog[T any](st nodes.Store, file string, each func(T)) (n int, truncated bool) {
	return ReadRecords(st, file, func(body []byte) error {
		var v T
		if err := json.Unmarshal(body, &v); err != nil {
			return err
		}
		each(v)
		return nil
	})
}
