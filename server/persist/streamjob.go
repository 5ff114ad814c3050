package persist

import (
	"slices"
	"time"

	"github.com/redisctl/redisctl/aof"
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tstream"
)

// streamNodes is the node count from which a stream is written in steps (streamJob): 16
// nodes of the default stream-node-max-bytes (4 KB) are 64 KiB. A smaller stream is
// written at once.
const streamNodes = 16

// bigStream is o's stream when it is written in steps (streamNodes nodes or more), or nil.
func bigStream(o *engine.Object) *tstream.Stream {
	if o.Type() != engine.TypeStream {
		return nil
	}
	if st := tstream.FromObject(o); st.NumNodes() >= streamNodes {
		return st
	}
	return nil
}

// streamJob writes a stream's record (STREAM_LISTPACKS_2, as rdbobj writes it) in steps:
// its nodes, each master ID and listpack through appendString (LZF with rdbcompression),
// as many a step as the chunk and the deadline allow, then the metadata and the groups
// (rdbobj's AppendStreamTail) handed over in pieces. A 1M-entry stream written at once
// held the lock 53 ms with LZF, 19 ms without (BENCHMARKS.md, "Big streams in steps").
//
// Between steps the stream does not change: a change detaches the job first (Detach),
// which copies the listpacks not written yet (XADD and XDEL rewrite a node's bytes in
// place) and renders the tail as it is. That is a memcpy of the rest, several times
// cheaper than its LZF, which the hook paid before.
type streamJob struct {
	r     *RDBEncoder
	head  []byte
	st    *tstream.Stream // nil once detached
	want  int             // nodes at the start
	next  int             // the next node to write
	begun bool
	rest  []streamNode // detached: the nodes from index want-len(rest) on, copied
	tail  []byte       // the record's end, once rendered
	toff  int          // of tail, handed over
	// copied is what Detach copied (the rest's listpacks and the tail); -1: not detached.
	copied int64
}

type streamNode struct {
	master tstream.ID
	lp     []byte
}

func newStreamJob(r *RDBEncoder, head []byte, st *tstream.Stream) *streamJob {
	return &streamJob{r: r, head: head, st: st, want: st.NumNodes(), copied: -1}
}

func (j *streamJob) node(i int) (tstream.ID, []byte) {
	if j.st == nil {
		n := j.rest[i-(j.want-len(j.rest))]
		return n.master, n.lp
	}
	return j.st.Node(i)
}

// Step implements engine.SnapshotJob.
func (j *streamJob) Step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	if !j.begun {
		dst = append(dst, j.head...)
		j.begun = true
	}
	for wrote := 0; j.next < j.want; wrote++ {
		master, lp := j.node(j.next)
		if wrote > 0 && len(dst)+len(lp)+32 > cap(dst) {
			return dst, false, nil // hand the chunk over rather than grow it
		}
		k := master.Key()
		dst = j.r.appendRaw(dst, k[:])
		dst = j.r.appendRaw(dst, lp)
		j.next++
		if !deadline.IsZero() && time.Now().After(deadline) {
			return dst, false, nil
		}
	}
	if j.tail == nil {
		j.tail = j.r.saver.AppendStreamTail(nil, j.st)
	}
	var n int
	dst, n = piece(dst, j.tail[j.toff:])
	j.toff += n
	return dst, j.toff == len(j.tail), nil
}

// Detach implements engine.SnapshotDetacher: the listpacks not written yet are copied,
// and the tail rendered, as they are before the change.
func (j *streamJob) Detach() error {
	if j.copied >= 0 {
		return nil
	}
	j.copied = 0
	for i := j.next; i < j.want; i++ {
		master, lp := j.st.Node(i)
		j.rest = append(j.rest, streamNode{master: master, lp: slices.Clone(lp)})
		j.copied += int64(len(lp))
	}
	if j.tail == nil {
		j.tail = j.r.saver.AppendStreamTail(nil, j.st)
		j.copied += int64(len(j.tail))
	}
	j.st = nil
	return nil
}

// Copied implements engine.SnapshotHolder.
func (j *streamJob) Copied() (int64, bool) { return j.copied, j.copied >= 0 }

// cmdStreamJob writes a big stream's commands in a command base (aof-use-rdb-preamble
// no) in steps: an XADD per entry, cmdStreamBatch entries between checks of the deadline
// and the chunk's room, from one iterator held across steps; then XSETID and the groups
// (aof.CommandRewriter's AppendStreamTail) and PEXPIREAT, rendered at the last step and
// handed over in pieces. Between steps the stream does not change: Detach first
// duplicates it (tstream's Dup, the COPY command's copy), and the job goes on with the
// copy, from the entry after the last one written.
type cmdStreamJob struct {
	rw     *aof.CommandRewriter
	key    []byte
	st     *tstream.Stream
	expire int64
	it     *tstream.Iterator // over st, at the first entry not written; nil: not begun, or detached
	last   tstream.ID        // the last entry written, when wrote
	wrote  bool
	ended  bool // every entry written
	tail   []byte
	toff   int
	copied int64 // -1: not detached
}

// cmdStreamBatch is how many entries a step writes between checks of its deadline.
const cmdStreamBatch = 32

// Step implements engine.SnapshotJob.
func (j *cmdStreamJob) Step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	for !j.ended {
		if j.it == nil {
			var from *tstream.ID
			if j.wrote {
				next, ok := j.last.Incr()
				if !ok {
					j.ended = true // the greatest ID there is: nothing can follow it
					break
				}
				from = &next
			}
			j.it = j.st.Iter(from, nil, false)
		}
		var last tstream.ID
		dst, last, j.ended = j.rw.AppendStreamEntries(dst, j.key, j.it, cmdStreamBatch)
		if !j.ended {
			j.last, j.wrote = last, true
			if len(dst) >= cap(dst)-4<<10 || !deadline.IsZero() && time.Now().After(deadline) {
				return dst, false, nil
			}
		}
	}
	if j.tail == nil {
		j.tail = j.rw.AppendStreamTail(nil, j.key, j.st, j.expire)
	}
	var n int
	dst, n = piece(dst, j.tail[j.toff:])
	j.toff += n
	return dst, j.toff == len(j.tail), nil
}

// Detach implements engine.SnapshotDetacher: the job goes on with a copy of the stream,
// and a new iterator over it.
func (j *cmdStreamJob) Detach() error {
	if j.copied >= 0 {
		return nil
	}
	j.st, j.it = j.st.Dup(), nil
	j.copied = 0
	j.st.EachNode(func(_ tstream.ID, lp []byte) bool {
		j.copied += int64(len(lp))
		return true
	})
	return nil
}

// Copied implements engine.SnapshotHolder.
func (j *cmdStreamJob) Copied() (int64, bool) { return j.copied, j.copied >= 0 }
