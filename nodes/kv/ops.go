package kv

import (
	"strconv"

	"github.com/faultline/faultline/nodes"
)

// opChoice is a generated operation and the index of its key.
type opChoice struct {
	op    nodes.Op
	key   int
	final bool // one of the final reads (Workload.FinalReadAt)
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
	var kind nodes.OpKind
	switch {
	case x < m.Get:
		kind = nodes.OpGet
	case x < m.Get+m.Put:
		kind = nodes.OpPut
	case x < m.Get+m.Put+m.Append:
		kind = nodes.OpAppend
	default:
		kind = nodes.OpCAS
	}
	key, keyName := 0, ""
	if c.w.Kind == KindKV {
		key = r.IntN(c.w.Keys)
		keyName = c.keyName(key)
	}
	if kind != nodes.OpGet && c.w.InfoMaxPerKey > 0 && c.infos[key] >= c.w.InfoMaxPerKey {
		kind = nodes.OpGet
	}
	op := nodes.Op{Kind: kind, Key: keyName}
	switch kind {
	case nodes.OpPut:
		op.Value = c.newValue(env)
	case nodes.OpAppend:
		op.Value = c.uniqueValueSuffixed(";")
	case nodes.OpCAS:
		if c.w.Values == ValuesSmall {
			op.Expect = strconv.Itoa(r.IntN(c.w.ValueRange))
		} else if c.knownOK[key] && c.known[key] != "" {
			op.Expect = c.known[key]
		} else {
			op.Kind = nodes.OpGet
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
	kind := nodes.OpPut
	if c.w.Kind == KindKV {
		key = env.Rand().IntN(c.w.Keys)
		keyName = c.keyName(key)
	} else {
		kind = nodes.OpWrite
	}
	return opChoice{op: nodes.Op{Kind: kind, Key: keyName, Value: c.newValue(env)}, key: key}
}

// registerKind names a key-value operation as the register workload
// issues it.
func registerKind(kind nodes.OpKind) nodes.OpKind {
	switch kind {
	case nodes.OpGet:
		return nodes.OpRead
	case nodes.OpPut:
		return nodes.OpWrite
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
func (c *Client) uniqueValue() string { return c.uniqueValueSuffixed("") }

// uniqueValueSuffixed is uniqueValue followed by suffix, built in one
// allocation: the client's prefix ("c3-", "c3e1-") is kept from Start.
func (c *Client) uniqueValueSuffixed(suffix string) string {
	c.valueN++
	if c.valuePrefix == nil {
		c.valuePrefix = append(c.valuePrefix, c.id.String()...)
		if c.epoch > 0 {
			c.valuePrefix = strconv.AppendUint(append(c.valuePrefix, 'e'), c.epoch, 10)
		}
		c.valuePrefix = append(c.valuePrefix, '-')
	}
	b := strconv.AppendInt(append(c.valueBuf[:0], c.valuePrefix...), int64(c.valueN), 10)
	b = append(b, suffix...)
	c.valueBuf = b
	return string(b)
}

// keyName is KeyName(key+1), made once per key.
func (c *Client) keyName(key int) string {
	if c.keyNames == nil {
		c.keyNames = make([]string, c.w.Keys)
	}
	if c.keyNames[key] == "" {
		c.keyNames[key] = KeyName(key + 1)
	}
	return c.keyNames[key]
}
