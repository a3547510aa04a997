package nemesis

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim"
)

// Fault is one kind of thing going wrong, as data. A Fault value says what
// to do and to whom in the abstract (partition majority, crash one); Plan
// resolves it against a running world, and the Plan starts it.
//
// Every Fault has a canonical text form (String) that Parse reads back to
// an equal value. Values built by the parser are normalized (sorted node
// lists, defaults filled in), so Parse(f.String()) equals f for every
// value Parse returns.
type Fault interface {
	// Kind is the registry name: partition, drop, clock-jump, crash, ...
	Kind() string
	// String is the canonical text form.
	String() string
	// Check validates the fault against a cluster of n servers: explicit
	// node ids must exist.
	Check(n int) error
	// Plan resolves the fault's targets in w, drawing only from r, and
	// returns what it would hit without changing w. A fault that cannot
	// start now (no leader, nobody eligible) returns an error for which
	// IsSkip is true.
	Plan(w *sim.Sim, r *rand.Rand) (*Plan, error)
}

// Plan is a fault resolved against a world: the servers and links it hits,
// ready to start. The recoverability budget is judged on a Plan before it
// starts.
type Plan struct {
	Fault Fault
	// Resolved names what abstract targets resolved to ("n2",
	// "n1,n3,n4|n2,n5"); empty when the fault's text names them already.
	Resolved string
	// Node is the one server the fault hits, if it hits exactly one.
	Node nodes.ID
	// Down lists the servers the fault takes down (crashed, paused,
	// disk-faulted) while it is active.
	Down []nodes.ID
	// Cuts lists the directed links it cuts completely while active.
	Cuts []Link

	start func(x *ctx) (stop func())
}

// Text is how the fault appears in the trace and the history: the
// canonical text, followed by the resolution in brackets when targets were
// abstract, e.g. "crash one [n2]".
func (p *Plan) Text() string {
	if p.Resolved == "" {
		return p.Fault.String()
	}
	return p.Fault.String() + " [" + p.Resolved + "]"
}

// SplitText splits a trace text written by Plan.Text into the fault's
// canonical text and its resolution ("" if none).
func SplitText(text string) (fault, resolved string) {
	if i := strings.LastIndex(text, " ["); i >= 0 && strings.HasSuffix(text, "]") {
		return text[:i], text[i+2 : len(text)-1]
	}
	return text, ""
}

// ctx is what a starting fault may use.
type ctx struct {
	w *sim.Sim
	r *rand.Rand
	// inSync returns the clock values a reset or heal restores.
	inSync func(id nodes.ID) (offset time.Duration, ppm int64)
	// healAll undoes every active fault (the heal fault).
	healAll func()
	// fits reports whether taking down more servers now keeps the run
	// within the recoverability budget (nil: no budget, as with Apply).
	// Faults that pick new victims while they run (crash-loop retarget)
	// ask it; a step's first resolution is checked when it begins.
	fits func(down []nodes.ID) bool
	// clientsFollow: partitions cut clients off with their home servers.
	clientsFollow bool
}

// fitsBudget reports whether down may go down now (see ctx.fits).
func (x *ctx) fitsBudget(down []nodes.ID) bool { return x.fits == nil || x.fits(down) }

// must turns a simulator error into a panic: the nemesis only passes ids it
// resolved itself, so an error is a bug here, not bad input.
func (x *ctx) must(err error) {
	if err != nil {
		panic(fmt.Sprintf("nemesis: %v (seed %d, at %v)", err, x.w.Seed(), x.w.Now()))
	}
}

// kindSpec is one registry line: a fault kind's name, grammar and parser,
// and its generator for generated schedules.
type kindSpec struct {
	name    string
	syntax  string // the grammar, for docs and error messages
	help    string // one line, for listings
	instant bool   // has no duration: a step may not give "for"
	parse   func(args []string) (Fault, error)
	gen     func(g *genCtx) Fault // nil: never generated
}

