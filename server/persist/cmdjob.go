package persist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/redisctl/redisctl/aof"
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/rdb/lzf"
	"github.com/redisctl/redisctl/resp"
)

// cmdJob writes a big value's commands in the rewrite form (aof-use-rdb-preamble no) in
// steps. It runs the value's RDB job (tableJob, zsetJob, listJob or strJob, built by an
// RDBEncoder without LZF and without IDLE or FREQ): the same steps, holds and Detach as a
// BGSAVE's. The record's bytes are rewritten, as each step hands them over, into
// rewriteAppendOnlyFileRio's commands: SET, or RPUSH, SADD, ZADD or HMSET of up to
// aof.ItemsPerCmd elements each (the count of each command known from what is left),
// then PEXPIREAT. So no step renders the whole value under the lock, as the renderJob
// of a command base did, and a change in place holds the value as it does for an RDB.
//
// The elements come in the RDB job's order: a hash's or set's scan order, a zset's
// greatest score first. Redis's own rewrite iterates its dict and writes a zset from the
// lowest score; both load to the same value.
type cmdJob struct {
	inner engine.SnapshotJob
	tr    recCmds
	in    []byte // the RDB job's output of the current step
	out   []byte // its commands, not handed over yet
	off   int
	ended bool // the RDB job is done and the record's end translated
}

// cmdIn is the capacity of the buffer the RDB job writes each step into: a chunk's.
const cmdIn = 64 << 10

// newCmdJob returns the command job of key, whose RDB job is inner. items is a list's
// element count (its record counts nodes); other records count their elements.
func newCmdJob(inner engine.SnapshotJob, key string, items int, expireMs int64) *cmdJob {
	return &cmdJob{inner: inner, tr: recCmds{key: []byte(key), items: items, expire: expireMs}}
}

// Step implements engine.SnapshotJob.
func (j *cmdJob) Step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	if j.off == len(j.out) {
		if j.in == nil {
			j.in = make([]byte, 0, cmdIn)
		}
		in, done, err := j.inner.Step(j.in[:0], deadline)
		j.in = in
		if err != nil {
			return dst, true, err
		}
		j.out, j.off = j.out[:0], 0
		j.out, err = j.tr.feed(j.out, in)
		if err == nil && done {
			j.out, err = j.tr.end(j.out)
			j.ended = true
		}
		if err != nil {
			j.Abort()
			return dst, true, fmt.Errorf("persist: rewriting key %q: %w", j.tr.key, err)
		}
	}
	var n int
	dst, n = piece(dst, j.out[j.off:])
	j.off += n
	return dst, j.ended && j.off == len(j.out), nil
}

// Detach implements engine.SnapshotDetacher: the RDB job's. What the job has translated
// or keeps of a cut token is its own copy.
func (j *cmdJob) Detach() error {
	if d, ok := j.inner.(engine.SnapshotDetacher); ok {
		return d.Detach()
	}
	return errors.New("persist: a command job over a job that cannot detach")
}

// Copied implements engine.SnapshotHolder: the RDB job's.
func (j *cmdJob) Copied() (int64, bool) {
	if h, ok := j.inner.(engine.SnapshotHolder); ok {
		return h.Copied()
	}
	return 0, false
}

// Abort implements engine.SnapshotJob's optional Abort: the RDB job's.
func (j *cmdJob) Abort() {
	if a, ok := j.inner.(interface{ Abort() }); ok {
		a.Abort()
	}
}

// recCmds rewrites one RDB key record, fed in pieces cut anywhere, into commands. A raw
// string that is a whole element (a hash's field or value, a set's member, a list's plain
// node, a string value) goes through as it comes, however long; what must be whole to be
// read (a length, an int-encoded or LZF string, a listpack node, a zset member, which
// comes before the score its command puts first) waits in carry for the rest.
type recCmds struct {
	key    []byte
	expire int64
	items  int // elements in the value; a list's is given, the other records count theirs
	st     recState
	typ    rdb.Type
	cmd    string // RPUSH, SADD, ZADD, HMSET
	per    int    // strings per element in a command
	done   int    // elements begun
	inCmd  int    // elements begun in the current command
	nodes  int    // a list's nodes not read yet
	plain  bool   // the list node being read is a plain one
	field  bool   // a hash: the field is written, its value comes next
	left   int    // bytes of a raw string going through
	carry  []byte // what came of a token cut by the end of a piece
	member []byte // a zset's member, until its score comes
	lzfOut []byte
	num    [24]byte
}

