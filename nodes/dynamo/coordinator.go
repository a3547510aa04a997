package dynamo

import (
	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/nodes/kv"
)

// request handles a client's request: coordinate it if this server is the
// first live server of the key's preference list, else forward it there.
func (n *Node) request(env nodes.Env, from nodes.ID, req kv.Request) {
	if !kv.Known(req.Op.Kind) {
		env.Send(from, kv.Reply{Seq: req.Seq, Status: kv.StatusRetry})
		return
	}
	c := n.id
	for _, p := range n.preference(req.Op.Key) {
		if p == n.id || !n.suspected(env, p) {
			c = p
			break
		}
	}
	if c == n.id {
		n.coordinate(env, &op{from: from, client: from, seq: req.Seq, kop: req.Op})
		return
	}
	n.nextFwd++
	f := &fwd{client: from, seq: req.Seq, kop: req.Op, to: c}
	f.timer = env.SetTimer(n.cfg.OpTimeout+n.cfg.Timeout, tagForward|n.nextFwd)
	n.fwds[n.nextFwd] = f
	env.Send(c, Forward{ID: n.nextFwd, Client: from, Seq: req.Seq, Op: req.Op})
	env.Reached("dynamo: request forwarded to the key's coordinator")
}

func (n *Node) forwardReply(env nodes.Env, m ForwardReply) {
	f, ok := n.fwds[m.ID]
	if !ok {
		return
	}
	delete(n.fwds, m.ID)
	env.CancelTimer(f.timer)
	r := m.Reply
	r.Seq = f.seq
	env.Send(f.client, r)
}

// coordinate starts o, or queues it behind the operation in progress on
// its key: a coordinator runs one operation per key at a time.
func (n *Node) coordinate(env nodes.Env, o *op) {
	n.nextOp++
	o.id = n.nextOp
	o.key = o.kop.Key
	n.ops[o.id] = o
	o.expiry = env.SetTimer(n.cfg.OpTimeout, tagDeadline|o.id)
	n.event(Event{Kind: EvArrived, Op: o.id, Key: o.key})
	if _, busy := n.busy[o.key]; busy {
		n.queue[o.key] = append(n.queue[o.key], o)
		return
	}
	n.begin(env, o)
}

func (n *Node) begin(env nodes.Env, o *op) {
	n.busy[o.key] = o.id
	if n.cfg.Bugs.LocalClock && (o.kop.Kind == nodes.OpPut || o.kop.Kind == nodes.OpWrite) {
		n.clock++
		o.rec = Record{Key: o.key, Version: Version{n.clock, n.id}, Value: o.kop.Value, Exists: true, Client: o.client, Seq: o.seq,
			Sessions: []Session{{o.client, o.seq}}}
		o.reply = kv.Reply{Status: kv.StatusOK}
		n.phase(env, o, phaseWrite)
		return
	}
	n.phase(env, o, phaseRead)
}

// slot is the target index a reply from id answers, or -1.
func (o *op) slot(id nodes.ID) int {
	for i, t := range o.targets {
		if t.node == id {
			return i
		}
	}
	for i, t := range o.targets {
		if t.owner == id {
			return i
		}
	}
	return -1
}

func (o *op) count() int {
	c := 0
	for _, t := range o.targets {
		if t.done {
			c++
		}
	}
	return c
}

func (o *op) using(id nodes.ID) bool {
	for _, t := range o.targets {
		if t.node == id || t.owner == id {
			return true
		}
	}
	return false
}

// standIn picks the nearest server beyond the preference list that the
// operation does not use yet, preferring unsuspected ones.
func (n *Node) standIn(env nodes.Env, o *op) (nodes.ID, bool) {
	walk := n.ring.Walk(o.key)[len(n.preference(o.key)):]
	for pass := range 2 {
		for _, s := range walk {
			if !o.using(s) && (pass == 1 || !n.suspected(env, s)) {
				return s, true
			}
		}
	}
	return 0, false
}

