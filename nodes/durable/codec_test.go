package durable_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/durable"
)

// walRecord is what a protocol's WAL might hold: an entry of a replicated log.
type walRecord struct {
	Term, Index uint64
	Delta       int64
	Key, Value  string
	Noop        bool
}

func (r *walRecord) encode(e *durable.Encoder) {
	e.Reset()
	e.Uvarint(r.Term)
	e.Uint64(r.Index)
	e.Varint(r.Delta)
	e.String(r.Key)
	e.Blob([]byte(r.Value))
	e.Bool(r.Noop)
}

func (r *walRecord) decode(d *durable.Decoder) error {
	r.Term, r.Index, r.Delta = d.Uvarint(), d.Uint64(), d.Varint()
	r.Key, r.Value, r.Noop = d.String(), string(d.Blob()), d.Bool()
	if d.Err() == nil && d.Rest() != 0 {
		return errors.New("trailing bytes")
	}
	return d.Err()
}

// A record encodes and frames into reused buffers, reads back through
// ReadRecords, and the framing is the one AppendJSON and ReadLog use.
func TestEncoderWriterRoundTrip(t *testing.T) {
	recs := []walRecord{{1, 1, -5, "x", "1", false}, {2, 1 << 40, 1 << 50, "", "", true}, {3, 2, 0, "key", string(make([]byte, 300)), false}}
	st := newStore()
	var w durable.Writer
	var e durable.Encoder
	for i := range recs {
		recs[i].encode(&e)
		w.AppendEncoded(st, "wal", &e)
	}
	var got []walRecord
	n, truncated := durable.ReadRecords(st, "wal", func(body []byte) error {
		var r walRecord
		d := durable.NewDecoder(body)
		if err := r.decode(&d); err != nil {
			return err
		}
		got = append(got, r)
		return nil
	})
	if n != len(recs) || truncated || len(got) != len(recs) {
		t.Fatalf("read %d records (truncated %v): %+v", n, truncated, got)
	}
	for i := range recs {
		if got[i] != recs[i] {
			t.Errorf("record %d: %+v, want %+v", i, got[i], recs[i])
		}
	}
	// AppendJSON's frames are AppendFrame's around the JSON body.
	js := newStore()
	durable.AppendJSON(js, "log", rec{7})
	b, _ := js.Read("log")
	if want := durable.AppendFrame(nil, []byte(`{"N":7}`)); !bytes.Equal(b, want) {
		t.Errorf("AppendJSON wrote %x, AppendFrame gives %x", b, want)
	}
	if want := durable.Seal([]byte("body")); !bytes.Equal(durable.AppendSeal(nil, []byte("body")), want) {
		t.Errorf("AppendSeal differs from Seal")
	}
}

// A record the decoder rejects, or a corrupt one, ends the log there.
func TestReadRecordsStopsAtRejected(t *testing.T) {
	st := newStore()
	var w durable.Writer
	for _, body := range []string{"a", "bad", "c"} {
		w.Append(st, "wal", []byte(body))
	}
	var got []string
	n, truncated := durable.ReadRecords(st, "wal", func(body []byte) error {
		if string(body) == "bad" {
			return errors.New("rejected")
		}
		got = append(got, string(body))
		return nil
	})
	if n != 1 || !truncated || len(got) != 1 || got[0] != "a" {
		t.Fatalf("read %q (n %d, truncated %v), want [a] truncated", got, n, truncated)
	}
	if b, _ := st.Read("wal"); !bytes.Equal(b, durable.AppendFrame(nil, []byte("a"))) {
		t.Errorf("the file was not cut back to the first record: %x", b)
	}
}

// Every way a body can be short is an ErrCorrupt, and later reads are
// zero values.
func TestDecoderErrors(t *testing.T) {
	var e durable.Encoder
	e.String("hello")
	e.Uint64(1)
	full := append([]byte(nil), e.Bytes()...)
	for cut := 0; cut < len(full); cut++ {
		d := durable.NewDecoder(full[:cut])
		s, v := d.String(), d.Uint64()
		if !errors.Is(d.Err(), durable.ErrCorrupt) || v != 0 {
			t.Errorf("cut at %d: %q %d, err %v; want ErrCorrupt", cut, s, v, d.Err())
		}
		if d.Bool() || d.Uvarint() != 0 || d.Blob() != nil {
			t.Errorf("cut at %d: reads after the error are not zero", cut)
		}
	}
	d := durable.NewDecoder([]byte{2})
	if d.Bool(); !errors.Is(d.Err(), durable.ErrCorrupt) {
		t.Errorf("a bool byte of 2: %v", d.Err())
	}
}

