package persist

import (
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tzset"
)

// renderElements and renderBytes pick the values a snapshot encoder writes through a
// renderJob: aggregates of this many elements or more (below BigElements for the RDB
// form), and values held as one byte string (strings, listpacks, intsets) this long (the
// RDB form writes those through a strJob, from the same length). A
// smaller record always fits in the chunk being filled (chunks are handed over at 64 KiB
// and have room for half as much again).
const (
	renderElements = 256
	renderBytes    = 16 << 10
)

// rendered reports whether o goes through a renderJob.
func rendered(o *engine.Object) bool {
	switch o.Encoding() {
	case engine.EncInt:
		return false
	case engine.EncRaw, engine.EncEmbstr, engine.EncListpack, engine.EncIntset:
		return len(o.Bytes()) >= renderBytes
	}
	switch o.Type() {
	case engine.TypeList:
		return tlist.FromObject(o).Len() >= renderElements
	case engine.TypeSet:
		return tset.Len(o) >= renderElements
	case engine.TypeZSet:
		return tzset.Len(o) >= renderElements
	case engine.TypeHash:
		return thash.Len(o) >= renderElements
	}
	return false
}

// renderJob writes a record too big to be sure it fits in the chunk being filled: at its
// first step the record is written whole into a scratch buffer of the encoder (the same
// bytes AppendEntry writes, at once under the lock as AppendEntry would), then copied out
// in pieces that fill each chunk to its capacity. A chunk buffer that grew instead would
// be garbage (only chunk-sized buffers are recycled), and every collection marks the whole
// dataset. The engine detaches the job before the value changes (Detach renders it then,
// if the first step has not), and a value kept aside (SetKey) is no longer referenced, so
// the record is the value as of the snapshot.
type renderJob struct {
	pool   *scratchPool
	render func(dst []byte) ([]byte, error)
	buf    []byte
	off    int
	begun  bool
}

// Detach implements engine.SnapshotDetacher: a record not rendered yet is rendered now;
// after that the job does not read the value.
func (j *renderJob) Detach() error {
	if j.begun {
		return nil
	}
	return j.begin()
}

func (j *renderJob) begin() error {
	j.begun = true
	var err error
	j.buf, err = j.render(j.pool.get())
	j.render = nil
	if err != nil {
		j.pool.put(j.buf)
		j.buf = nil
	}
	return err
}

// Step implements engine.SnapshotJob.
func (j *renderJob) Step(dst []byte, _ time.Time) ([]byte, bool, error) {
	if !j.begun {
		if err := j.begin(); err != nil {
			return dst, true, err
		}
	}
	if j.buf == nil {
		return dst, true, nil // Detach's render failed (the snapshot failed with it)
	}
	var n int
	dst, n = piece(dst, j.buf[j.off:])
	j.off += n
	if j.off < len(j.buf) {
		return dst, false, nil
	}
	j.pool.put(j.buf)
	j.buf = nil
	return dst, true, nil
}

// piece appends to dst the front of b that fills dst to its capacity (4 KiB at least) and
// reports how many bytes it took: a record handed over in pieces fills each chunk to its
// size rather than growing it.
func piece(dst, b []byte) ([]byte, int) {
	n := min(max(cap(dst)-len(dst), 4<<10), len(b))
	return append(dst, b[:n]...), n
}

// scratchPool keeps the render buffers of one encoder (used under the engine lock only).
type scratchPool struct{ free [][]byte }

func (p *scratchPool) get() []byte {
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b
	}
	return nil
}

func (p *scratchPool) put(b []byte) {
	if b != nil && cap(b) <= 8<<20 && len(p.free) < 4 {
		p.free = append(p.free, b[:0])
	}
}
