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

// strJob writes a big string's record in steps. With rdbcompression on, each step
// compresses blocks of strBlock bytes into buffers of the job's own until its deadline;
// once the last block is done, the record (EncLZF, the compressed and the plain length,
// the bytes) is handed over in pieces, like a renderJob's.
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
// The job reads the string's bytes where they are, between steps too: a SET that
// replaces the value leaves them alone (the engine keeps the old value for the job), and
// a change in place (SETRANGE, APPEND, SETBIT) detaches the job first. Detach copies the
// bytes not yet compressed (or, raw, not yet handed over): a memcpy, 10-30 times cheaper
// than their LZF.
type strJob struct {
	head   []byte // what comes before the string's bytes; nil once handed over
	n      int    // the string's length
	src    []byte // the bytes not compressed (or, raw, not handed over) yet
	chunks [][]byte
	blocks []int32 // each block's compressed length, in order through chunks
	lz     *lzf.Compressor
	ready  bool // head is complete: handing over
	raw    bool
	ci, co int   // handing over: position in chunks
	copied int64 // bytes Detach copied; -1: not detached
}

// newStrJob returns the job of the string s, whose record starts with head (attributes,
// type byte, key).
func newStrJob(head, s []byte, compress bool, lz *lzf.Compressor) *strJob {
	j := &strJob{head: head, n: len(s), src: s, lz: lz, copied: -1}
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
// not compressed or handed over yet.
func (j *strJob) Copied() (int64, bool) { return j.copied, j.copied >= 0 }

// Step implements engine.SnapshotJob.
func (j *strJob) Step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	if !j.ready {
		if !j.raw && !j.compress(deadline) {
			return dst, false, nil
		}
		if j.raw {
			j.head = rdb.AppendLen(j.head, uint64(j.n))
		} else {
			total := 0
			for _, c := range j.chunks {
				total += len(c)
			}
			j.head = append(j.head, 0xC3) // RDB_ENCVAL<<6 | RDB_ENC_LZF
			j.head = rdb.AppendLen(j.head, uint64(total))
			j.head = rdb.AppendLen(j.head, uint64(j.n))
		}
		j.ready = true
	}
	if j.head != nil {
		dst = append(dst, j.head...)
		j.head = nil
	}
	if j.raw {
		return j.stepRaw(dst)
	}
	// The compressed bytes, a chunk's worth at most, filling dst to its capacity.
	for j.ci < len(j.chunks) {
		c := j.chunks[j.ci]
		k := min(max(cap(dst)-len(dst), 4<<10), len(c)-j.co)
		dst = append(dst, c[j.co:j.co+k]...)
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

// compress compresses blocks until the string's end (true) or the deadline; it turns the
// job raw when the output outruns Redis's budget.
func (j *strJob) compress(deadline time.Time) bool {
	left := j.n - 4 // Redis's budget for the whole output
	for _, c := range j.chunks {
		left -= len(c)
	}
	for len(j.src) > 0 {
		blk := j.src[:min(strBlock, len(j.src))]
		room := min(left, len(blk)+len(blk)/32+16) // LZF's worst case fits
		if room <= 0 {
			j.raw = true
			return true
		}
		if len(j.chunks) == 0 || cap(j.chunks[len(j.chunks)-1])-len(j.chunks[len(j.chunks)-1]) < room {
			j.chunks = append(j.chunks, make([]byte, 0, strChunk))
		}
		c := j.chunks[len(j.chunks)-1]
		k := j.lz.Compress(c[len(c):len(c)+room], blk)
		if k == 0 {
			j.raw = true // past the budget: Redis writes such a string raw
			return true
		}
		j.chunks[len(j.chunks)-1] = c[:len(c)+k]
		j.blocks = append(j.blocks, int32(k))
		j.src = j.src[len(blk):]
		left -= k
		if len(j.src) > 0 && !deadline.IsZero() && !time.Now().Before(deadline) {
			return false
		}
	}
	return true
}

// stepRaw hands over the string raw: first the blocks compressed before the budget ran
// out, one decompressed per call, then the bytes of src, filling dst to its capacity.
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
	k := min(max(cap(dst)-len(dst), 4<<10), len(j.src))
	dst = append(dst, j.src[:k]...)
	j.src = j.src[k:]
	if len(j.src) > 0 {
		return dst, false, nil
	}
	j.chunks, j.src = nil, nil
	return dst, true, nil
}