type recState uint8

const (
	recType recState = iota
	recKey
	recLen       // a container's element (or a list's node) count
	recValue     // a string's value
	recContainer // a list node's container: plain or packed
	recNode      // a list node's bytes
	recElem      // a hash's field or value, a set's or zset's member
	recScore     // a zset member's score
	recEnd
)

// maxLen bounds a length read from a record: Redis's proto-max-bulk-len limit is 512 MB
// and a string is at most 4 GB. A longer one is damage (the record is ours, but a fuzzed
// one must not make us allocate).
const maxLen = 1 << 32

// feed rewrites the next piece of the record, appending the commands to out.
func (t *recCmds) feed(out, in []byte) ([]byte, error) {
	buf := in
	if len(t.carry) > 0 {
		t.carry = append(t.carry, in...)
		buf = t.carry
	}
	p := 0
	for p < len(buf) {
		if t.left > 0 {
			k := min(t.left, len(buf)-p)
			out = append(out, buf[p:p+k]...)
			p += k
			if t.left -= k; t.left == 0 {
				out = append(out, '\r', '\n')
				t.valueDone()
			}
			continue
		}
		var n int
		var err error
		if out, n, err = t.token(out, buf[p:]); err != nil {
			return out, err
		}
		if n == 0 {
			break // cut: the rest comes with the next piece
		}
		p += n
	}
	t.carry = append(t.carry[:0], buf[p:]...) // copy moves overlapping bytes correctly
	return out, nil
}

// end checks that the record ended where its counts say, and writes the PEXPIREAT.
func (t *recCmds) end(out []byte) ([]byte, error) {
	if t.st != recEnd || t.left > 0 || len(t.carry) > 0 {
		return out, fmt.Errorf("the record ended early (state %d, %d bytes cut)", t.st, len(t.carry)+t.left)
	}
	if t.done != t.items {
		return out, fmt.Errorf("the record holds %d elements, want %d", t.done, t.items)
	}
	if t.expire != -1 {
		out = resp.AppendArrayLen(out, 3)
		out = resp.AppendBulkString(out, "PEXPIREAT")
		out = resp.AppendBulk(out, t.key)
		out = resp.AppendBulk(out, strconv.AppendInt(t.num[:0], t.expire, 10))
	}
	return out, nil
}

