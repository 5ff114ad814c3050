package persist

import (
	"fmt"
	"slices"
	"time"

	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/lzf"
)

// strBlock is how much of a big string one LZF call compresses. At this VM's 170-500
// MB/s (go test ./rdb/lzf -bench Compress) a block costs 65-200 µs under the lock, where
// a string compressed in one call cost 10 ms and more from 5 MB on.
const strBlock = 32 << 10

// strChunk is the capacity of the buffers a strJob's LZF output goes into: they are
// never regrown, so no step copies what earlier steps compressed. A fresh buffer costs
// its step a page fault per 4 KiB: 1 MiB ones made steps of 0.7-1.2 ms.
const strChunk = 256 << 10

// strStage is how much of a big string Stage copies for the Work off the lock: a memcpy
// of tens of microseconds under the lock, where its LZF costs 0.5-1.5 ms.
const strStage = 8 * strBlock

// strJob writes a big string's record in steps, or that of any value whose record holds
// its bytes as one string (blobRecord: a listpack or an intset, 16 KiB or more only under
// raised hash-, zset- or set-max-*-entries limits). With rdbcompression on, the string is
// compressed in blocks of strBlock bytes into buffers of the job's own; once the last
// block is done, the record (EncLZF, the compressed and the plain length, the bytes) is
// handed over in pieces, like a renderJob's.
//
// In a background save the LZF runs off the lock (engine.SnapshotOffLock): under the
// lock, Stage copies the next strStage bytes into the job's buffer, and Work compresses
// them on the walker's encoder thread. A synchronous SAVE, which holds the lock
// throughout, compresses in Step, a few blocks per step.
//
// Each block is compressed on its own, so its back-references stay inside it. LZF's
// references count back from the decoder's output position, so the blocks' outputs, one
// after another, are one valid LZF stream of the whole string (Redis's lzf_decompress
// reads it in one call and checks the length). The bytes differ from a single call's:
// no match crosses a block's start. A string of one block gets a single call's bytes.
//
// Redis gives LZF a budget of the string's length less 4 and writes the string raw when
// the output does not fit. When the blocks outrun that budget, the job does the same: it
// hands over its length, then the blocks it compressed, decompressed again one per step
// (LZF decodes several times faster than it encodes), then the bytes it had not reached.
//
// The job reads the string's bytes where they are, under the lock: a SET that replaces
// the value leaves them alone (the engine keeps the old value for the job), and a change
// in place (SETRANGE, APPEND, SETBIT) detaches the job first. Detach copies the bytes
// not yet staged or compressed (or, raw, not yet handed over): a memcpy, 10-30 times
// cheaper than their LZF. Work reads only the staged copy, and Detach only src.
type strJob struct {
	head     []byte // what comes before the string's bytes; nil once handed over
	n        int    // the string's length
	src      []byte // the bytes not staged, compressed (or, raw, handed over) yet
	stage    []byte // bytes copied from src and not compressed yet (Stage, Work)
	stageBuf []byte
	chunks   [][]byte
	clen     int     // bytes in chunks
	blocks   []int32 // each block's compressed length, in order through chunks
	ready    bool    // head is complete: handing over
	raw      bool
	ci, co   int   // handing over: position in chunks
	copied   int64 // bytes Detach copied; -1: not detached
}

// newStrJob returns the job of the string s, whose record starts with head (attributes,
// type byte, key).
func newStrJob(head, s []byte, compress bool) *strJob {
	j := &strJob{head: head, n: len(s), src: s, copied: -1}
	if !compress || len(s) <= 20 {
		j.raw = true
	}
	return j
}

// Detach implements engine.SnapshotDetacher.
func (j *strJob) Detach() error {
	if j.copied >= 0 {
		return nil
	}
	j.src = slices.Clone(j.src)
	j.copied = int64(len(j.src))
	return nil
}

// Copied implements engine.SnapshotHolder: a detached string held aside only what it had
// not staged, compressed or handed over yet.
func (j *strJob) Copied() (int64, bool) { return j.copied, j.copied >= 0 }

// Stage implements engine.SnapshotOffLock.
func (j *strJob) Stage() bool {
	if j.ready || j.raw {
		return false
	}
	if len(j.stage) > 0 {
		return true // not worked yet
	}
	if len(j.src) == 0 {
		return false
	}
	k := min(strStage, len(j.src))
	j.stage = append(j.stageBuf[:0], j.src[:k]...)
	j.stageBuf = j.stage
	j.src = j.src[k:]
	return true
}

