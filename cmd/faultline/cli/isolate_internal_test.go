package cli

import (
	"bytes"
	"errors"
	"io"
	"math"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFrames(t *testing.T) {
	var b bytes.Buffer
	for _, s := range []workerSeed{{Seed: 1, Repro: "x replay a.yaml --seed 1"}, {Seed: 1 << 40}} {
		if err := writeFrame(&b, s); err != nil {
			t.Fatal(err)
		}
	}
	whole := b.Bytes()
	for _, want := range []uint64{1, 1 << 40} {
		var got workerSeed
		if err := readFrame(&b, &got); err != nil || got.Seed != want {
			t.Fatalf("readFrame = %+v, %v; want seed %d", got, err, want)
		}
	}
	var got workerSeed
	if err := readFrame(&b, &got); !errors.Is(err, io.EOF) {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
	cut := bytes.NewReader(whole[:len(whole)-3])
	readFrame(cut, &got)
	if err := readFrame(cut, &got); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a frame cut short: %v, want io.ErrUnexpectedEOF", err)
	}
	if err := readFrame(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff}), &got); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("an absurd length: %v, want an error that says it exceeds the bound", err)
	}
}

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"2GiB", 2 << 30, false},
		{"512MiB", 512 << 20, false},
		{"1.5G", 3 << 29, false},
		{"64M", 64 << 20, false},
		{"100", 100, false},
		{"", 0, true},
		{"-1GiB", 0, true},
		{"2GiBx", 0, true},
		{"lots", 0, true},
	} {
		got, err := parseBytes(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	for _, n := range []int64{2 << 30, 300 << 20} {
		if got, err := parseBytes(formatBytes(n)); err != nil || got != n {
			t.Errorf("parseBytes(formatBytes(%d)) = %d, %v", n, got, err)
		}
	}
}

func TestTailWriter(t *testing.T) {
	var w tailWriter
	io.WriteString(&w, "noise from an earlier seed\nfatal error: not this one\n")
	w.reset()
	for i := range 1000 {
		io.WriteString(&w, strings.Repeat("x", i%50)+"\n")
		if i == 10 {
			io.WriteString(&w, "fatal error: concurrent map wr")
			io.WriteString(&w, "ites\n")
		}
	}
	if got := w.first(); got != "fatal error: concurrent map writes" {
		t.Errorf("first = %q", got)
	}
	out := w.lines()
	if n := strings.Count(out, "\n") + 1; n != tailLines {
		t.Errorf("lines: %d lines, want %d", n, tailLines)
	}
	if strings.Contains(out, "earlier seed") || !strings.HasSuffix(out, strings.Repeat("x", 999%50)) {
		t.Errorf("lines = %q: want the last lines since the reset", out)
	}
	var big tailWriter
	io.WriteString(&big, strings.Repeat("y", 1<<20))
	if n := len(big.lines()); n > 4<<10 {
		t.Errorf("one long line kept %d bytes", n)
	}
}

func TestRuntimeDefaults(t *testing.T) {
	if physicalMemory() == 0 {
		t.Skip("no /proc/meminfo")
	}
	gc, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	defer func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }()
	for _, tc := range []struct {
		gogc, gomemlimit string
		args             []string
		wantGC           int
		wantLimit        int64
	}{
		{"", "", []string{"run", "x.yaml"}, 400, physicalMemory() / 2},
		{"", "", nil, 400, physicalMemory() / 2},
		{"", "", []string{"check", "h.jsonl"}, 100, physicalMemory() / 2}, // check keeps what it allocates
		{"150", "1GiB", []string{"run"}, 100, math.MaxInt64},              // left to the environment (the runtime read it at start)
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		t.Setenv("GOGC", tc.gogc)
		t.Setenv("GOMEMLIMIT", tc.gomemlimit)
		runtimeDefaults(tc.args)
		if got := debug.SetGCPercent(100); got != tc.wantGC {
			t.Errorf("GOGC=%q %v: GC percent %d, want %d", tc.gogc, tc.args, got, tc.wantGC)
		}
		if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
			t.Errorf("GOMEMLIMIT=%q: memory limit %d, want %d", tc.gomemlimit, got, tc.wantLimit)
		}
	}
}
