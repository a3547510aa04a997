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
		{"json unknown op", "json", "\n" + strings.Replace(okOp, "put", "frob", 1), `h:2: unknown op "frob"`},
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
