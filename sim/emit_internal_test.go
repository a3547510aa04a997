package sim

import (
	"reflect"
	"testing"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// emitMsg writes a message event field by field: every field the event
// before it set, whatever Event holds now, must come out as a fresh
// message event would have it.
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
	}
}
