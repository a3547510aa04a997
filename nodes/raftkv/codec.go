package raftkv

import (
	"encoding/binary"
	"errors"

	"github.com/faultline/faultline/nodes"
)

// The binary encoding shared by disk records and snapshots: unsigned
// varints and length-prefixed strings, nothing else. It is deliberately
// small; every record that reaches the disk is framed and checksummed by
// the WAL (wal.go), so the decoder only has to fail cleanly on garbage.

type encoder struct{ b []byte }

func (e *encoder) u64(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) str(s string) { e.u64(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bytes(p []byte) {
	e.u64(uint64(len(p)))
	e.b = append(e.b, p...)
}
func (e *encoder) flag(v bool) {
	if v {
		e.u64(1)
	} else {
		e.u64(0)
	}
}

func (e *encoder) entry(x *Entry) {
	e.u64(x.Term)
	e.u64(uint64(x.Client))
	e.u64(x.Seq)
	e.op(&x.Op)
}

func (e *encoder) op(o *nodes.Op) {
	e.str(string(o.Kind))
	e.str(o.Key)
	e.str(o.Value)
	e.str(o.Expect)
}

var errCorrupt = errors.New("raftkv: corrupt encoding")

// decoder reads what encoder wrote. The first error sticks: later reads
// return zero values, and err reports it.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) raw() []byte {
	n := d.u64()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCorrupt
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) str() string   { return string(d.raw()) }
func (d *decoder) bytes() []byte { return append([]byte(nil), d.raw()...) }
func (d *decoder) flag() bool    { return d.u64() != 0 }

// count reads a length that must be plausible for the bytes left (each
// item takes at least one byte), so garbage cannot make us allocate much.
func (d *decoder) count() int {
	n := d.u64()
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return 0
	}
	return int(n)
}

func (d *decoder) entry() Entry {
	var x Entry
	x.Term = d.u64()
	x.Client = nodes.ID(d.u64())
	x.Seq = d.u64()
	x.Op = d.op()
	return x
}

func (d *decoder) op() nodes.Op {
	var o nodes.Op
	o.Kind = nodes.OpKind(d.str())
	o.Key = d.str()
	o.Value = d.str()
	o.Expect = d.str()
	return o
}