// Work implements engine.SnapshotOffLock: it compresses what Stage copied.
func (j *strJob) Work() {
	if !j.raw {
		j.compress(&j.stage, time.Time{})
	}
}

// Step implements engine.SnapshotJob.
func (j *strJob) Step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	if !j.ready {
		// Without the Work off the lock (a SAVE, or the work a Stage left): here.
		if !j.raw && !j.compress(&j.stage, deadline) {
			return dst, false, nil
		}
		if !j.raw && !j.compress(&j.src, deadline) {
			return dst, false, nil
		}
		if j.raw {
			j.head = rdb.AppendLen(j.head, uint64(j.n))
		} else {
			j.head = append(j.head, 0xC3) // RDB_ENCVAL<<6 | RDB_ENC_LZF
			j.head = rdb.AppendLen(j.head, uint64(j.clen))
			j.head = rdb.AppendLen(j.head, uint64(j.n))
		}
		j.ready, j.stageBuf = true, nil
	}
	if j.head != nil {
		dst = append(dst, j.head...)
		j.head = nil
	}
	if j.raw {
		return j.stepRaw(dst)
	}
	// The compressed bytes, filling dst to its capacity.
	for j.ci < len(j.chunks) {
		c := j.chunks[j.ci]
		var k int
		dst, k = piece(dst, c[j.co:])
		j.co += k
		if j.co == len(c) {
			j.chunks[j.ci] = nil
			j.ci, j.co = j.ci+1, 0
		}
		if len(dst) >= cap(dst) {
			break
		}
	}
	return dst, j.ci == len(j.chunks), nil
}

// compress compresses blocks from the front of *from until it is empty (true) or the
// deadline (false). When the output outruns Redis's budget it turns the job raw (true),
// and *from keeps the block that did not fit.
func (j *strJob) compress(from *[]byte, deadline time.Time) bool {
	left := j.n - 4 - j.clen // Redis's budget for the whole output
	for len(*from) > 0 {
		blk := (*from)[:min(strBlock, len(*from))]
		room := min(left, len(blk)+len(blk)/32+16) // LZF's worst case fits
		if room <= 0 {
			j.raw = true
			return true
		}
		if len(j.chunks) == 0 || cap(j.chunks[len(j.chunks)-1])-len(j.chunks[len(j.chunks)-1]) < room {
			j.chunks = append(j.chunks, make([]byte, 0, strChunk))
		}
		c := j.chunks[len(j.chunks)-1]
		k := lzf.Compress(c[len(c):len(c)+room], blk) // pooled tables: Work runs beside the hooks
		if k == 0 {
			j.raw = true // past the budget: Redis writes such a string raw
			return true
		}
		j.chunks[len(j.chunks)-1] = c[:len(c)+k]
		j.blocks = append(j.blocks, int32(k))
		j.clen += k
		left -= k
		*from = (*from)[len(blk):]
		if len(*from) > 0 && !deadline.IsZero() && !time.Now().Before(deadline) {
			return false
		}
	}
	return true
}

// stepRaw hands over the string raw: first the blocks compressed before the budget ran
// out, one decompressed per call, then the bytes staged and not compressed, then those
// of src, filling dst to its capacity.
func (j *strJob) stepRaw(dst []byte) ([]byte, bool, error) {
	if len(j.blocks) > 0 {
		c := j.chunks[j.ci]
		k := int(j.blocks[0])
		dst = slices.Grow(dst, strBlock)
		out, err := lzf.Decompress(dst[len(dst):len(dst):len(dst)+strBlock], c[j.co:j.co+k])
		if err == nil && len(out) != strBlock {
			err = fmt.Errorf("%d bytes, want %d", len(out), strBlock)
		}
		if err != nil {
			return dst, true, fmt.Errorf("persist: a %d-byte string's LZF block read back: %w", j.n, err)
		}
		dst = dst[:len(dst)+strBlock]
		j.blocks = j.blocks[1:]
		if j.co += k; j.co == len(c) {
			j.chunks[j.ci] = nil
			j.ci, j.co = j.ci+1, 0
		}
		return dst, false, nil
	}
	from := &j.src
	if len(j.stage) > 0 {
		from = &j.stage
	}
	dst, k := piece(dst, *from)
	*from = (*from)[k:]
	if len(j.stage)+len(j.src) > 0 {
		return dst, false, nil
	}
	j.chunks, j.src, j.stage = nil, nil, nil
	return dst, true, nil
}
