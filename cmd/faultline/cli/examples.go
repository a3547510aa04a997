package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/faultline/faultline/scenarios"
)

// examples are a command's typical invocations, printed after its flags by
// `NAME help CMD` and `NAME CMD -h` ("NAME" stands for the binary).
var examples = map[string][]string{
	"run": {
		"NAME run raft-kv-partitions --seeds 1..1000             # a library scenario by name, every core",
		"NAME run my.yaml --seeds 1..500 --out out                # into out/<scenario>/<run id>/ (latest links it); again resumes",
		"NAME run my.yaml --seed 7 --check-steps 200000000        # one seed, a larger linearizability budget",
		"NAME run my.yaml --seeds 1..200 --verify-determinism 0.1 # re-run a tenth of the seeds to check determinism",
	},
	"replay": {
		"NAME replay scenarios/bugs/follower-reads.yaml --seed 7  # explain the verdict; out/<scenario>/<run id>/seed-7/ gets trace, plots, pages",
	},
	"shrink": {
		"NAME shrink scenarios/bugs/follower-reads.yaml --seed 7 --budget 2m",
	},
	"check": {
		"NAME check out/x/latest/seed-7/history.jsonl             # Faultline JSON Lines",
		"NAME check history.edn --html lin.html                   # a Jepsen history, with Porcupine's page",
	},
	"viz": {
		"NAME viz out/x/latest/seed-7                             # the timeline of a replayed seed (q quits, ? helps)",
		"NAME viz out/x/latest/seed-7/trace.jsonl --text --width 160  # as text, for a log",
	},
	"plot": {
		"NAME plot out/x/latest/seed-7/trace.jsonl --out latency.png",
		"NAME plot out/x/latest/results.jsonl --out sweep.svg     # a sweep's verdicts and times",
	},
	"compare": {
		"NAME compare scenarios/cap-partitions.yaml --seeds 1..50 --plot cap.png",
	},
	"hunt": {
		"NAME hunt --node raftkv --workload kv --params bugs=no-sessions --for 5m  # find a bug with no curated scenario",
		"NAME hunt --node raftkv --seeds 2000 --first 1                            # a seed budget from a fixed seed: the same runs on any machine",
		"NAME hunt --scenario my.yaml --for 30m                                     # start from a scenario; writes out/<scenario>/<run id>/",
		"NAME list                                                                  # the node kinds, their parameters and planted bugs (--params bugs=...)",
	},
	"merge": {
		"NAME merge shard-0 shard-1 shard-2 shard-3 --out out --junit junit.xml   # each shard's --out root (its latest run)",
	},
	"export": {
		"NAME export out/x/latest/seed-7/trace.jsonl --perfetto --out trace.json   # open in ui.perfetto.dev",
	},
	"report": {
		"NAME report out/x            # index.html for the latest sweep of scenario x (run writes it by itself)",
	},
	"serve": {
		"NAME serve                   # browse out/ on http://127.0.0.1:8017/ (Ctrl-C stops)",
		"NAME serve results --port 0  # another store, on any free port",
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
	if cmd == "hunt" {
		ex = huntExamples(ex)
	}
	fmt.Fprintf(w, "\nexamples:\n")
	for _, e := range ex {
		fmt.Fprintf(w, "  %s\n", strings.Replace(e, "NAME", a.invoke, 1))
	}
}

// huntExamples names a node kind the binary has: a binary of its own
// protocols (examples/cmd/pbkv) has no raftkv, and an example it cannot
// run is the first thing a new user pastes.
func huntExamples(ex []string) []string {
	names := scenarios.NodeKindNames()
	if _, ok := scenarios.LookupNode("raftkv"); ok || len(names) == 0 {
		return ex
	}
	out := slices.Clone(ex)
	out[0] = fmt.Sprintf("NAME hunt --node %s --for 5m  # find a bug with no curated scenario (--params bugs=… switches on a planted one)", names[0])
	for i := 1; i < len(out); i++ {
		out[i] = strings.Replace(out[i], "--node raftkv", "--node "+names[0], 1)
	}
	return out
}