// nullStore copies what it is given into one reused buffer, as a store
// copies, without growing files: what is left is the helpers' own cost.
type nullStore struct{ last []byte }

func (s *nullStore) Read(string) ([]byte, error)  { return nil, nodes.ErrNotFound }
func (s *nullStore) Write(_ string, data []byte)  { s.last = append(s.last[:0], data...) }
func (s *nullStore) Append(_ string, data []byte) { s.last = append(s.last[:0], data...) }
func (s *nullStore) Delete(string)                {}
func (s *nullStore) List() []string               { return nil }
func (s *nullStore) Sync(uint64)                  {}

// Encoding, framing, appending and decoding a record allocate nothing once
// the buffers have grown (a specification, not a timing: the benchmarks
// measure the speed).
func TestHelpersDoNotAllocate(t *testing.T) {
	r := walRecord{Term: 3, Index: 99, Delta: -1, Key: "k", Value: "some value", Noop: false}
	var e durable.Encoder
	var w durable.Writer
	st := &nullStore{}
	var dst []byte
	var d durable.Decoder
	var sink uint64
	r.encode(&e)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"Encoder", func() { r.encode(&e) }},
		{"Writer", func() { w.AppendEncoded(st, "wal", &e) }},
		{"AppendFrame", func() { dst = durable.AppendFrame(dst[:0], e.Bytes()) }},
		{"Decoder", func() {
			d.Reset(e.Bytes())
			sink += d.Uvarint() + d.Uint64() + uint64(d.Varint()) + uint64(len(d.Blob())+len(d.Blob()))
			if d.Bool() || d.Err() != nil {
				panic(d.Err())
			}
		}},
	} {
		name, f := c.name, c.f
		f() // grow the buffers
		if allocs := testing.AllocsPerRun(100, f); allocs != 0 {
			t.Errorf("%s: %v allocations per record, want 0", name, allocs)
		}
	}
}

func BenchmarkEncodeRecord(b *testing.B) {
	r := walRecord{Term: 3, Index: 99, Delta: -1, Key: "key-17", Value: "a value of some thirty bytes..", Noop: false}
	var e durable.Encoder
	b.ReportAllocs()
	for b.Loop() {
		r.encode(&e)
	}
	b.SetBytes(int64(e.Len()))
}

func BenchmarkWriterAppend(b *testing.B) {
	var e durable.Encoder
	(&walRecord{Term: 3, Index: 99, Key: "key-17", Value: "a value of some thirty bytes.."}).encode(&e)
	var w durable.Writer
	st := &nullStore{}
	b.ReportAllocs()
	for b.Loop() {
		w.AppendEncoded(st, "wal", &e)
	}
	b.SetBytes(int64(len(st.last)))
}

// The allocating path it replaces: SealJSON plus AppendJSON's framing.
func BenchmarkAppendJSON(b *testing.B) {
	r := walRecord{Term: 3, Index: 99, Key: "key-17", Value: "a value of some thirty bytes.."}
	st := &nullStore{}
	b.ReportAllocs()
	for b.Loop() {
		durable.AppendJSON(st, "wal", r)
	}
	b.SetBytes(int64(len(st.last)))
}

func BenchmarkDecodeRecord(b *testing.B) {
	var e durable.Encoder
	(&walRecord{Term: 3, Index: 99, Key: "key-17", Value: "a value of some thirty bytes.."}).encode(&e)
	var d durable.Decoder
	var sink int
	b.ReportAllocs()
	for b.Loop() {
		d.Reset(e.Bytes())
		sink += int(d.Uvarint()+d.Uint64()) + int(d.Varint()) + len(d.Blob()) + len(d.Blob())
		if d.Bool() || d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
	_ = sink
}

// FuzzDecoder: any bytes decode to fields or ErrCorrupt, never a panic, and
// a record that decodes re-encodes to the bytes it consumed.
func FuzzDecoder(f *testing.F) {
	var e durable.Encoder
	(&walRecord{Term: 1, Index: 2, Delta: -3, Key: "k", Value: "v"}).encode(&e)
	f.Add(append([]byte(nil), e.Bytes()...))
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, body []byte) {
		var r walRecord
		d := durable.NewDecoder(body)
		err := r.decode(&d)
		if err != nil {
			return
		}
		var e durable.Encoder
		r.encode(&e)
		// Varints have one canonical form, but a decoder accepts
		// over-long ones: compare the decoded values instead.
		var back walRecord
		d2 := durable.NewDecoder(e.Bytes())
		if err := back.decode(&d2); err != nil || back != r {
			t.Fatalf("%+v re-encoded decodes to %+v (%v)", r, back, err)
		}
	})
}
