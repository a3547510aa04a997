package cli

import (
	"fmt"
	"io"
	"strings"
)

// examples are a command's typical invocations, printed after its flags by
// `NAME help CMD` and `NAME CMD -h` ("NAME" stands for the binary).
var examples = map[string][]string{
	"run": {
		"NAME run raft-kv-partitions --seeds 1..1000             # a library scenario by name, every core",
		"NAME run my.yaml --seeds 1..500 --out out/my             # keep results (resumable) and failing seeds' artifacts",
		"NAME run my.yaml --seed 7 --check-steps 200000000        # one seed, a larger linearizability budget",
		"NAME run my.yaml --seeds 1..200 --verify-determinism 0.1 # re-run a tenth of the seeds to check determinism",
	},
	"replay": {
		"NAME replay scenarios/bugs/follower-reads.yaml --seed 7  # explain the verdict, write trace, history, Porcupine page",
	},
	"shrink": {
		"NAME shrink scenarios/bugs/follower-reads.yaml --seed 7 --budget 2m",
	},
	"check": {
		"NAME check out/x/seed-7/history.jsonl                    # Faultline JSON Lines",
		"NAME check history.edn --html lin.html                   # a Jepsen history, with Porcupine's page",
	},
	"viz": {
		"NAME viz out/x/seed-7                                    # the timeline of a replayed seed (q quits, ? helps)",
		"NAME viz out/x/seed-7/trace.jsonl --text --width 160     # as text, for a log",
	},
	"plot": {
		"NAME plot out/x/seed-7/trace.jsonl --out latency.png",
		"NAME plot out/x/results.jsonl --out sweep.svg            # a sweep's verdicts and times",
	},
	"compare": {
		"NAME compare scenarios/cap-partitions.yaml --seeds 1..50 --plot cap.png",
	},
	"hunt": {
		"NAME hunt --node raftkv --workload kv --params bugs=no-sessions --for 5m  # find a bug with no curated scenario",
		"NAME hunt --scenario my.yaml --for 30m --out out/hunt                     # start from a scenario",
	},
	"merge": {
		"NAME merge out/shard-0 out/shard-1 out/shard-2 out/shard-3 --out out/all --junit junit.xml",
	},
	"export": {
		"NAME export out/x/seed-7/trace.jsonl --perfetto --out trace.json   # open in ui.perfetto.dev",
	},
	"report": {
		"NAME report out/all          # a self-contained index.html for a sweep",
	},
	"list": {
		"NAME list            # protocols, workloads, faults, checks, embedded scenarios",
		"NAME list --json     # the same, for tools",
	},
}

// printExamples writes cmd's examples, if any, with the binary's name.
func (a *app) printExamples(w io.Writer, cmd string) {
	ex := examples[cmd]
	if len(ex) == 0 {
		return
	}
	fmt.Fprintf(w, "\nexamples:\n")
	for _, e := range ex {
		fmt.Fprintf(w, "  %s\n", strings.Replace(e, "NAME", a.invoke, 1))
	}
}
