package durable

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/faultline/faultline/nodes"
)

// AppendSeal appends body, sealed, to dst and returns the extended slice:
// the bytes Seal returns, without allocating when dst has room.
func AppendSeal(dst, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(body))
	return append(dst, body...)
}

// AppendFrame appends body as one log record — its sealed length, then
// the sealed body — to dst: the bytes AppendJSON writes for a body that
// is JSON, and what ReadLog and ReadRecords read back.
func AppendFrame(dst, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(4+len(body)))
	return AppendSeal(dst, body)
}

// A Writer appends records to log files through one buffer it reuses, so
// that a protocol's WAL costs no allocation per record (the store copies
// what it is given). The zero value is ready; keep one per node.
type Writer struct {
	buf []byte
}

// Append appends body to file as one framed record (AppendFrame), one
// store write. Like every store write it is durable only after a sync.
func (w *Writer) Append(st nodes.Store, file string, body []byte) {
	w.buf = AppendFrame(w.buf[:0], body)
	st.Append(file, w.buf)
}

// AppendEncoded appends the body e holds (Encoder.Bytes).
func (w *Writer) AppendEncoded(st nodes.Store, file string, e *Encoder) {
	w.Append(st, file, e.buf)
}

// An Encoder builds a record's body in a buffer it keeps: Reset, put the
// fields, then hand Bytes to Seal, AppendFrame or a Writer. Once the
// buffer has grown to the largest record it allocates nothing. Integers
// are varints (Uvarint, Varint) or fixed 8-byte big-endian (Uint64);
// strings and byte slices carry their length. Decode with a Decoder, in
// the same order.
type Encoder struct {
	buf []byte
}

// Reset empties the encoder, keeping its buffer.
func (e *Encoder) Reset() { e.buf = e.buf[:0] }

// Bytes is the body so far. It aliases the encoder's buffer: use it (or
// copy it) before the next Reset.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len is the body's length so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Uvarint appends v as an unsigned varint.
func (e *Encoder) Uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

// Varint appends v as a signed (zig-zag) varint.
func (e *Encoder) Varint(v int64) { e.buf = binary.AppendVarint(e.buf, v) }

// Uint64 appends v as 8 bytes, big-endian.
func (e *Encoder) Uint64(v uint64) { e.buf = binary.BigEndian.AppendUint64(e.buf, v) }

// Bool appends v as one byte.
func (e *Encoder) Bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	e.buf = append(e.buf, b)
}

// String appends s, behind its length.
func (e *Encoder) String(s string) {
	e.buf = binary.AppendUvarint(e.buf, uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// Blob appends b, behind its length.
func (e *Encoder) Blob(b []byte) {
	e.buf = binary.AppendUvarint(e.buf, uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// A Decoder reads, in order, the fields an Encoder wrote. The first
// field that does not decode (the body is too short, or a length runs past
// its end) sets Err, wrapping ErrCorrupt, and every later read returns
// the zero value: decode every field, then check Err once. A Decoder
// allocates nothing: Blob returns a slice of the body, String copies
// (StringBytes does not).
type Decoder struct {
	b   []byte
	off int
	err error
}

// NewDecoder reads body.
func NewDecoder(body []byte) Decoder { return Decoder{b: body} }

// Reset makes d read body from its start, clearing the error.
func (d *Decoder) Reset(body []byte) { *d = Decoder{b: body} }

// Err is the first decoding error, or nil.
func (d *Decoder) Err() error { return d.err }

// Rest is how many bytes are left unread.
func (d *Decoder) Rest() int { return len(d.b) - d.off }

func (d *Decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at byte %d of %d", ErrCorrupt, what, d.off, len(d.b))
	}
	d.off = len(d.b)
}

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

// Varint reads a signed varint.
func (d *Decoder) Varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

// Uint64 reads 8 bytes, big-endian.
func (d *Decoder) Uint64() uint64 {
	if d.err != nil {
		return 0
	}
	if d.Rest() < 8 {
		d.fail("short uint64")
		return 0
	}
	v := binary.BigEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

// Bool reads one byte written by Encoder.Bool.
func (d *Decoder) Bool() bool {
	if d.err != nil {
		return false
	}
	if d.Rest() < 1 || d.b[d.off] > 1 {
		d.fail("bad bool")
		return false
	}
	d.off++
	return d.b[d.off-1] == 1
}

// Blob reads a length-prefixed byte slice, sharing the body's memory.
func (d *Decoder) Blob() []byte {
	n := d.Uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(d.Rest()) || n > math.MaxInt {
		d.fail("length past the end")
		return nil
	}
	b := d.b[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(n)
	return b
}

// String reads a length-prefixed string (a copy).
func (d *Decoder) String() string { return string(d.Blob()) }

// ReadRecords passes the body of every whole record of file (framed by
// AppendFrame, a Writer or AppendJSON), in order, to each; a body is
// valid only during the call. Like ReadLog it stops at the first torn or
// corrupt record — or one each rejects with an error — and rewrites the
// file to the records before it (truncated reports that). A missing file
// is an empty log.
func ReadRecords(st nodes.Store, file string, each func(body []byte) error) (n int, truncated bool) {
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
		body, err := Open(rest[4 : 4+size])
		if err != nil || each(body) != nil {
			break
		}
		n++
		off += 4 + size
	}
	if off < len(b) {
		st.Write(file, b[:off])
		return n, true
	}
	return n, false
}
