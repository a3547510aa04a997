package sim

import (
	"reflect"
	"unsafe"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// msgType is what a world knows about one message type (one dynamic type
// of nodes.Message): its name in the trace, whether servers have sent it to
// each other, and, for a nodes.Recycler, the delivered copies whose
// handlers have returned, which the next sends copy into.
type msgType struct {
	t        reflect.Type
	word     unsafe.Pointer // t as the type word of a nodes.Message holding it (typeWord)
	name     string
	hashName *trace.Name // name prepared for the trace hash (nil if short)
	peer     bool        // servers have sent it to each other (PeerMessageTypes)
	plain    bool        // it cannot alias: delivered as sent (copier)
	recycler bool
	free     []nodes.Message
	// envelope: the type is a nodes.Envelope, and this entry stands for
	// the Go type only; each kind its messages name has an entry of its
	// own in kinds (same t, word, plain and recycler), which is what
	// msgType returns.
	envelope bool
	kinds    []*msgType
}

// msgType returns m's entry, making it the first time m's type is seen.
// The nil message (a node may send nil; it is delivered as nil) has an
// entry of its own.
func (s *Sim) msgType(m nodes.Message) *msgType {
	if m == nil {
		if s.nilType == nil {
			s.nilType = &msgType{name: "nil"}
		}
		return s.nilType
	}
	mt := s.goType(m)
	if mt.envelope {
		return mt.kind(m.(nodes.Envelope).MessageType())
	}
	return mt
}

// goType returns the entry of m's Go type (not nil), making it the first
// time the type is seen.
func (s *Sim) goType(m nodes.Message) *msgType {
	w := typeWord(m)
	if mt := s.lastType; mt != nil && mt.word == w { // a broadcast sends one type in a row
		return mt
	}
	// A run sends a handful of types: a short scan beats hashing the type.
	for _, mt := range s.recentTypes {
		if mt.word == w {
			s.lastType = mt
			return mt
		}
	}
	t := reflect.TypeOf(m)
	if mt, ok := s.types[t]; ok {
		s.lastType = mt
		return mt
	}
	return s.newMsgType(m, t)
}

// kind returns the entry of an envelope type's kind name, making it the
// first time the name is seen. Kinds are few: a scan beats hashing.
func (mt *msgType) kind(name string) *msgType {
	for _, k := range mt.kinds {
		if k.name == name {
			return k
		}
	}
	k := &msgType{t: mt.t, word: mt.word, name: name, hashName: trace.NewName(name), plain: mt.plain, recycler: mt.recycler}
	mt.kinds = append(mt.kinds, k)
	return k
}

// typeWord returns the first word of m, an interface value that is not
// nil: the pointer to its dynamic type's descriptor (nodes.Message is an
// empty interface; were it given methods, the pointer to its itab, also
// one per dynamic type), so two messages have the same type exactly when
// their words are equal (TestTypeWordIsTheType). Comparing it is one
// instruction where comparing reflect.Types calls the runtime
// (runtime.ifaceeq), and msgType runs for every message sent.
func typeWord(m nodes.Message) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&m))[0]
}

// newMsgType makes the entry for m's type t.
func (s *Sim) newMsgType(m nodes.Message, t reflect.Type) *msgType {
	bt := t
	for bt.Kind() == reflect.Pointer {
		bt = bt.Elem()
	}
	n := bt.Name()
	if n == "" {
		n = bt.String()
	}
	mt := &msgType{t: t, word: typeWord(m), name: n, hashName: trace.NewName(n)}
	_, mt.envelope = m.(nodes.Envelope)
	if _, ok := m.(nodes.Recycler); ok {
		mt.recycler = true
	} else if _, ok := m.(nodes.Cloner); !ok {
		mt.plain = isPlain(t, map[reflect.Type]bool{})
	}
	s.types[t] = mt
	if len(s.recentTypes) < cap(s.recentTypes) {
		s.recentTypes = append(s.recentTypes, mt)
	}
	return mt
}

// copyMsg is the copy of m that is delivered: a Recycler is copied into
// one of its type's delivered copies if there is one, anything else as
// the copier copies it.
func (s *Sim) copyMsg(mt *msgType, m nodes.Message) nodes.Message {
	if mt.plain {
		return m
	}
	if !mt.recycler {
		return s.copier.copy(m)
	}
	var dst nodes.Message
	if n := len(mt.free); n > 0 {
		dst = mt.free[n-1]
		mt.free[n-1] = nil
		mt.free = mt.free[:n-1]
	}
	return m.(nodes.Recycler).CloneInto(dst)
}

// reuse takes back m, a delivered copy of type mt whose handler has
// returned (or that was dropped on arrival), if mt is a Recycler.
func (s *Sim) reuse(mt *msgType, m nodes.Message) {
	if mt.recycler && !s.noRecycle {
		mt.free = append(mt.free, m)
	}
}

// DisableRecycling makes every send of a nodes.Recycler copy into new
// memory, as if its type were not one. A correct protocol's trace is the
// same either way; nodetest compares the two to catch a handler that keeps
// a delivered Recycler (or memory it reaches) after it returns. Call it
// before the run starts.
func (s *Sim) DisableRecycling() { s.noRecycle = true }
