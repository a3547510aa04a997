package swim

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/nodes"
)

// OpView is the membership workload's one operation: ask a member for a
// summary of its view. Output is "alive=A suspect=S dead=D" (the member
// counts itself).
const OpView nodes.OpKind = "view"

// ClientConfig configures a membership client.
type ClientConfig struct {
	// Interval is the think time between queries.
	Interval time.Duration
	// Timeout ends an unanswered query as failed.
	Timeout time.Duration
	// MaxOps, if positive, is the most queries a client makes.
	MaxOps int
	_      struct{}
}

// Client asks a random member for its view, one query at a time. It
// writes nothing: the membership protocol's own traffic is the load, and
// the detection checks judge the members, not the clients' answers.
type Client struct {
	nodes.Base
	cfg     ClientConfig
	seq     uint64
	handle  int
	pending bool
	timeout nodes.TimerID
}

// NewClient returns the factory of membership clients.
func NewClient(cfg ClientConfig) nodes.Factory {
	if cfg.Interval <= 0 || cfg.Timeout <= 0 {
		panic(fmt.Sprintf("swim: client interval %v and timeout %v must be positive", cfg.Interval, cfg.Timeout))
	}
	return func(nodes.ID) nodes.Node { return &Client{cfg: cfg} }
}

const (
	clientNext uint64 = iota + 1
	clientTimeout
)

func (c *Client) Start(env nodes.Env) { env.SetTimer(c.cfg.Interval, clientNext) }

func (c *Client) Timer(env nodes.Env, _ nodes.TimerID, t uint64) {
	ce := env.(nodes.ClientEnv)
	switch t {
	case clientNext:
		peers := env.Peers()
		if len(peers) == 0 || c.cfg.MaxOps > 0 && c.seq >= uint64(c.cfg.MaxOps) {
			return
		}
		c.seq++
		c.handle = ce.Invoke(nodes.Op{Kind: OpView})
		c.pending = true
		env.Send(peers[env.Rand().IntN(len(peers))], ViewQuery{Seq: c.seq})
		c.timeout = env.SetTimer(c.cfg.Timeout, clientTimeout)
	case clientTimeout:
		if c.pending {
			c.pending = false
			ce.Complete(c.handle, nodes.Fail, nodes.Op{Kind: OpView})
			env.SetTimer(c.cfg.Interval, clientNext)
		}
	}
}

func (c *Client) Message(env nodes.Env, _ nodes.ID, msg nodes.Message) {
	r, ok := msg.(ViewReply)
	if !ok || !c.pending || r.Seq != c.seq {
		return
	}
	c.pending = false
	env.CancelTimer(c.timeout)
	env.(nodes.ClientEnv).Complete(c.handle, nodes.OK, nodes.Op{Kind: OpView, Output: fmt.Sprintf("alive=%d suspect=%d dead=%d", r.Alive, r.Suspect, r.Dead)})
	env.SetTimer(c.cfg.Interval, clientNext)
}
