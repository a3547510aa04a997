package checker

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/nodes"
)

func TestJSONRoundTrip(t *testing.T) {
	r := NewRecorder("kv")
	a := r.Invoke(nodes.ClientID(1), time.Millisecond, nodes.Op{Kind: "put", Key: "x", Value: "1 \"quoted\" <html>"})
	b := r.Invoke(nodes.ClientID(2), 1500*time.Microsecond, nodes.Op{Kind: "get", Key: "x"})
	c := r.Invoke(nodes.ClientID(3), 2*time.Millisecond, nodes.Op{Kind: "cas", Key: "x", Expect: "1", Value: "2"})
	r.Invoke(nodes.ClientID(4), 2*time.Millisecond, nodes.Op{Kind: "append", Key: "y", Value: "z"})
	r.Complete(a, 3*time.Millisecond, nodes.OK, nodes.Op{})
	r.Complete(b, 3*time.Millisecond, nodes.OK, nodes.Op{Output: "1", Exists: true})
	r.Complete(c, 4*time.Millisecond, nodes.Info, nodes.Op{Output: "ignored"})
	r.Annotate(Annotation{Start: time.Millisecond, End: 5 * time.Millisecond, Node: "n1", Text: "crash n1"})
	r.Annotate(Annotation{Start: 2 * time.Millisecond, Text: "clock jump"})
	h := r.History()

	var buf bytes.Buffer
	if err := WriteJSON(&buf, h); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(bytes.NewReader(buf.Bytes()), "h.jsonl")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	for i := range got.Ops {
		if got.Ops[i].Line != i+2 {
			t.Errorf("op %d read from line %d, want %d", i, got.Ops[i].Line, i+2)
		}
		got.Ops[i].Line = 0
	}
	if !reflect.DeepEqual(got, h) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v\n%s", got, h, buf.String())
	}
	if !strings.Contains(buf.String(), `"invoke":"1.5ms"`) {
		t.Errorf("times are not duration strings:\n%s", buf.String())
	}
}

func TestJSONTimesAsNanoseconds(t *testing.T) {
	in := `{"client":"c1","op":"write","value":"1","outcome":"ok","invoke":1000,"return":"2us"}`
	h, err := ReadJSON(strings.NewReader(in), "x")
	if err != nil {
		t.Fatal(err)
	}
	if h.Ops[0].Invoke != time.Microsecond || h.Ops[0].Return != 2*time.Microsecond {
		t.Fatalf("times %v %v", h.Ops[0].Invoke, h.Ops[0].Return)
	}
}