// registry lists every fault kind, one line each, in documentation order.
var registry = []kindSpec{
	{"partition", "partition halves, partition TARGET or partition IDS|IDS...", "split the servers into groups that cannot talk", false, parsePartition, genPartition},
	{"isolate", "isolate TARGET", "cut each target server off from all others", false, parseIsolate, genIsolate},
	{"bridge", "bridge", "two sides connected only through one server", false, parseBridge, genBridge},
	{"ring", "ring", "each server reaches only its ring neighbours (a majority each)", false, parseRing, genRing},
	{"cut", "cut LINKS", "drop every message on the links (one-way with ->)", false, parseCut, genCut},
	{"drop", "drop RATIO [LINKS]", "lose messages with a probability", false, parseDrop, genDrop},
	{"delay", "delay RANGE [LINKS]", "add an extra delay to messages", false, parseDelay, genDelay},
	{"duplicate", "duplicate RATIO [LINKS]", "deliver messages twice with a probability", false, parseDuplicate, genDuplicate},
	{"reorder", "reorder [RATIO [MAX]] [LINKS]", "hold some messages back so later ones overtake them", false, parseReorder, genReorder},
	{"clog", "clog [LINKS]", "hold messages, then deliver them in a burst", false, parseClog, genClog},
	{"drop-type", "drop-type TYPE|any [RATIO] [LINKS]", "lose only the messages of one type (any: one the servers send, picked at the start)", false, parseDropType, genDropType},
	{"delay-type", "delay-type TYPE|any RANGE [LINKS]", "delay only the messages of one type (any: one the servers send, picked at the start)", false, parseDelayType, genDelayType},
	{"duplicate-type", "duplicate-type TYPE|any [RATIO] [LINKS]", "deliver only the messages of one type twice (any: one the servers send, picked at the start)", false, parseDuplicateType, genDuplicateType},
	{"skew", "skew TARGET OFFSET", "set the wall-clock offset", false, parseSkew, genSkew},
	{"drift", "drift TARGET PPM", "set the clock rate (timers fire early or late)", false, parseDrift, genDrift},
	{"clock-jump", "clock-jump TARGET DELTA", "jump the wall clock forward or backward", false, parseJump, genJump},
	{"strobe", "strobe TARGET AMPLITUDE PERIOD", "jump the wall clock back and forth every period", false, parseStrobe, genStrobe},
	{"clock-reset", "clock-reset [TARGET]", "put clocks back in sync", true, parseClockReset, nil},
	{"crash", "crash TARGET", "kill servers; they restart when the fault stops", false, parseCrash, genCrash},
	{"restart", "restart TARGET", "start crashed servers again", true, parseRestart, nil},
	{"crash-loop", "crash-loop TARGET RANGE [UP] [retarget]", "crash and restart servers over and over, down for RANGE, up for UP (retarget: pick the target again at each crash)", false, parseCrashLoop, genCrashLoop},
	{"crash-on-send", "crash-on-send TARGET RANGE [TYPE|any] [after N..M]", "crash servers right after each message they send (of one type; or the N..M-th since they started), down for RANGE", false, parseCrashOnSend, genCrashOnSend},
	{"pause", "pause TARGET", "stop servers without killing them (SIGSTOP)", false, parsePause, genPause},
	{"disk-lose", "disk-lose TARGET", "power loss: crash losing every unsynced write", false, parseDiskLose, genDiskLose},
	{"disk-tear", "disk-tear TARGET RATIO", "power loss that may leave the first unsynced write torn", false, parseDiskTear, genDiskTear},
	{"disk-flip", "disk-flip TARGET RATIO", "flip a bit in reads with a probability", false, parseDiskFlip, genDiskFlip},
	{"slow", "slow TARGET FACTOR", "servers take FACTOR times longer to handle messages and sync (gray failure)", false, parseSlow, genSlow},
	{"overload", "overload FACTOR", "clients offer FACTOR times their load", false, parseOverload, genOverload},
	{"join", "join IDS", "servers absent from the start join the cluster now", true, parseJoin, nil},
	{"leave", "leave TARGET [GRACE]", "servers announce their leave, stop after GRACE, rejoin when the fault stops", false, parseLeave, genLeave},
	{"heal", "heal", "undo every active fault and restore the world", true, parseHeal, nil},
}

