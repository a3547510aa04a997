package nodes

import "errors"

// ErrNotFound is returned by Store.Read for a file that does not exist.
var ErrNotFound = errors.New("nodes: file not found")

// Store is a node's disk: a flat namespace of files.
//
// Writes (Write, Append, Delete) are applied to what Read sees at once, but
// are volatile: a crash loses every write not covered by a completed Sync.
// Sync(tag) makes all writes issued before it durable; it takes virtual
// time and its completion arrives as Node.Synced(tag). Under disk faults the
// last volatile write may survive a crash torn (a prefix of it), and a read
// may return flipped bits: protocols that care checksum their records.
//
// Byte slices passed in are copied; byte slices returned belong to the
// caller.
type Store interface {
	// Read returns the file's contents, or ErrNotFound.
	Read(name string) ([]byte, error)
	// Write replaces the file's contents.
	Write(name string, data []byte)
	// Append adds data to the end of the file, creating it if needed.
	Append(name string, data []byte)
	// Delete removes the file; deleting a missing file does nothing.
	Delete(name string)
	// List returns the names of existing files, sorted.
	List() []string
	// Sync starts making every earlier write durable; Node.Synced(tag)
	// reports completion. Syncs complete in the order they were issued.
	Sync(tag uint64)
}