func TestReaderErrors(t *testing.T) {
	const okOp = `{"client":"c1","op":"put","key":"x","value":"1","outcome":"ok","invoke":"1ms","return":"2ms"}`
	const etcdInv = "INFO  jepsen.util - 3\t:invoke\t:write\t4"
	const kvInv = `{:process 0, :type :invoke, :f :put, :key "x", :value "1"}`
	tests := []struct {
		name, format, in, want string
	}{
		{"json bad", "json", okOp + "\n{\"client\":", "h:2: bad JSON"},
		{"json bad op", "json", "\n" + strings.Replace(okOp, `"put"`, `"fr ob"`, 1), `h:2: op "fr ob": want a word`},
		{"json unknown field", "json", strings.Replace(okOp, `"key"`, `"kee"`, 1), "h:1: bad JSON"},
		{"json bad client", "json", strings.Replace(okOp, `"c1"`, `"n1"`, 1), `h:1: client "n1"`},
		{"json bad outcome", "json", strings.Replace(okOp, `"ok"`, `"maybe"`, 1), `h:1: outcome "maybe"`},
		{"json no return", "json", strings.Replace(okOp, `,"return":"2ms"`, "", 1), "h:1: ok operation without return"},
		{"json backwards", "json", strings.Replace(okOp, `"2ms"`, `"0.5ms"`, 1), "h:1: returns (500µs) before"},
		{"json bad time", "json", strings.Replace(okOp, `"2ms"`, `"soon"`, 1), `h:1: bad JSON`},
		{"json late header", "json", okOp + "\n" + `{"history":"faultline","version":1}`, "h:2: the header line must come first"},
		{"json bad version", "json", `{"history":"faultline","version":9}`, "h:1: version 9"},
		{"json bad model", "json", `{"history":"faultline","version":1,"model":"queue"}`, `h:1: model "queue"`},
		{"json trailing", "json", okOp + " {}", "h:1: bad JSON: extra data"},
		{"json output on fail", "json", strings.Replace(okOp, `"ok"`, `"fail","output":"x"`, 1), "h:1: a fail operation has an output"},
		{"json nemesis without start", "json", `{"nemesis":"crash"}`, "h:1: nemesis line without start"},
		{"etcd garbage", "etcd", etcdInv + "\nhello", `h:2: not a jepsen.util register event: "hello"`},
		{"etcd truncated", "etcd", "INFO  jepsen.util - 3\t:invoke\t:cas\t[1", "h:1: cas invocation"},
		{"etcd unknown op", "etcd", "INFO  jepsen.util - 3\t:invoke\t:frob\t1", "h:1: not a jepsen.util"},
		{"etcd double invoke", "etcd", etcdInv + "\n" + etcdInv, "h:2: process 3 invokes write while its write from line 1 is still open"},
		{"etcd orphan", "etcd", "INFO  jepsen.util - 3\t:ok\t:read\t1", "h:1: process 3 completes a read it never invoked"},
		{"etcd wrong kind", "etcd", etcdInv + "\nINFO  jepsen.util - 3\t:ok\t:read\t1", "h:2: process 3 completes a read but invoked a write"},
		{"etcd bad fail", "etcd", etcdInv + "\nINFO  jepsen.util - 3\t:fail\t:write\t4", `h:2: write failed with "4"`},
		{"kv garbage", "kvlog", kvInv + "\n{:process 0, :type :ok}", "h:2: not a KV event"},
		{"kv unknown op", "kvlog", strings.Replace(kvInv, ":put", ":frob", 1), "h:1: not a KV event"},
		{"kv orphan", "kvlog", strings.Replace(kvInv, ":invoke", ":ok", 1), "h:1: process 0 completes a put it never invoked"},
		{"kv key mismatch", "kvlog", kvInv + "\n" + strings.Replace(strings.Replace(kvInv, ":invoke", ":ok", 1), `"x"`, `"y"`, 1), `h:2: process 0 completes put("y") but invoked put("x")`},
		{"kv get with value", "kvlog", `{:process 0, :type :invoke, :f :get, :key "x", :value "1"}`, "h:1: get invocation with value"},
		{"json overlapping client", "json", okOp + "\n" + strings.Replace(strings.Replace(okOp, `"1ms"`, `"1.5ms"`, 1), `"2ms"`, `"3ms"`, 1), `h:2: c1 invokes put at 1.5ms while its put from line 1 has not returned`},
		{"json after pending", "json", strings.Replace(strings.Replace(okOp, `"outcome":"ok"`, `"outcome":"invoke"`, 1), `,"return":"2ms"`, "", 1) + "\n" + strings.Replace(strings.Replace(okOp, `"1ms"`, `"5ms"`, 1), `"2ms"`, `"6ms"`, 1), `h:2: c1 invokes put at 5ms while its put from line 1 has not returned`},
		{"json trace given", "json", `{"faultline_trace":1,"seed":3}`, "h:1: this is a trace, not a history: the history of a replayed seed is history.jsonl beside it"},
		{"json results given", "json", `{"faultline_results":1}`, "h:1: this is a sweep's results file"},
		{"edn not a map", "edn", `{:type :invoke, :f :read`, "h:1: not an EDN map"},
		{"edn no type", "edn", `{:f :read, :value nil, :process 0}`, "h:1: no :type keyword"},
		{"edn bad type", "edn", `{:type :maybe, :f :read, :value nil, :process 0}`, "h:1: :type :maybe"},
		{"edn bad f", "edn", `{:type :invoke, :f :frob, :value nil, :process 0}`, "h:1: :f :frob"},
		{"edn bad process", "edn", `{:type :invoke, :f :read, :value nil, :process "x"}`, `h:1: :process x: want a non-negative integer`},
		{"edn bad cas", "edn", `{:type :invoke, :f :cas, :value 3, :process 0}`, "h:1: cas :value 3: want [from to]"},
		{"edn double invoke", "edn", `{:type :invoke, :f :write, :value 1, :process 0}` + "\n" + `{:type :invoke, :f :write, :value 2, :process 0}`, "h:2: process 0 invokes write while its write from line 1 is still open"},
		{"edn orphan", "edn", `{:type :ok, :f :write, :value 1, :process 0}`, "h:1: process 0 completes a write it never invoked"},
		{"edn backwards", "edn", `{:type :invoke, :f :write, :value 1, :process 0, :time 50}` + "\n" + `{:type :ok, :f :write, :value 1, :process 0, :time 10}`, "h:2: process 0 completes at 10ns, before its invocation"},
		{"edn bad value", "edn", `{:type :invoke, :f :write, :value {:a 1}, :process 0}`, "h:1: :value {:a 1}: want nil"},
		{"kv bad escape", "kvlog", `{:process 0, :type :invoke, :f :put, :key "x", :value "\q"}`, `h:1: value "\q": unknown escape`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), "h", Format(tt.format))
			if err == nil || !strings.Contains(err.Error(), "checker: "+tt.want) {
				t.Fatalf("error %v, want one containing %q", err, "checker: "+tt.want)
			}
		})
	}
}