// phase starts a round: targets not yet done get the phase's request, and
// the replica timer starts.
func (n *Node) phase(env nodes.Env, o *op, ph int) {
	o.phase = ph
	if o.targets == nil {
		for _, p := range n.preference(o.key) {
			t := target{owner: p, node: p}
			o.targets = append(o.targets, t)
		}
		if n.cfg.Sloppy {
			for i, t := range o.targets {
				if t.owner != n.id && n.suspected(env, t.owner) {
					if s, ok := n.standIn(env, o); ok {
						o.targets[i].node = s
						env.Reached("dynamo: sloppy quorum used a stand-in")
					}
				}
			}
		}
	}
	if ph != phaseRepair {
		for i := range o.targets {
			o.targets[i].done = false
		}
	}
	env.CancelTimer(o.timer)
	o.timer = env.SetTimer(n.cfg.Timeout, tagReplica|o.id)
	n.send(env, o)
}

// send sends the phase's request to every target not done. The local
// target is served last: it may complete the phase, and with it o.
func (n *Node) send(env nodes.Env, o *op) {
	local := -1
	for i, t := range o.targets {
		if t.done {
			continue
		}
		if t.node == n.id {
			local = i
			continue
		}
		switch o.phase {
		case phaseRead:
			env.Send(t.node, ReadReq{Op: o.id, Key: o.key})
		default:
			env.Send(t.node, WriteReq{Op: o.id, Rec: o.rec, Hint: o.hint(i)})
		}
	}
	if local < 0 {
		return
	}
	switch o.phase {
	case phaseRead:
		rec, durable := n.holds(o.key)
		n.onRead(env, o.id, n.id, rec, durable)
	default:
		id, rec := o.id, o.rec
		n.store(env, rec, o.hint(local), func(env nodes.Env) { n.onAck(env, n.id, WriteAck{Op: id, Rec: rec}) })
	}
}

// hint is the owner a stand-in target keeps the write for (0: the owner
// itself).
func (o *op) hint(i int) nodes.ID {
	if t := o.targets[i]; t.node != t.owner {
		return t.owner
	}
	return 0
}

// replicaTimeout: a strict quorum resends to the targets that have not
// answered; a sloppy one replaces them with stand-ins (when any is left).
func (n *Node) replicaTimeout(env nodes.Env, o *op) {
	for i, t := range o.targets {
		if t.done || t.node == n.id {
			continue
		}
		if n.cfg.Sloppy {
			n.suspectNode(env, t.node)
			if s, ok := n.standIn(env, o); ok {
				o.targets[i].node = s
				env.Reached("dynamo: sloppy quorum used a stand-in")
				continue
			}
		}
		env.Reached("dynamo: quorum request retransmitted")
	}
	o.timer = env.SetTimer(n.cfg.Timeout, tagReplica|o.id)
	n.send(env, o)
}

func (n *Node) onRead(env nodes.Env, id uint64, from nodes.ID, rec Record, durable bool) {
	o, ok := n.ops[id]
	if !ok || o.phase != phaseRead || rec.Key != o.key {
		return
	}
	i := o.slot(from)
	if i < 0 || o.targets[i].done {
		return
	}
	o.targets[i].done, o.targets[i].replied, o.targets[i].got, o.targets[i].durable = true, true, rec, durable
	if o.count() >= n.cfg.R {
		n.readDone(env, o)
	}
}