func lookup(kind string) *kindSpec {
	for i := range registry {
		if registry[i].name == kind {
			return &registry[i]
		}
	}
	return nil
}

// Kinds returns every fault kind name, in documentation order.
func Kinds() []string {
	out := make([]string, len(registry))
	for i, k := range registry {
		out[i] = k.name
	}
	return out
}

// GeneratedKinds returns the kinds a generated schedule can contain (every
// kind but the instantaneous ones: restart, clock-reset, heal).
func GeneratedKinds() []string {
	var out []string
	for _, k := range registry {
		if k.gen != nil {
			out = append(out, k.name)
		}
	}
	return out
}

// Syntax returns the grammar of a kind ("drop RATIO [LINKS]"), or "".
func Syntax(kind string) string {
	if k := lookup(kind); k != nil {
		return k.syntax
	}
	return ""
}

// Help returns a one-line description of a kind, or "".
func Help(kind string) string {
	if k := lookup(kind); k != nil {
		return k.help
	}
	return ""
}

// Instant reports whether a fault kind happens at an instant and has no
// duration (restart, clock-reset, heal).
func Instant(kind string) bool {
	k := lookup(kind)
	return k != nil && k.instant
}

// Parse reads a fault's text form. Errors are prefixed with "nemesis:",
// quote the input and say what was expected.
func Parse(text string) (Fault, error) {
	f, err := parse(text)
	if err != nil {
		return nil, fmt.Errorf("nemesis: fault %q: %v", text, err)
	}
	return f, nil
}

func parse(text string) (Fault, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty (want a kind such as partition, crash or clock-jump)")
	}
	k := lookup(fields[0])
	if k == nil {
		return nil, fmt.Errorf("unknown kind %q (want one of %s)", fields[0], strings.Join(Kinds(), ", "))
	}
	f, err := k.parse(fields[1:])
	if err != nil {
		return nil, fmt.Errorf("%v (syntax: %s)", err, k.syntax)
	}
	return f, nil
}

// MustParse is Parse for literals in code and tests; it panics on error.
func MustParse(text string) Fault {
	f, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return f
}

// args is a cursor over a fault's arguments.
type args struct {
	a []string
}

func (a *args) more() bool { return len(a.a) > 0 }

func (a *args) peek() string {
	if len(a.a) == 0 {
		return ""
	}
	return a.a[0]
}

func (a *args) next(what string) (string, error) {
	if len(a.a) == 0 {
		return "", fmt.Errorf("missing %s", what)
	}
	s := a.a[0]
	a.a = a.a[1:]
	return s, nil
}

func (a *args) done() error {
	if len(a.a) > 0 {
		return fmt.Errorf("unexpected %q", strings.Join(a.a, " "))
	}
	return nil
}

func (a *args) target() (Target, error) {
	s, err := a.next("target (one, minority, majority, all, leader or ids such as n1,n3)")
	if err != nil {
		return Target{}, err
	}
	return ParseTarget(s)
}

// optLinks reads an optional trailing link selector (default all).
func (a *args) optLinks() (Links, error) {
	if !a.more() {
		return AllLinks, nil
	}
	s, _ := a.next("")
	return ParseLinks(s)
}

// noArgs parses kinds without arguments.
func noArgs(f Fault) func([]string) (Fault, error) {
	return func(in []string) (Fault, error) {
		a := args{in}
		if err := a.done(); err != nil {
			return nil, err
		}
		return f, nil
	}
}
