package sim

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// formatMsg renders a message for a recorded trace. A Stringer renders
// itself; anything else renders as %+v does, except that nothing reachable
// prints as a memory address: pointers anywhere in the message render as
// &{...} of what they point to, maps with sorted keys, funcs and channels
// by their type. Addresses differ from run to run, so printing one would
// make two runs of the same seed look different (a false alarm of
// CheckDeterminism) and golden traces unstable.
//
// The text is bounded (maxMsgTextBytes; a huge message is cut, and a
// structure is not rendered past the bound), and a String method that
// panics renders as the panic, naming the type, instead of taking the run
// down. A String method that never returns cannot be stopped here: an
// isolated sweep's seed timeout is what bounds it.
func formatMsg(m nodes.Message) (text string) {
	defer func() {
		if p := recover(); p != nil {
			text = fmt.Sprintf("<%T: formatting it panicked: %v>", m, p)
		}
		text = trace.Bound(text, maxMsgTextBytes)
	}()
	if st, ok := m.(fmt.Stringer); ok {
		return st.String()
	}
	v := reflect.ValueOf(m)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if !v.IsValid() {
		return "<nil>"
	}
	if !mayPrintAddress(v.Type()) {
		return fmt.Sprintf("%+v", v.Interface())
	}
	var b strings.Builder
	writeValue(&b, v, 0)
	return b.String()
}

var addressTypes sync.Map // reflect.Type → bool

// mayPrintAddress reports whether %+v of a value of type t could print a
// memory address: t reaches a pointer, func, channel, unsafe pointer or
// interface (which may hold any of those) below its top level.
func mayPrintAddress(t reflect.Type) bool {
	if v, ok := addressTypes.Load(t); ok {
		return v.(bool)
	}
	r := reaches(t, map[reflect.Type]bool{})
	addressTypes.Store(t, r)
	return r
}

func reaches(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Interface:
		return true
	case reflect.Array, reflect.Slice:
		return reaches(t.Elem(), seen)
	case reflect.Map:
		return reaches(t.Key(), seen) || reaches(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if reaches(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// maxFormatDepth bounds the rendering of deep or cyclic structures.
const maxFormatDepth = 16

// maxMsgTextBytes bounds a message's text in the trace (as the trace file
// would bound it anyway).
const maxMsgTextBytes = trace.MaxTextBytes

var stringerType = reflect.TypeFor[fmt.Stringer]()

func writeValue(b *strings.Builder, v reflect.Value, depth int) {
	if b.Len() > maxMsgTextBytes {
		return // cut by formatMsg
	}
	if depth > maxFormatDepth {
		b.WriteString("...")
		return
	}
	if !v.IsValid() {
		b.WriteString("<nil>")
		return
	}
	if v.CanInterface() && v.Type().Implements(stringerType) && !(v.Kind() == reflect.Pointer && v.IsNil()) && !(v.Kind() == reflect.Interface && v.IsNil()) {
		b.WriteString(v.Interface().(fmt.Stringer).String())
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("<nil>")
			return
		}
		b.WriteByte('&')
		writeValue(b, v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			b.WriteString("<nil>")
			return
		}
		writeValue(b, v.Elem(), depth+1)
	case reflect.Struct:
		b.WriteByte('{')
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v.Type().Field(i).Name)
			b.WriteByte(':')
			writeValue(b, v.Field(i), depth+1)
		}
		b.WriteByte('}')
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeValue(b, v.Index(i), depth+1)
		}
		b.WriteByte(']')
	case reflect.Map:
		keys := v.MapKeys() //faultline:orderless sorted by their text below
		texts := make([]string, len(keys))
		order := make([]int, len(keys))
		for i, k := range keys {
			var kb strings.Builder
			writeValue(&kb, k, depth+1)
			texts[i], order[i] = kb.String(), i
		}
		slices.SortFunc(order, func(x, y int) int { return strings.Compare(texts[x], texts[y]) })
		b.WriteString("map[")
		for n, i := range order {
			if n > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(texts[i])
			b.WriteByte(':')
			writeValue(b, v.MapIndex(keys[i]), depth+1)
		}
		b.WriteByte(']')
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		if v.IsNil() {
			b.WriteString("<nil>")
			return
		}
		b.WriteString(v.Type().String())
	case reflect.String:
		b.WriteString(v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, v.Type().Bits()))
	case reflect.Complex64, reflect.Complex128:
		b.WriteString(strconv.FormatComplex(v.Complex(), 'g', -1, v.Type().Bits()))
	default:
		b.WriteString(v.Type().String())
	}
}
