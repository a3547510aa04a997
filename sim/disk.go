package sim

import (
	"fmt"
	"sort"

	"github.com/faultline/faultline/nodes"
	"github.com/faultline/faultline/sim/trace"
)

// DiskFaults are the faults armed on one node's disk.
type DiskFaults struct {
	// LoseUnsynced makes the next crash lose unsynced writes even when
	// the world keeps them (Disk.KeepUnsyncedOnCrash).
	LoseUnsynced bool
	// Tear is the chance that, at a crash, the first unsynced write
	// survives torn: a strict prefix of its bytes reaches the disk.
	Tear Ratio
	// Flip is the chance that a read returns the file with one bit flipped.
	Flip Ratio
}

type diskOpKind uint8

const (
	opWrite diskOpKind = iota
	opAppend
	opDelete
)

type diskOp struct {
	kind diskOpKind
	name string
	data []byte
	// full is, for an append, the file's whole contents in the view just
	// after it (data is its tail): what the durable file becomes when the
	// append is synced (see complete).
	full []byte
}

// disk is a node's store: durable contents, the volatile writes not yet
// covered by a completed sync, and the view reads see (durable + volatile).
type disk struct {
	p        *proc
	durable  map[string][]byte
	view     map[string][]byte
	pending  []diskOp
	issued   uint64 // writes issued, ever
	applied  uint64 // writes made durable, ever
	lastSync int64  // completion time of the latest sync (syncs complete in order)
	faults   DiskFaults
}

var _ nodes.Store = (*disk)(nil)

func (d *disk) sim() *Sim { return d.p.sim }

func (d *disk) ensure() {
	if d.view == nil {
		d.durable = map[string][]byte{}
		d.view = map[string][]byte{}
	}
}

func (d *disk) Read(name string) ([]byte, error) {
	d.p.live()
	b, ok := d.view[name]
	if !ok {
		return nil, nodes.ErrNotFound
	}
	out := append([]byte(nil), b...)
	if len(out) > 0 && d.faults.Flip.Fires(d.sim().diskRng) {
		bit := d.sim().diskRng.IntN(len(out) * 8)
		out[bit/8] ^= 1 << (bit % 8)
		d.event(trace.DiskFault, "flip", fmt.Sprintf("%s bit %d", name, bit))
	}
	return out, nil
}

func (d *disk) Write(name string, data []byte) {
	d.p.live()
	d.do(diskOp{kind: opWrite, name: name, data: append([]byte(nil), data...)})
}

func (d *disk) Append(name string, data []byte) {
	d.p.live()
	// One copy, into the view: the pending op refers to the bytes just
	// appended there (capacity-limited), which nothing writes over until
	// the op reaches the durable map or is lost at a crash (see apply).
	old := d.view[name]
	cur := append(old, data...)
	d.view[name] = cur
	d.record(diskOp{kind: opAppend, name: name, data: cur[len(old):len(cur):len(cur)], full: cur[:len(cur):len(cur)]})
}

func (d *disk) Delete(name string) { d.p.live(); d.do(diskOp{kind: opDelete, name: name}) }