// token reads the token at b's start and writes what it makes. n is how much of b it
// took: 0 when b holds only part of it.
func (t *recCmds) token(out, b []byte) ([]byte, int, error) {
	switch t.st {
	case recType:
		t.typ = rdb.Type(b[0])
		switch t.typ {
		case rdb.TypeString:
			out = resp.AppendArrayLen(out, 3)
			out = resp.AppendBulkString(out, "SET")
			out = resp.AppendBulk(out, t.key)
			t.items, t.done = 1, 1
		case rdb.TypeListQuicklist2:
			t.cmd, t.per = "RPUSH", 1
		case rdb.TypeSet:
			t.cmd, t.per = "SADD", 1
		case rdb.TypeZSet2:
			t.cmd, t.per = "ZADD", 2
		case rdb.TypeHash:
			t.cmd, t.per = "HMSET", 2
		default:
			return out, 0, fmt.Errorf("record type %d cannot be rewritten in steps", b[0])
		}
		t.st = recKey
		return out, 1, nil
	case recKey:
		n, _, _, err := readString(b, false)
		if n > 0 {
			if t.typ == rdb.TypeString {
				t.st = recValue
			} else {
				t.st = recLen
			}
		}
		return out, n, err
	case recLen, recContainer:
		v, n, err := readLen(b)
		if n == 0 || err != nil {
			return out, n, err
		}
		if t.st == recContainer {
			if v != 1 && v != 2 {
				return out, 0, fmt.Errorf("list node container %d", v)
			}
			t.plain = v == 1
			t.st = recNode
			return out, n, nil
		}
		if t.typ == rdb.TypeListQuicklist2 {
			t.nodes = int(v)
			t.st = recContainer
		} else {
			t.items = int(v)
			t.st = recElem
		}
		if v == 0 {
			t.st = recEnd
		}
		return out, n, nil
	case recValue:
		return t.value(out, b, false)
	case recNode:
		if t.plain {
			return t.value(out, b, true)
		}
		n, v, err := t.readWhole(b)
		if n == 0 || err != nil {
			return out, n, err
		}
		it, err := listpack.NewIter(v)
		if err != nil {
			return out, 0, err
		}
		for it.Next() {
			var err error
			if out, err = t.begin(out); err != nil {
				return out, 0, err
			}
			if s, x, isInt := it.Value(); isInt {
				out = resp.AppendBulk(out, strconv.AppendInt(t.num[:0], x, 10))
			} else {
				out = resp.AppendBulk(out, s)
			}
			t.inCmd++
		}
		if err := it.Err(); err != nil {
			return out, 0, err
		}
		t.nodeDone()
		return out, n, nil
	case recElem:
		if t.typ == rdb.TypeZSet2 {
			n, v, err := t.readWhole(b)
			if n > 0 {
				t.member = append(t.member[:0], v...)
				t.st = recScore
			}
			return out, n, err
		}
		return t.value(out, b, !t.field)
	case recScore:
		if len(b) < 8 {
			return out, 0, nil
		}
		score := math.Float64frombits(binary.LittleEndian.Uint64(b))
		var err error
		if out, err = t.begin(out); err != nil {
			return out, 0, err
		}
		out = resp.AppendBulk(out, aof.AppendG17(t.num[:0], score))
		out = resp.AppendBulk(out, t.member)
		t.inCmd++
		t.next()
		return out, 8, nil
	}
	return out, 0, fmt.Errorf("%d bytes after the record's end", len(b))
}

// begin starts an element. The first of every aof.ItemsPerCmd elements starts a command:
// its header first, counting the elements it will hold (aof.ItemsPerCmd, or what is left).
func (t *recCmds) begin(out []byte) ([]byte, error) {
	if t.done >= t.items {
		return out, fmt.Errorf("more than the %d elements counted", t.items)
	}
	t.done++
	if t.inCmd == aof.ItemsPerCmd {
		t.inCmd = 0
	}
	if t.inCmd == 0 {
		k := min(t.items-t.done+1, aof.ItemsPerCmd)
		out = resp.AppendArrayLen(out, 2+k*t.per)
		out = resp.AppendBulkString(out, t.cmd)
		out = resp.AppendBulk(out, t.key)
	}
	return out, nil
}

// value writes the string at b's start as a bulk string, the bytes of a raw one as they
// come (left), and moves on once it is whole (valueDone). With first, the string begins
// an element (begin), once it can be read.
func (t *recCmds) value(out, b []byte, first bool) ([]byte, int, error) {
	n, v, raw, err := readString(b, true)
	if n == 0 || err != nil {
		return out, n, err
	}
	if v == nil && raw == 0 {
		if n, v, err = t.readWhole(b); n == 0 || err != nil {
			return out, n, err
		}
	}
	if first {
		if out, err = t.begin(out); err != nil {
			return out, 0, err
		}
	}
	if raw > 0 {
		out = append(out, '$')
		out = strconv.AppendInt(out, int64(raw), 10)
		out = append(out, '\r', '\n')
		t.left = raw
		return out, n, nil
	}
	out = resp.AppendBulk(out, v)
	t.valueDone()
	return out, n, nil
}

// valueDone moves on after a string written whole or gone through.
func (t *recCmds) valueDone() {
	switch t.st {
	case recValue:
		t.st = recEnd
	case recNode:
		t.inCmd++
		t.nodeDone()
	case recElem:
		if t.typ == rdb.TypeHash && !t.field {
			t.field = true
			return
		}
		t.field = false
		t.inCmd++
		t.next()
	}
}

func (t *recCmds) nodeDone() {
	if t.nodes--; t.nodes > 0 {
		t.st = recContainer
	} else {
		t.st = recEnd
	}
}

// next moves to the next element of a hash, set or zset, or to the end.
func (t *recCmds) next() {
	if t.done == t.items {
		t.st = recEnd
	} else {
		t.st = recElem
	}
}

