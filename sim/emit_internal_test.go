package sim

import (
	"reflect"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// emitMsg writes a message event field by field, and emitPlain a timer,
// disk or sync event: every field the event before it set, whatever Event
// holds now, must come out as a fresh event of its kind would have it.
func TestEmitMsgClearsEveryOtherField(t *testing.T) {
	s, err := New(Config{Nodes: 1, Node: func(nodes.ID) nodes.Node { return idle{} }})
	if err != nil {
		t.Fatal(err)
	}
	var got trace.Event
	s.Observe(func(e *trace.Event) error { got = *e; return nil })
	// Set every field of the previous event to something not zero.
	v := reflect.ValueOf(&s.ev).Elem()
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i))
			}
		case reflect.String:
			v.SetString("x")
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			v.SetInt(3)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			v.SetUint(3)
		case reflect.Interface:
			v.Set(reflect.ValueOf("stale"))
		default:
			t.Fatalf("trace.Event has a field of kind %v: teach this test to fill it", v.Kind())
		}
	}
	fields := []string{""} // first every field, then each alone
	for i := range v.NumField() {
		fields = append(fields, v.Type().Field(i).Name)
	}
	for _, only := range fields {
		if only == "" {
			fill(v)
		} else { // the previous event set just this field
			s.ev = trace.Event{}
			fill(v.FieldByName(only))
		}
		s.emitMsg(trace.Deliver, 2, 1, 7, &msgType{name: "Ping"}, "", nil)
		want := trace.Event{Seq: s.evSeq, At: s.Now(), Kind: trace.Deliver, Node: 2, Peer: 1, ID: 7, Type: "Ping"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after an event with %q set: emitMsg gave\n%+v\nwant\n%+v", only, got, want)
		}
		// emitPlain, after the same event.
		if only == "" {
			fill(v)
		} else {
			s.ev = trace.Event{}
			fill(v.FieldByName(only))
		}
		s.emitPlain(trace.DiskWrite, 2, 64, "append", "wal")
		want = trace.Event{Seq: s.evSeq, At: s.Now(), Kind: trace.DiskWrite, Node: 2, Num: 64, Type: "append", Note: "wal"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after an event with %q set: emitPlain gave\n%+v\nwant\n%+v", only, got, want)
		}
	}
}

// typeWord tells message types apart exactly as reflect.TypeOf does
// (msgType keys on it), for values, pointers, named and unnamed types.
func TestTypeWordIsTheType(t *testing.T) {
	type ping struct{ N int }
	type pong struct{ N int }
	msgs := []nodes.Message{ping{1}, ping{2}, &ping{3}, pong{1}, &pong{1}, 7, int64(7), "x", []byte("x"),
		[2]int{}, struct{ N int }{1}, (*ping)(nil), map[string]int{}, trace.Event{}, &trace.Event{}}
	for i, a := range msgs {
		for j, b := range msgs {
			same := reflect.TypeOf(a) == reflect.TypeOf(b)
			if got := typeWord(a) == typeWord(b); got != same {
				t.Errorf("messages %d (%T) and %d (%T): same type word %v, same type %v", i, a, j, b, got, same)
			}
		}
	}
}

// The oscillator's fast path for an undrifted clock (ppm 0) gives what the
// general formula gives.
func TestClockWithoutDriftIsTheFormula(t *testing.T) {
	for _, c := range []clock{{}, {baseTrue: 5, baseMono: 3}, {baseTrue: 1e9, baseMono: 7e8 + 1, offset: -4}} {
		for _, at := range []int64{c.baseTrue, c.baseTrue + 1, c.baseTrue + 999_999, c.baseTrue + 1_000_001, c.baseTrue + 12_345_678_901} {
			dt := at - c.baseTrue
			if got, want := c.mono(at), c.baseMono+dt+mulDiv(dt, 0, million); got != want {
				t.Errorf("%+v: mono(%d) = %d, want %d", c, at, got, want)
			}
			m := c.mono(at)
			want := c.baseTrue + mulDivCeil(m-c.baseMono, million, million)
			if m <= c.baseMono {
				want = c.baseTrue
			}
			if got := c.trueAt(m); got != want {
				t.Errorf("%+v: trueAt(%d) = %d, want %d", c, m, got, want)
			}
		}
	}
}
