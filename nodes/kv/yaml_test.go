package kv_test

import (
	"bytes"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/faultline/faultline/nodes/kv"
)

// The scenario files spell a workload in YAML; the field tags and
// durations must decode as documented.
func TestYAML(t *testing.T) {
	src := `
kind: register
mix: {get: 2, put: 1, cas: 1}
values: small
value_range: 3
timeout: 2s
attempt_timeout: 50ms
backoff_min: 1ms
backoff_max: 80ms
mode: open
interval: 5ms
pending_max: 2
max_ops: 100
stop: 8s
info_max_per_key: 2
probe_at: 9s
probe_for: 1s
probe_clients: 1
cas_mismatch_ok: true
`
	dec := yaml.NewDecoder(bytes.NewBufferString(src))
	dec.KnownFields(true)
	var w kv.Workload
	if err := dec.Decode(&w); err != nil {
		t.Fatal(err)
	}
	want := kv.Workload{Kind: kv.KindRegister, Mix: kv.Mix{Get: 2, Put: 1, CAS: 1}, Values: kv.ValuesSmall, ValueRange: 3,
		Timeout: 2 * time.Second, AttemptTimeout: 50 * time.Millisecond, BackoffMin: time.Millisecond, BackoffMax: 80 * time.Millisecond,
		Mode: kv.ModeOpen, Interval: 5 * time.Millisecond, PendingMax: 2, MaxOps: 100, Stop: 8 * time.Second, InfoMaxPerKey: 2,
		ProbeAt: 9 * time.Second, ProbeFor: time.Second, ProbeClients: 1, CASMismatchOK: true}
	if w != want {
		t.Errorf("decoded\n %+v\nwant\n %+v", w, want)
	}
	if err := w.Validate(); err != nil {
		t.Error(err)
	}
}
