package queue

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
)

// The files a broker keeps in its store (see the package doc).
const (
	ViewFile     = "queue-view"
	SnapshotFile = "queue-snapshot"
	LogFile      = "queue-log"
)

// CompactEvery is how many logged operations a broker keeps before it
// writes a new snapshot and empties its operation log.
const CompactEvery = 256

// viewRecord is the view file: the highest view accepted and its primary.
type viewRecord struct {
	View    uint64
	Primary nodes.ID
}

// snapRecord is the snapshot file. Epoch numbers the snapshots this server
// wrote; log entries carry the epoch of the snapshot they follow, so a
// log left over from an older state is never replayed onto a newer one.
type snapRecord struct {
	Epoch uint64
	Snap  Snapshot
}

// logEntry is one operation of the log file, applied as op OpNum.
type logEntry struct {
	Epoch  uint64
	OpNum  uint64
	Client nodes.ID
	Seq    uint64
	Op     Op
}

// recovered is what a store holds.
type recovered struct {
	view    viewRecord
	snap    snapRecord
	entries []logEntry
	torn    bool // the log ended in a partial record (a crash mid-append)
}

// readStore reads the view, the snapshot and the log entries that follow
// the snapshot. A corrupt view or snapshot is an error (the failure model
// has no bit flips); a torn last log record is dropped, as it was never
// synced and so never acknowledged.
func readStore(st nodes.Store) (recovered, error) {
	var r recovered
	r.snap.Snap = newSnapshot()
	if b, err := st.Read(ViewFile); err == nil {
		if err := durable.OpenJSON(b, &r.view); err != nil {
			return r, fmt.Errorf("queue: %s: %w", ViewFile, err)
		}
	} else if !errors.Is(err, nodes.ErrNotFound) {
		return r, err
	}
	if b, err := st.Read(SnapshotFile); err == nil {
		if err := durable.OpenJSON(b, &r.snap); err != nil {
			return r, fmt.Errorf("queue: %s: %w", SnapshotFile, err)
		}
		r.snap.Snap.fill()
	} else if !errors.Is(err, nodes.ErrNotFound) {
		return r, err
	}
	b, err := st.Read(LogFile)
	if errors.Is(err, nodes.ErrNotFound) {
		return r, nil
	} else if err != nil {
		return r, err
	}
	for len(b) > 0 {
		if len(b) < 4 || int(binary.BigEndian.Uint32(b)) > len(b)-4 {
			r.torn = true
			break
		}
		n := int(binary.BigEndian.Uint32(b))
		var e logEntry
		if err := durable.OpenJSON(b[4:4+n], &e); err != nil {
			r.torn = true
			break
		}
		b = b[4+n:]
		if e.Epoch == r.snap.Epoch {
			r.entries = append(r.entries, e)
		}
	}
	return r, nil
}

// frame renders a log entry as a length-prefixed sealed record.
func frame(e logEntry) []byte {
	rec := durable.SealJSON(e)
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(rec)), uint32(len(rec)))
	return append(out, rec...)
}
