package durable

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/faultline/faultline/nodes"
)

// ErrCorrupt is the error of Open on a record whose checksum does not
// match (a torn write or a flipped bit).
var ErrCorrupt = errors.New("durable: record is corrupt")

// Seal frames body with its checksum.
// (AppendSeal does the same into a buffer of the caller's.)
func Seal(body []byte) []byte {
	return AppendSeal(make([]byte, 0, 4+len(body)), body)
}

// Open checks a sealed record and returns its body (sharing b's memory).
func Open(b []byte) ([]byte, error) {
	if len(b) < 4 || binary.BigEndian.Uint32(b) != crc32.ChecksumIEEE(b[4:]) {
		return nil, fmt.Errorf("%w (%d bytes)", ErrCorrupt, len(b))
	}
	return b[4:], nil
}

// SealJSON seals the JSON encoding of v. It panics if v cannot be encoded
// (a programmer error: protocol state is plain data).
func SealJSON(v any) []byte {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("durable: encoding %T: %v", v, err))
	}
	return Seal(body)
}

// OpenJSON opens a record sealed by SealJSON into v.
func OpenJSON(b []byte, v any) error {
	body, err := Open(b)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}

// Syncs runs actions once the store has synced everything written before
// they were registered. The zero value is ready; it is per incarnation.
type Syncs struct {
	tag   uint64
	queue []action
}

type action struct {
	tag  uint64
	then func(env nodes.Env)
}

// After asks the store to sync and runs then (if not nil) when the sync
// completes: every write issued before After is then durable.
func (s *Syncs) After(env nodes.Env, then func(env nodes.Env)) {
	s.tag++
	env.Store().Sync(s.tag)
	s.queue = append(s.queue, action{tag: s.tag, then: then})
}

// Synced runs, in order, the actions whose syncs have completed. Call it
// from the node's Synced with the tag it was given.
func (s *Syncs) Synced(env nodes.Env, tag uint64) {
	for len(s.queue) > 0 && s.queue[0].tag <= tag {
		a := s.queue[0]
		s.queue = s.queue[1:]
		if a.then != nil {
			a.then(env)
		}
	}
}

// Pending is how many actions still wait for their sync.
func (s *Syncs) Pending() int { return len(s.queue) }
