package bad

import (
	"maps"
	"reflect"
	"slices"
)

type peers map[int]string

func maprange(m map[string]int, p peers) (out []string) {
	for k := range m {
		out = append(out, k)
	}
	for _, name := range p {
		out = append(out, name)
	}
	for k := range maps.Keys(m) {
		out = append(out, k)
	}
	return append(out, slices.Collect(maps.Keys(m))...)
}

func generic[M ~map[K]V, K comparable, V any](m M) (n int) {
	for range m {
		n++
	}
	return n
}

type counts interface {
	countMap
}

type countMap interface {
	~map[string]int
}

func union[T counts](t T) (n int) {
	for range t {
		n++
	}
	return n
}

func reflected(v reflect.Value) (n int) {
	it := v.MapRange()
	for it.Next() {
		n++
	}
	return n + len(v.MapKeys())
}