func (d *disk) List() []string {
	d.p.live()
	names := make([]string, 0, len(d.view))
	for n := range d.view { //faultline:orderless collected, then sorted
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (d *disk) Sync(tag uint64) {
	d.p.live()
	s := d.sim()
	s.ev = trace.Event{Kind: trace.DiskSync, Node: d.p.id, Num: int64(tag)}
	s.emit()
	at := s.now + d.p.syncLatency(int64(s.cfg.Disk.SyncLatency.Sample(s.diskRng)))
	if at < d.lastSync {
		at = d.lastSync
	}
	d.lastSync = at
	i := s.alloc()
	sl := &s.slots[i]
	sl.kind = evSynced
	sl.to = d.p.id
	sl.inc = d.p.inc
	sl.tag = tag
	sl.msgID = d.issued // the sync covers every write issued so far
	s.schedule(at, i)
}

var opNames = [...]string{"write", "append", "delete"}

func (d *disk) do(op diskOp) {
	apply(d.view, op)
	d.record(op)
}

// record queues op, already applied to the view, until a sync covers it.
func (d *disk) record(op diskOp) {
	d.pending = append(d.pending, op)
	d.issued++
	s := d.sim()
	s.ev = trace.Event{Kind: trace.DiskWrite, Node: d.p.id, Type: opNames[op.kind], Note: op.name, Num: int64(len(op.data))}
	s.emit()
}

func apply(m map[string][]byte, op diskOp) {
	switch op.kind {
	case opWrite:
		m[op.name] = op.data
	case opAppend:
		// In place, amortised O(len(data)). The view and the durable map
		// may share a backing array, but the durable contents are always
		// a prefix of the same sequence of writes the view applied, so
		// bytes written in place beyond one map's length are either the
		// same bytes the other will write, or lost at a crash (when the
		// view is rebuilt from the durable map). The same argument lets a
		// pending append's data be the view's own bytes (Append): applying
		// it to a durable map sharing the array copies them onto themselves.
		m[op.name] = append(m[op.name], op.data...)
	case opDelete:
		delete(m, op.name)
	}
}

// complete makes every write up to number upTo durable.
func (d *disk) complete(upTo uint64) {
	done := 0
	for d.applied < upTo && done < len(d.pending) {
		op := &d.pending[done]
		if f := d.durable[op.name]; op.kind == opAppend && len(f) == len(op.full)-len(op.data) {
			// The durable file is what the view held just before the
			// append (the writes before it, applied in order), so it is
			// op.full's prefix: take op.full instead of copying the
			// tail onto a second array. Appends to the view write only
			// beyond its length, so the prefix never changes.
			d.durable[op.name] = op.full
		} else {
			apply(d.durable, *op)
		}
		done++
		d.applied++
	}
	// Shift the rest down rather than reslicing from the front, so the
	// queue reuses its memory instead of regrowing.
	k := copy(d.pending, d.pending[done:])
	clear(d.pending[k:])
	d.pending = d.pending[:k]
}

// crash applies the crash semantics: unsynced writes are lost (unless the
// world keeps them), possibly leaving the first one torn.
func (d *disk) crash(s *Sim, p *proc) {
	if d.view == nil {
		return
	}
	lose := !s.cfg.Disk.KeepUnsyncedOnCrash || d.faults.LoseUnsynced
	d.faults.LoseUnsynced = false
	if !lose {
		d.complete(d.issued)
		return
	}
	if n := len(d.pending); n > 0 {
		first := d.pending[0]
		if first.kind != opDelete && len(first.data) > 0 && d.faults.Tear.Fires(s.diskRng) {
			keep := s.diskRng.IntN(len(first.data))
			first.data = first.data[:keep]
			apply(d.durable, first)
			d.event(trace.DiskFault, "torn", fmt.Sprintf("%s %s kept %d of %d bytes", opNames[first.kind], first.name, keep, len(d.pending[0].data)))
		}
		d.event(trace.DiskFault, "lost", fmt.Sprintf("%d unsynced writes", n))
	}
	d.applied = d.issued
	d.pending = d.pending[:0]
	d.view = make(map[string][]byte, len(d.durable))
	for k, v := range d.durable { //faultline:orderless copying a map into a map
		d.view[k] = v
	}
}

func (d *disk) event(k trace.Kind, note, text string) {
	s := d.sim()
	s.ev = trace.Event{Kind: k, Node: d.p.id, Note: note, Text: text}
	s.emit()
}

// SetDiskFaults arms faults on a node's disk (replacing earlier ones).
func (s *Sim) SetDiskFaults(id nodes.ID, f DiskFaults) error {
	p, err := s.mustProc(id)
	if err != nil {
		return err
	}
	if !f.Tear.Valid() || !f.Flip.Valid() {
		return fmt.Errorf("sim: disk faults for %v: ratios must be probabilities (tear %v, flip %v)", id, f.Tear, f.Flip)
	}
	p.disk.faults = f
	return nil
}

// DiskFaultsOf returns the faults armed on a node's disk.
func (s *Sim) DiskFaultsOf(id nodes.ID) DiskFaults {
	if p := s.proc(id); p != nil {
		return p.disk.faults
	}
	return DiskFaults{}
}

// DurableFiles returns a copy of what survives a crash of id right now
// (for tests and convergence checks).
func (s *Sim) DurableFiles(id nodes.ID) map[string][]byte {
	p := s.proc(id)
	out := map[string][]byte{}
	if p == nil {
		return out
	}
	for k, v := range p.disk.durable { //faultline:orderless copying a map into a map
		out[k] = append([]byte(nil), v...)
	}
	return out
}
