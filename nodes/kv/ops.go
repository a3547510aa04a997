package kv

import (
	"strconv"

	"github.com/faultline/faultline/nodes"
)

// opChoice is a generated operation and the index of its key.
type opChoice struct {
	op  nodes.Op
	key int
}

// nextOp draws the next ordinary operation from the client's stream:
// first its kind (by the Mix weights), then its key, then its values.
//
// A cas needs an Expect. With unique values the client uses the last value
// it saw or wrote for the key, and when it knows none it reads the key
// instead: a cas against a value nobody wrote would always fail, and a cas
// never expects "" (so whether a server treats a missing key as "" does not
// matter). With small values Expect is a random small value.
func (c *Client) nextOp(env nodes.Env) opChoice {
	r := env.Rand()
	m := c.w.Mix
	x := r.IntN(m.total())
	var kind string
	switch {
	case x < m.Get:
		kind = "get"
	case x < m.Get+m.Put:
		kind = "put"
	case x < m.Get+m.Put+m.Append:
		kind = "append"
	default:
		kind = "cas"
	}
	key, keyName := 0, ""
	if c.w.Kind == KindKV {
		key = r.IntN(c.w.Keys)
		keyName = KeyName(key + 1)
	}
	if kind != "get" && c.w.InfoMaxPerKey > 0 && c.infos[key] >= c.w.InfoMaxPerKey {
		kind = "get"
	}
	op := nodes.Op{Key: keyName}
	switch kind {
	case "get":
		op.Kind = "get"
	case "put":
		op.Kind = "put"
		op.Value = c.newValue(env)
	case "append":
		op.Kind = "append"
		op.Value = c.uniqueValue() + ";"
	case "cas":
		op.Kind = "cas"
		if c.w.Values == ValuesSmall {
			op.Expect = strconv.Itoa(r.IntN(c.w.ValueRange))
		} else if c.knownOK[key] && c.known[key] != "" {
			op.Expect = c.known[key]
		} else {
			op.Kind = "get"
			break
		}
		op.Value = c.newValue(env)
	}
	if c.w.Kind == KindRegister {
		op.Kind = registerKind(op.Kind)
	}
	return opChoice{op: op, key: key}
}

// probeOp is a write to a random key.
func (c *Client) probeOp(env nodes.Env) opChoice {
	key, keyName := 0, ""
	kind := "put"
	if c.w.Kind == KindKV {
		key = env.Rand().IntN(c.w.Keys)
		keyName = KeyName(key + 1)
	} else {
		kind = "write"
	}
	return opChoice{op: nodes.Op{Kind: kind, Key: keyName, Value: c.newValue(env)}, key: key}
}

func registerKind(kind string) string {
	switch kind {
	case "get":
		return "read"
	case "put":
		return "write"
	}
	return kind
}

// newValue is the value of a put, write or cas.
func (c *Client) newValue(env nodes.Env) string {
	if c.w.Values == ValuesSmall {
		return strconv.Itoa(env.Rand().IntN(c.w.ValueRange))
	}
	return c.uniqueValue()
}

// uniqueValue names the client's next written value: c3-17 is the 17th
// value client c3 wrote; after a restart, c3e1-4 is the 4th of its second
// session.
func (c *Client) uniqueValue() string {
	c.valueN++
	s := c.id.String()
	if c.epoch > 0 {
		s += "e" + strconv.FormatUint(c.epoch, 10)
	}
	return s + "-" + strconv.Itoa(c.valueN)
}