// readDone acts on R replies: a read answers the newest record, a write
// applies its operation to it and writes the result under a new version.
func (n *Node) readDone(env nodes.Env, o *op) {
	newest := Record{Key: o.key}
	for _, t := range o.targets {
		if t.done && newest.Less(t.got) {
			newest = t.got
		}
	}
	data := map[string]string{}
	if newest.Exists {
		data[o.key] = newest.Value
	}
	switch {
	case o.kop.Kind.IsRead():
		res := kv.Apply(data, o.kop)
		o.reply = kv.Reply{Status: kv.StatusOK, Value: res.Value, Exists: res.Exists}
		n.repair(env, o, newest)
	case newest.applied(o.client, o.seq):
		env.Reached("dynamo: retried write found already applied")
		o.reply = kv.Reply{Status: kv.StatusOK}
		n.repair(env, o, newest)
	default:
		res := kv.Apply(data, o.kop)
		if res.Status != kv.StatusOK {
			o.reply = kv.Reply{Status: res.Status, Value: res.Value, Exists: res.Exists}
			n.finish(env, o)
			return
		}
		n.clock = max(n.clock, newest.Version.Counter) + 1
		o.rec = Record{Key: o.key, Version: Version{n.clock, n.id}, Value: data[o.key], Exists: true, Client: o.client, Seq: o.seq,
			Sessions: newest.sessionsWith(o.client, o.seq)}
		o.reply = kv.Reply{Status: kv.StatusOK}
		n.phase(env, o, phaseWrite)
	}
}

// repair answers a read once its newest record is durable on W servers:
// targets that replied with an older record, or with the newest one not
// yet synced, or not at all, get it written back first and count once
// they acknowledge it, which they do after their sync (blocking read
// repair). Counting a copy that is only in a replica's memory would let a
// crash of that replica take back a value already answered: the next read
// quorum can miss it (a stale read, seed 7000292 of
// docs/findings/dynamo-stale-read-crash-loop.yaml).
func (n *Node) repair(env nodes.Env, o *op, newest Record) {
	o.rec = newest
	have := 0
	for i, t := range o.targets {
		o.targets[i].done = t.done && t.got.Same(newest) && t.durable
		if o.targets[i].done {
			have++
		}
	}
	if !newest.Exists || have >= n.cfg.W {
		// Enough copies: repair the stale repliers without waiting.
		for i, t := range o.targets {
			if !t.done && t.replied && t.node != n.id {
				env.Reached("dynamo: read repair")
				env.Send(t.node, WriteReq{Rec: newest, Hint: o.hint(i)})
			}
		}
		n.finish(env, o)
		return
	}
	env.Reached("dynamo: blocking read repair")
	n.phase(env, o, phaseRepair)
}

// finish answers o and starts the next operation on its key.
func (n *Node) finish(env nodes.Env, o *op) {
	env.CancelTimer(o.timer)
	env.CancelTimer(o.expiry)
	delete(n.ops, o.id)
	if o.reply.Status == kv.StatusOK {
		n.event(Event{Kind: EvAnswered, Op: o.id, Key: o.key, Rec: o.rec, Read: o.kop.Kind.IsRead()})
	}
	n.answer(env, o)
	n.release(env, o)
}

func (n *Node) answer(env nodes.Env, o *op) {
	if o.fwdID != 0 {
		env.Send(o.from, ForwardReply{ID: o.fwdID, Reply: o.reply})
		return
	}
	r := o.reply
	r.Seq = o.seq
	env.Send(o.client, r)
}

func (n *Node) release(env nodes.Env, o *op) {
	if n.busy[o.key] != o.id {
		return
	}
	delete(n.busy, o.key)
	if q := n.queue[o.key]; len(q) > 0 {
		next := q[0]
		if len(q) == 1 {
			delete(n.queue, o.key)
		} else {
			n.queue[o.key] = q[1:]
		}
		n.begin(env, next)
	}
}

// expire gives up on o at its deadline: the client may retry (the write
// may or may not have taken effect).
func (n *Node) expire(env nodes.Env, o *op) {
	env.Reached("dynamo: operation timed out at the coordinator")
	env.CancelTimer(o.timer)
	delete(n.ops, o.id)
	if q := n.queue[o.key]; n.busy[o.key] != o.id {
		for i, w := range q {
			if w == o {
				n.queue[o.key] = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		if len(n.queue[o.key]) == 0 {
			delete(n.queue, o.key)
		}
	}
	o.reply = kv.Reply{Status: kv.StatusRetry}
	n.answer(env, o)
	n.release(env, o)
}
