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
	durable  files
	view     files
	pending  []diskOp
	issued   uint64 // writes issued, ever
	applied  uint64 // writes made durable, ever
	lastSync int64  // completion time of the latest sync (syncs complete in order)
	faults   DiskFaults
}

var _ nodes.Store = (*disk)(nil)

// files is a set of files by name (the durable contents, or the view),
// each file a cell its writes update in place. It remembers the cell it
// handed out last, so a stream of appends to one file (a WAL) looks its
// name up once instead of twice per append and again at every sync.
type files struct {
	m        map[string]*[]byte
	lastName string
	last     *[]byte
	free     []*[]byte // cells of deleted files, for new ones
}

func newFiles(n int) files { return files{m: make(map[string]*[]byte, n)} }

// get returns the cell of an existing file, or nil.
func (f *files) get(name string) *[]byte {
	if f.last != nil && f.lastName == name {
		return f.last
	}
	c := f.m[name]
	if c != nil {
		f.lastName, f.last = name, c
	}
	return c
}

// cell returns name's cell, making the file (empty) if it does not exist.
func (f *files) cell(name string) *[]byte {
	if c := f.get(name); c != nil {
		return c
	}
	var c *[]byte
	if n := len(f.free); n > 0 {
		c, f.free = f.free[n-1], f.free[:n-1]
	} else {
		c = new([]byte)
	}
	f.m[name] = c
	f.lastName, f.last = name, c
	return c
}

func (f *files) delete(name string) {
	c := f.m[name]
	if c == nil {
		return
	}
	delete(f.m, name)
	if f.lastName == name {
		f.lastName, f.last = "", nil
	}
	// Nothing else refers to a cell (pending writes keep their bytes,
	// not the cell), so a later file can have it.
	*c = nil
	f.free = append(f.free, c)
}

func (d *disk) sim() *Sim { return d.p.sim }

func (d *disk) ensure() {
	if d.view.m == nil {
		d.durable = newFiles(0)
		d.view = newFiles(0)
	}
}

func (d *disk) Read(name string) ([]byte, error) {
	d.p.live()
	c := d.view.get(name)
	if c == nil {
		return nil, nodes.ErrNotFound
	}
	out := append([]byte(nil), *c...)
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
	c := d.view.cell(name)
	old := *c
	cur := append(old, data...)
	*c = cur
	d.record(diskOp{kind: opAppend, name: name, data: cur[len(old):len(cur):len(cur)], full: cur[:len(cur):len(cur)]})
}

func (d *disk) Delete(name string) { d.p.live(); d.do(diskOp{kind: opDelete, name: name}) }

func (d *disk) List() []string {
	d.p.live()
	names := make([]string, 0, len(d.view.m))
	for n := range d.view.m { //faultline:orderless collected, then sorted
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (d *disk) Sync(tag uint64) {
	d.p.live()
	s := d.sim()
	s.emitPlain(trace.DiskSync, d.p.id, int64(tag), "", "")
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
	d.view.apply(op)
	d.record(op)
}

// record queues op, already applied to the view, until a sync covers it.
func (d *disk) record(op diskOp) {
	d.pending = append(d.pending, op)
	d.issued++
	s := d.sim()
	s.emitPlain(trace.DiskWrite, d.p.id, int64(len(op.data)), opNames[op.kind], op.name)
}

func (f *files) apply(op diskOp) {
	switch op.kind {
	case opWrite:
		*f.cell(op.name) = op.data
	case opAppend:
		// In place, amortised O(len(data)). The view and the durable map
		// may share a backing array, but the durable contents are always
		// a prefix of the same sequence of writes the view applied, so
		// bytes written in place beyond one map's length are either the
		// same bytes the other will write, or lost at a crash (when the
		// view is rebuilt from the durable map). The same argument lets a
		// pending append's data be the view's own bytes (Append): applying
		// it to a durable map sharing the array copies them onto themselves.
		c := f.cell(op.name)
		*c = append(*c, op.data...)
	case opDelete:
		f.delete(op.name)
	}
}

// complete makes every write up to number upTo durable.
func (d *disk) complete(upTo uint64) {
	done := 0
	for d.applied < upTo && done < len(d.pending) {
		op := &d.pending[done]
		if op.kind != opAppend {
			d.durable.apply(*op)
		} else if c := d.durable.cell(op.name); len(*c) == len(op.full)-len(op.data) {
			// The durable file is what the view held just before the
			// append (the writes before it, applied in order), so it is
			// op.full's prefix: take op.full instead of copying the
			// tail onto a second array. Appends to the view write only
			// beyond its length, so the prefix never changes.
			*c = op.full
		} else {
			*c = append(*c, op.data...)
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
	if d.view.m == nil {
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
			d.durable.apply(first)
			d.event(trace.DiskFault, "torn", fmt.Sprintf("%s %s kept %d of %d bytes", opNames[first.kind], first.name, keep, len(d.pending[0].data)))
		}
		d.event(trace.DiskFault, "lost", fmt.Sprintf("%d unsynced writes", n))
	}
	d.applied = d.issued
	d.pending = d.pending[:0]
	d.view = newFiles(len(d.durable.m))
	for k, v := range d.durable.m { //faultline:orderless copying a map into a map
		c := *v // the view's own cell, on the same bytes
		d.view.m[k] = &c
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
	for k, v := range p.disk.durable.m { //faultline:orderless copying a map into a map
		out[k] = append([]byte(nil), *v...)
	}
	return out
}
