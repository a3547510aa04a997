package sim

import (
	"fmt"
	"reflect"

	"github.com/faultline/faultline/nodes"
)

// copier deep-copies messages on send so that sender and receiver never
// share memory. Types that cannot alias (no pointers, slices, maps or
// interfaces anywhere inside, sent by value) are passed through without a
// copy; the answer is cached per type. Types implementing nodes.Cloner
// copy themselves, and so do nodes.Recyclers (into new memory here; the
// world's send copies them into delivered copies, msgtype.go).
type copier struct {
	plain map[reflect.Type]bool
}

func (c *copier) init() { c.plain = map[reflect.Type]bool{} }

func (c *copier) copy(m nodes.Message) nodes.Message {
	if m == nil {
		return nil
	}
	if r, ok := m.(nodes.Recycler); ok {
		return r.CloneInto(nil)
	}
	if cl, ok := m.(nodes.Cloner); ok {
		return cl.Clone()
	}
	t := reflect.TypeOf(m)
	plain, ok := c.plain[t]
	if !ok {
		plain = isPlain(t, map[reflect.Type]bool{})
		c.plain[t] = plain
	}
	if plain {
		return m
	}
	d := deepCopier{root: t, path: map[visit]bool{}}
	return d.copy(reflect.ValueOf(m)).Interface()
}

// isPlain reports whether a value of type t, held in an interface, can be
// shared safely: nothing reachable from it is mutable through another path.
func isPlain(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return false
	case reflect.Array:
		return isPlain(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if !isPlain(t.Field(i).Type, seen) {
				return false
			}
		}
	}
	return true
}

// CopyMessage returns the deep copy the simulator would deliver for m.
// Exposed for conformance tests of message types.
func CopyMessage(m nodes.Message) nodes.Message {
	var c copier
	c.init()
	return c.copy(m)
}

// deepCopier copies one message. path holds the pointers, maps and
// slices being copied on the way down from the message: meeting one of
// them again is a cycle, which a copy would follow forever. Shared
// pointers that are not a cycle (a DAG) are copied once per path, as
// before.
type deepCopier struct {
	root reflect.Type
	path map[visit]bool
}

type visit struct {
	addr uintptr
	typ  reflect.Type
}

// enter marks v as on the path, panicking on a cycle: a message is a
// programmer's value, and one that reaches itself cannot be copied.
func (d *deepCopier) enter(v reflect.Value) visit {
	k := visit{v.Pointer(), v.Type()}
	if d.path[k] {
		panic(fmt.Sprintf("sim: message of type %v contains a cycle (a %v reaches itself): messages are copied on send and must be trees of values; break the cycle, or give %v a Clone method (nodes.Cloner)", d.root, v.Type(), d.root))
	}
	d.path[k] = true
	return k
}

func (d *deepCopier) copy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		k := d.enter(v)
		defer delete(d.path, k)
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(d.copy(v.Elem()))
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		if isPlain(v.Type().Elem(), map[reflect.Type]bool{}) {
			reflect.Copy(n, v)
			return n
		}
		if v.Len() > 0 {
			k := d.enter(v)
			defer delete(d.path, k)
		}
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(d.copy(v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		k := d.enter(v)
		defer delete(d.path, k)
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange() //faultline:orderless the result is a map
		for it.Next() {
			n.SetMapIndex(d.copy(it.Key()), d.copy(it.Value()))
		}
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(d.copy(v.Elem()))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v) // copies unexported fields shallowly, exported ones below deeply
		for i := 0; i < v.NumField(); i++ {
			if n.Field(i).CanSet() {
				n.Field(i).Set(d.copy(v.Field(i)))
			}
		}
		return n
	case reflect.Array:
		n := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(d.copy(v.Index(i)))
		}
		return n
	}
	return v
}