// A Jepsen history.edn reads as the register (or, with independent keys,
// KV) history it records, and its verdict is the checker's.
func TestEDNReader(t *testing.T) {
	const reg = `{:type :invoke, :f :write, :value 1, :process 0, :time 1000000, :index 0}
{:type :invoke, :f :read, :value nil, :process 1, :time 2000000, :index 1}
{:type :ok, :f :write, :value 1, :process 0, :time 3000000, :index 2}
{:type :info, :f :start-partition, :value [:isolated {"n1" #{"n2"}}], :process :nemesis, :time 3500000}
{:type :ok, :f :read, :value 1, :process 1, :time 4000000, :index 3}
{:type :invoke, :f :cas, :value [2 3], :process 0, :time 5000000, :index 4}
{:type :fail, :f :cas, :value [2 3], :process 0, :time 6000000, :index 5}
{:type :invoke, :f :read, :value nil, :process 1, :time 7000000, :index 6}
{:type :ok, :f :read, :value 1, :process 1, :time 8000000, :index 7}
`
	h, f, err := readString(t, reg)
	if err != nil || f != FormatEDN || h.Model != "register" || len(h.Ops) != 4 || len(h.Annotations) != 1 {
		t.Fatalf("%v %s %+v", err, f, h)
	}
	if cas := h.Ops[2]; cas.Kind != nodes.OpCAS || cas.Outcome != nodes.OK || cas.Output != "false" || cas.Expect != "2" || cas.Value != "3" {
		t.Errorf("failed cas reads as %+v", cas)
	}
	if r := Check(h, Options{}); r.Verdict != Valid {
		t.Errorf("valid history: %s", r)
	}
	// The second read saw 1 after the write of 1 finished... then a read of
	// 2 nobody wrote is not linearizable.
	bad := strings.Replace(reg, `{:type :ok, :f :read, :value 1, :process 1, :time 8000000`, `{:type :ok, :f :read, :value 2, :process 1, :time 8000000`, 1)
	h, _, err = readString(t, bad)
	if err != nil {
		t.Fatal(err)
	}
	if r := Check(h, Options{}); r.Verdict != Invalid {
		t.Errorf("a read of a value never written: %s", r)
	}
	// jepsen.independent: [key value] tuples make a KV history, per key.
	ind := `{:type :invoke, :f :write, :value [3 1], :process 0, :time 1}
{:type :ok, :f :write, :value [3 1], :process 0, :time 2}
{:type :invoke, :f :cas, :value [4 [1 2]], :process 1, :time 3}
{:type :fail, :f :cas, :value [4 [1 2]], :process 1, :time 4}
{:type :invoke, :f :read, :value [3 nil], :process 1, :time 5}
{:type :ok, :f :read, :value [3 1], :process 1, :time 6}
`
	h, _, err = readString(t, ind)
	if err != nil || h.Model != "kv" || h.Ops[0].Key != "3" || h.Ops[1].Key != "4" || h.Ops[1].Expect != "1" || h.Ops[2].Output != "1" {
		t.Fatalf("%v %+v", err, h)
	}
	if r := Check(h, Options{}); r.Verdict != Valid {
		t.Errorf("independent history: %s", r)
	}
}

func readString(t *testing.T, s string) (*History, Format, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.edn")
	os.WriteFile(path, []byte(s), 0o644)
	return ReadFile(path)
}