// readWhole reads a string that must be whole: a raw one, an int-encoded one as its
// decimal, an LZF one decompressed. n is its size, 0 when b holds only part of it.
func (t *recCmds) readWhole(b []byte) (int, []byte, error) {
	n, v, _, err := readString(b, false)
	if n == 0 || err != nil || v != nil || b[0]>>6 != 3 {
		return n, v, err // a raw string, or cut
	}
	if b[0]&0x3F <= 2 {
		x, _ := intString(b)
		return n, strconv.AppendInt(t.num[:0], x, 10), nil
	}
	clen, h1, _ := readLen(b[1:])
	ulen, h2, _ := readLen(b[1+h1:])
	if ulen > clen*128+64 {
		return 0, nil, fmt.Errorf("an LZF string of %d bytes from %d", ulen, clen)
	}
	if uint64(cap(t.lzfOut)) < ulen {
		t.lzfOut = make([]byte, 0, ulen)
	}
	out, err := lzf.Decompress(t.lzfOut[:0:ulen], b[1+h1+h2:n])
	if err != nil {
		return 0, nil, err
	}
	if uint64(len(out)) != ulen {
		return 0, nil, fmt.Errorf("an LZF string of %d bytes, want %d", len(out), ulen)
	}
	return n, out, nil
}

// readLen reads an RDB length: n is its size, 0 when b holds only part of it.
func readLen(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, nil
	}
	switch b[0] >> 6 {
	case 0:
		return uint64(b[0] & 0x3F), 1, nil
	case 1:
		if len(b) < 2 {
			return 0, 0, nil
		}
		return uint64(b[0]&0x3F)<<8 | uint64(b[1]), 2, nil
	case 2:
		switch b[0] {
		case 0x80:
			if len(b) < 5 {
				return 0, 0, nil
			}
			return uint64(binary.BigEndian.Uint32(b[1:])), 5, nil
		case 0x81:
			if len(b) < 9 {
				return 0, 0, nil
			}
			v := binary.BigEndian.Uint64(b[1:])
			if v > maxLen {
				return 0, 0, fmt.Errorf("length %d", v)
			}
			return v, 9, nil
		}
	}
	return 0, 0, fmt.Errorf("length byte %#x", b[0])
}

// intString reads an int-encoded string (0xC0-0xC2): its value and size, 0 when cut.
func intString(b []byte) (int64, int) {
	switch b[0] & 0x3F {
	case 0:
		if len(b) >= 2 {
			return int64(int8(b[1])), 2
		}
	case 1:
		if len(b) >= 3 {
			return int64(int16(binary.LittleEndian.Uint16(b[1:]))), 3
		}
	case 2:
		if len(b) >= 5 {
			return int64(int32(binary.LittleEndian.Uint32(b[1:]))), 5
		}
	}
	return 0, 0
}

// readString reads an RDB string at b's start. n is its size (0: cut), and v its bytes
// when raw and whole. With stream, a raw string reports its header alone (n) and its
// length (raw > 0): its bytes follow. An int-encoded or LZF string reports v nil: see
// readWhole.
func readString(b []byte, stream bool) (n int, v []byte, raw int, err error) {
	if len(b) == 0 {
		return 0, nil, 0, nil
	}
	if b[0]>>6 == 3 {
		switch b[0] & 0x3F {
		case 0, 1, 2:
			_, n := intString(b)
			return n, nil, 0, nil
		case 3:
			clen, h1, err := readLen(b[1:])
			if h1 == 0 || err != nil {
				return 0, nil, 0, err
			}
			_, h2, err := readLen(b[1+h1:])
			if h2 == 0 || err != nil {
				return 0, nil, 0, err
			}
			if uint64(len(b)-1-h1-h2) < clen {
				return 0, nil, 0, nil
			}
			return 1 + h1 + h2 + int(clen), nil, 0, nil
		}
		return 0, nil, 0, fmt.Errorf("string encoding %#x", b[0])
	}
	l, h, err := readLen(b)
	if h == 0 || err != nil {
		return 0, nil, 0, err
	}
	if stream && l > 0 {
		return h, nil, int(l), nil
	}
	if uint64(len(b)-h) < l {
		return 0, nil, 0, nil
	}
	return h + int(l), b[h : h+int(l)], 0, nil
}