// A client with several operations outstanding (an open-loop workload)
// writes a header that says so, and reads back.
func TestConcurrentClientsRoundTrip(t *testing.T) {
	h := &History{Model: "kv", Ops: []Operation{
		{Client: nodes.ClientID(1), Op: nodes.Op{Kind: nodes.OpPut, Key: "x", Value: "1"}, Outcome: nodes.OK, Invoke: 1, Return: 5},
		{Client: nodes.ClientID(1), Op: nodes.Op{Kind: nodes.OpPut, Key: "y", Value: "2"}, Outcome: nodes.OK, Invoke: 2, Return: 6},
	}}
	var b strings.Builder
	if err := WriteJSON(&b, h); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"concurrent_clients":true`) {
		t.Fatalf("header does not declare concurrent clients:\n%s", b.String())
	}
	if _, err := ReadJSON(strings.NewReader(b.String()), "h"); err != nil {
		t.Fatal(err)
	}
	h.Ops[1].Invoke, h.Ops[1].Return = 5, 6 // sequential: no declaration
	b.Reset()
	WriteJSON(&b, h)
	if strings.Contains(b.String(), "concurrent_clients") {
		t.Errorf("sequential clients declared concurrent:\n%s", b.String())
	}
}

// A workload's own operations read (the set is open); the model that
// cannot take them says so when it checks, rather than the reader.
func TestOpenOperationKinds(t *testing.T) {
	in := `{"client":"c1","op":"enqueue","key":"q","value":"m1","outcome":"ok","invoke":"1ms","return":"2ms"}`
	h, err := ReadJSON(strings.NewReader(in), "h")
	if err != nil || h.Ops[0].Kind != "enqueue" {
		t.Fatalf("%v %+v", err, h)
	}
	if res := Check(h, Options{}); res.Verdict != Unknown {
		t.Errorf("a history no built-in model speaks: %s", res)
	}
	h.Model = "kv"
	if res := Check(h, Options{}); res.Verdict != Unknown || !strings.Contains(res.String(), `unknown op "enqueue"`) {
		t.Errorf("a kv history with a queue op: %s", res)
	}
}

func TestEtcdReader(t *testing.T) {
	in := strings.Join([]string{
		"INFO  jepsen.util - 0\t:invoke\t:read\tnil",
		"INFO  jepsen.util - 1\t:invoke\t:cas\t[1 4]",
		"INFO  jepsen.util - 0\t:ok\t:read\tnil",
		"",
		"INFO  jepsen.util - 1   :fail   :cas    [1 4]",
		"INFO  jepsen.util - 2\t:invoke\t:write\t3",
		"INFO  jepsen.util - 2\t:info\t:write\t:timed-out",
		"INFO  jepsen.util - 0\t:invoke\t:read\tnil",
		"INFO  jepsen.util - 0\t:fail\t:read\t:timed-out",
		"INFO  jepsen.util - 3\t:invoke\t:write\t1",
	}, "\n")
	h, err := ReadEtcdLog(strings.NewReader(in), "e")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := range h.Ops {
		got = append(got, h.Ops[i].String())
	}
	want := []string{
		"c1 read() -> nil ok [1ms,3ms]",
		`c2 cas("1", "4") -> false ok [2ms,5ms]`,
		`c3 write("3") info [6ms,...]`,
		"c1 read() fail [8ms,9ms]",
		`c4 write("1") invoke [10ms,...]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if h.Model != "register" {
		t.Errorf("model %q", h.Model)
	}
}

func TestKVReader(t *testing.T) {
	in := `{:process 0, :type :invoke, :f :get, :key "a\"b", :value nil}
{:process 1, :type :invoke, :f :append, :key "a\"b", :value "x 1 0 y"}
{:process 0, :type :ok, :f :get, :key "a\"b", :value ""}
{:process 1, :type :info, :f :append, :key "a\"b", :value "x 1 0 y"}`
	h, err := ReadKVLog(strings.NewReader(in), "k")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Ops) != 2 || h.Ops[0].Key != `a"b` || h.Ops[0].Outcome != nodes.OK || !h.Ops[0].Exists ||
		h.Ops[1].Value != "x 1 0 y" || h.Ops[1].Outcome != nodes.Info || h.Model != "kv" {
		t.Fatalf("got %+v", h)
	}
}

func TestCheckFileDetectsFormats(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.jsonl": `{"client":"c1","op":"write","value":"1","outcome":"ok","invoke":"1ms","return":"2ms"}` + "\n" +
			`{"client":"c2","op":"read","output":"1","exists":true,"outcome":"ok","invoke":"3ms","return":"4ms"}`,
		"b.log":   "\n\nINFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\t1\n",
		"c.txt":   `{:process 0, :type :invoke, :f :put, :key "x", :value "1"}` + "\n" + `{:process 0, :type :ok, :f :put, :key "x", :value "1"}`,
		"d.empty": "",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := CheckFile(path, Options{})
		if err != nil || res.Verdict != Valid {
			t.Errorf("%s: %v %v\n%s", name, res.Verdict, err, res)
		}
	}
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("\nhello world\n"), 0o644)
	if _, err := CheckFile(bad, Options{}); err == nil || !strings.Contains(err.Error(), "checker: bad.txt:2: unrecognized history format") {
		t.Errorf("error %v", err)
	}
	trunc := filepath.Join(dir, "trunc.jsonl")
	os.WriteFile(trunc, []byte(files["a.jsonl"][:60]), 0o644)
	if _, err := CheckFile(trunc, Options{}); err == nil || !strings.Contains(err.Error(), "checker: trunc.jsonl:1: bad JSON") {
		t.Errorf("error %v", err)
	}
	if _, err := CheckFile(filepath.Join(dir, "missing"), Options{}); err == nil {
		t.Error("no error for a missing file")
	}
}

func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"history":"faultline","version":1,"model":"kv"}
{"client":"c1","op":"put","key":"x","value":"1","outcome":"ok","invoke":"1ms","return":"2ms"}
{"client":"c2","op":"get","key":"x","output":"1","exists":true,"outcome":"ok","invoke":1500000,"return":"3ms"}
{"client":"c3","op":"cas","key":"x","expect":"1","value":"2","outcome":"info","invoke":"2ms"}
{"nemesis":"partition","node":"n1","start":"1ms","end":"5ms"}`))
	f.Add([]byte(`{"client":"c1","op":"add","value":"a","outcome":"invoke","invoke":"0s"}`))
	f.Add([]byte(`{"client":"c1","op":"write","value":"a","outcome":"info","invoke":9223372036854775807}
{"client":"c2","op":"read","output":"a","exists":true,"outcome":"ok","invoke":-5,"return":9223372036854775807}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadJSON(bytes.NewReader(data), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "checker: fuzz:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		// What was read writes and reads back the same.
		var buf bytes.Buffer
		if err := WriteJSON(&buf, h); err != nil {
			t.Fatal(err)
		}
		h2, err := ReadJSON(bytes.NewReader(buf.Bytes()), "again")
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, buf.String())
		}
		var buf2 bytes.Buffer
		WriteJSON(&buf2, h2)
		if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
			t.Fatalf("not stable:\n%s\n%s", buf.String(), buf2.String())
		}
		checkQuickly(h)
	})
}

func FuzzReadEtcd(f *testing.F) {
	f.Add([]byte("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t3\n" +
		"INFO  jepsen.util - 1\t:invoke\t:cas\t[1 4]\nINFO  jepsen.util - 1\t:fail\t:cas\t[1 4]\n" +
		"INFO  jepsen.util - 2\t:invoke\t:write\t3\nINFO  jepsen.util - 2\t:info\t:write\t:timed-out\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadEtcdLog(bytes.NewReader(data), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "checker: fuzz:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		checkQuickly(h)
	})
}

func FuzzReadKV(f *testing.F) {
	f.Add([]byte(`{:process 0, :type :invoke, :f :get, :key "0", :value nil}
{:process 0, :type :ok, :f :get, :key "0", :value "x 1 0 y"}
{:process 1, :type :invoke, :f :append, :key "0", :value "x \"1\" 0 y"}
{:process 1, :type :info, :f :append, :key "0", :value "x \"1\" 0 y"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadKVLog(bytes.NewReader(data), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "checker: fuzz:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		checkQuickly(h)
	})
}

// checkQuickly runs every checker on a fuzzed history with a tiny budget:
// none may panic (Run would hide it, so call Check directly).
func checkQuickly(h *History) {
	opts := Options{Budget: 20 * time.Millisecond}
	Default(h).Check(h, opts)
	for _, c := range []Checker{NoLostWrites(), UniqueIDs(), Bank(0), Linearizable(RegisterModel()), Linearizable(KVModel()), Linearizable(SetModel())} {
		c.Check(h, opts)
	}
	Stats(h, time.Millisecond)
}

func FuzzReadEDN(f *testing.F) {
	f.Add([]byte(`{:type :invoke, :f :write, :value 1, :process 0, :time 1}
{:type :ok, :f :write, :value 1, :process 0, :time 2}
{:type :info, :f :kill, :value {"n1" :killed}, :process :nemesis, :time 3}
{:type :invoke, :f :cas, :value [7 [1 2]], :process 1, :time 4}
{:type :fail, :f :cas, :value [7 [1 2]], :process 1, :time 5}`))
	f.Add([]byte(`{:type :invoke, :f :read, :value nil, :process 3}` + "\n" + `{:type :ok, :f :read, :value "x", :process 3}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadEDN(bytes.NewReader(data), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "checker: fuzz:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		checkQuickly(h)
	})
}
