package aof

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstream"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/resp"
)

// ItemsPerCmd is AOF_REWRITE_ITEMS_PER_CMD: elements per RPUSH/SADD/ZADD/HMSET of a
// rewrite.
const ItemsPerCmd = 64

// RewriteOptions configure a rewrite of the dataset into a base file.
type RewriteOptions struct {
	// RDBPreamble is aof-use-rdb-preamble: write the base as an RDB (aof-base 1).
	RDBPreamble bool
	// Timestamps is aof-timestamp-enabled: a command base starts with "#TS:<now>".
	Timestamps bool
	// RDB are the save options of an RDB base (compression, checksum, used-mem...).
	RDB rdbobj.SaveOptions
	// Now is the time of the "#TS:" annotation (zero: time.Now()).
	Now time.Time
}

// Rewrite writes eng's whole dataset to w as rewriteAppendOnlyFileRio (commands) or as
// an RDB with aof-base 1 (rdbSaveRio with RDBFLAGS_AOF_PREAMBLE). Call it with the engine
// lock held, or on an engine nobody else uses; the server writes its base from a
// snapshot instead, so that clients keep running.
func Rewrite(w io.Writer, eng *engine.Engine, opts *RewriteOptions) error {
	var o RewriteOptions
	if opts != nil {
		o = *opts
	}
	if o.RDBPreamble {
		so := o.RDB
		so.AOFBase = true
		enc, err := rdbobj.NewEncoder(w, &so)
		if err != nil {
			return err
		}
		// SaveAll writes the function libraries (FUNCTION2 records) itself.
		return rdbobj.SaveAll(enc, eng, &so)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	rw := NewCommandRewriter(bw)
	if o.Timestamps {
		now := o.Now
		if now.IsZero() {
			now = time.Now()
		}
		rw.buf = AppendTimestamp(rw.buf, now.Unix())
	}
	if eng.Functions != nil {
		for _, code := range eng.Functions.LibraryCodes() {
			rw.buf = resp.AppendCommand(rw.buf, []byte("FUNCTION"), []byte("LOAD"), code)
		}
	}
	for i := 0; i < eng.NumDBs(); i++ {
		db := eng.DB(i)
		if db.Len() == 0 {
			continue
		}
		rw.SelectDB(i)
		expires := db.Expires()
		for e := range db.Keys().All() {
			exp := int64(-1)
			if expires.Len() > 0 {
				if x := expires.Get(e.Key); x != nil {
					exp = x.Value
				}
			}
			if err := rw.Key(unsafe.Slice(unsafe.StringData(e.Key), len(e.Key)), &e.Value, exp); err != nil {
				return err
			}
		}
	}
	if err := rw.flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// CommandRewriter writes keys in the command form of an AOF rewrite.
type CommandRewriter struct {
	w   io.Writer
	buf []byte
	num [32]byte
	tmp []byte // a stream field's or value's bytes
}

// NewCommandRewriter writes to w (buffer it: every key is one Write at most).
func NewCommandRewriter(w io.Writer) *CommandRewriter {
	return &CommandRewriter{w: w, buf: make([]byte, 0, 64<<10)}
}

// SelectDB writes "SELECT <db>" as rewriteAppendOnlyFileRio does.
func (r *CommandRewriter) SelectDB(db int) { r.buf = AppendSelect(r.buf, db) }

// AppendKey appends one key's commands to dst (see Key) and returns it; a rewriter
// used this way has no writer (use the zero value).
func (r *CommandRewriter) AppendKey(dst, key []byte, o *engine.Object, expireAt int64) ([]byte, error) {
	r.buf = dst
	err := r.Key(key, o, expireAt)
	out := r.buf
	r.buf = nil
	return out, err
}

func (r *CommandRewriter) flush() error {
	if len(r.buf) == 0 || r.w == nil {
		return nil
	}
	_, err := r.w.Write(r.buf)
	r.buf = r.buf[:0]
	if err != nil {
		return fmt.Errorf("aof: writing the rewrite: %w", err)
	}
	return nil
}

func (r *CommandRewriter) count(n int)      { r.buf = resp.AppendArrayLen(r.buf, n) }
func (r *CommandRewriter) bulk(b []byte)    { r.buf = resp.AppendBulk(r.buf, b) }
func (r *CommandRewriter) str(s string)     { r.buf = resp.AppendBulkString(r.buf, s) }
func (r *CommandRewriter) int(n int64)      { r.bulk(strconv.AppendInt(r.num[:0], n, 10)) }
func (r *CommandRewriter) uint(n uint64)    { r.bulk(strconv.AppendUint(r.num[:0], n, 10)) }
func (r *CommandRewriter) id(id tstream.ID) { r.bulk(id.Append(r.num[:0])) }

// double is rioWriteBulkDouble: C's "%.17g".
func (r *CommandRewriter) double(d float64) { r.bulk(AppendG17(r.num[:0], d)) }

// Key writes one key: its value's commands, then PEXPIREAT when expireAt >= 0.
func (r *CommandRewriter) Key(key []byte, o *engine.Object, expireAt int64) error {
	switch o.Type() {
	case engine.TypeString:
		r.count(3)
		r.str("SET")
		r.bulk(key)
		if o.Encoding() == engine.EncInt {
			r.int(o.Int())
		} else {
			r.bulk(o.Bytes())
		}
	case engine.TypeList:
		r.list(key, tlist.FromObject(o))
	case engine.TypeSet:
		items, n := tset.Len(o), 0
		tset.ForEach(o, func(s []byte, v int64, isInt bool) bool {
			if n == 0 {
				c := min(items, ItemsPerCmd)
				r.count(2 + c)
				r.str("SADD")
				r.bulk(key)
			}
			if isInt {
				r.int(v)
			} else {
				r.bulk(s)
			}
			if n++; n == ItemsPerCmd {
				n = 0
			}
			items--
			return true
		})
	case engine.TypeZSet:
		items, n := tzset.Len(o), 0
		tzset.Ascend(o, func(m []byte, score float64) bool {
			if n == 0 {
				c := min(items, ItemsPerCmd)
				r.count(2 + c*2)
				r.str("ZADD")
				r.bulk(key)
			}
			r.double(score)
			r.bulk(m)
			if n++; n == ItemsPerCmd {
				n = 0
			}
			items--
			return true
		})
	case engine.TypeHash:
		items, n := thash.Len(o), 0
		thash.Range(o, func(f, v []byte) bool {
			if n == 0 {
				c := min(items, ItemsPerCmd)
				r.count(2 + c*2)
				r.str("HMSET")
				r.bulk(key)
			}
			r.bulk(f)
			r.bulk(v)
			if n++; n == ItemsPerCmd {
				n = 0
			}
			items--
			return true
		})
	case engine.TypeStream:
		r.stream(key, tstream.FromObject(o))
	default:
		return fmt.Errorf("aof: rewrite: key %q has a type that cannot be rewritten (%s)", key, o.Type())
	}
	r.expire(key, expireAt)
	if len(r.buf) >= 32<<10 {
		return r.flush()
	}
	return nil
}

// expire writes PEXPIREAT when expireAt is not -1.
func (r *CommandRewriter) expire(key []byte, expireAt int64) {
	if expireAt != -1 {
		r.count(3)
		r.str("PEXPIREAT")
		r.bulk(key)
		r.int(expireAt)
	}
}

func (r *CommandRewriter) list(key []byte, ql *tlist.Quicklist) {
	items, n := ql.Len(), 0
	ql.Each(func(s []byte, v int64, isInt bool) bool {
		if n == 0 {
			c := min(items, ItemsPerCmd)
			r.count(2 + c)
			r.str("RPUSH")
			r.bulk(key)
		}
		if isInt {
			r.int(v)
		} else {
			r.bulk(s)
		}
		if n++; n == ItemsPerCmd {
			n = 0
		}
		items--
		if len(r.buf) >= 1<<20 {
			_ = r.flush() // the error comes back with the next write
		}
		return true
	})
}

func (r *CommandRewriter) stream(key []byte, s *tstream.Stream) {
	if s.Meta().Length > 0 {
		r.streamEntries(key, s.Iter(nil, nil, false), 0)
	}
	r.streamTail(key, s)
}

// AppendStreamEntries appends an XADD for each of the iterator's next entries, at most
// max (0: all of them), and returns dst, the last entry's ID and whether none is left. A
// stream rewritten in steps keeps the iterator between calls while the stream does not
// change, or starts a new one from the ID after the last one.
func (r *CommandRewriter) AppendStreamEntries(dst, key []byte, it *tstream.Iterator, max int) ([]byte, tstream.ID, bool) {
	r.buf = dst
	last, done := r.streamEntries(key, it, max)
	out := r.buf
	r.buf = nil
	return out, last, done
}

// AppendStreamTail appends what follows a stream's entries (streamTail), then PEXPIREAT
// when expireAt >= 0.
func (r *CommandRewriter) AppendStreamTail(dst, key []byte, s *tstream.Stream, expireAt int64) []byte {
	r.buf = dst
	r.streamTail(key, s)
	r.expire(key, expireAt)
	out := r.buf
	r.buf = nil
	return out
}

func (r *CommandRewriter) streamEntries(key []byte, it *tstream.Iterator, max int) (last tstream.ID, done bool) {
	for n := 0; max == 0 || n < max; n++ {
		id, nf, ok := it.Next()
		if !ok {
			return last, true
		}
		last = id
		r.count(3 + int(nf)*2)
		r.str("XADD")
		r.bulk(key)
		r.id(id)
		for ; nf > 0; nf-- {
			f, v := it.Field()
			r.tmp = f.Append(r.tmp[:0])
			r.bulk(r.tmp)
			r.tmp = v.Append(r.tmp[:0])
			r.bulk(r.tmp)
		}
	}
	return last, false
}

// streamTail is what rewriteStreamObject writes after the entries: an empty stream's
// XADD MAXLEN 0, XSETID, and each group's XGROUP CREATE and its consumers' XCLAIMs (or
// XGROUP CREATECONSUMER).
func (r *CommandRewriter) streamTail(key []byte, s *tstream.Stream) {
	meta := s.Meta()
	if meta.Length == 0 {
		r.count(7)
		r.str("XADD")
		r.bulk(key)
		r.str("MAXLEN")
		r.str("0")
		r.id(tstream.ID{Ms: 0, Seq: 1})
		r.str("x")
		r.str("y")
	}
	r.count(7)
	r.str("XSETID")
	r.bulk(key)
	r.id(meta.LastID)
	r.str("ENTRIESADDED")
	r.uint(meta.EntriesAdded)
	r.str("MAXDELETEDID")
	r.id(meta.MaxDeletedID)
	for _, g := range s.Groups() {
		r.count(7)
		r.str("XGROUP")
		r.str("CREATE")
		r.bulk(key)
		r.bulk(g.Name)
		r.id(g.LastID)
		r.str("ENTRIESREAD")
		r.int(g.EntriesRead)
		for _, c := range g.Consumers() {
			if c.PELLen() == 0 {
				r.count(5)
				r.str("XGROUP")
				r.str("CREATECONSUMER")
				r.bulk(key)
				r.bulk(g.Name)
				r.bulk(c.Name)
				continue
			}
			c.EachPending(func(id tstream.ID, n *tstream.NACK) bool {
				r.count(12)
				r.str("XCLAIM")
				r.bulk(key)
				r.bulk(g.Name)
				r.bulk(c.Name)
				r.str("0")
				r.id(id)
				r.str("TIME")
				r.int(n.DeliveryTime)
				r.str("RETRYCOUNT")
				r.uint(n.DeliveryCount)
				r.str("JUSTID")
				r.str("FORCE")
				return true
			})
		}
	}
}

// AppendG17 appends d as C's printf("%.17g").
func AppendG17(dst []byte, d float64) []byte {
	switch {
	case math.IsInf(d, 1):
		return append(dst, "inf"...)
	case math.IsInf(d, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(d):
		return append(dst, "nan"...)
	case d == 0:
		if math.Signbit(d) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case d == math.Trunc(d) && math.Abs(d) < 1e15:
		// Integers below 10^15 print in full, without a fraction, under %.17g.
		return strconv.AppendInt(dst, int64(d), 10)
	}
	// %g: exponent form when exp < -4 or exp >= precision, trailing zeros removed.
	var tmp [40]byte
	e := strconv.AppendFloat(tmp[:0], d, 'e', 16, 64)
	i := len(e) - 1
	for e[i] != 'e' {
		i--
	}
	exp := 0
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[i+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 17 {
		dst = append(dst, trimZeros(e[:i])...)
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	var tmp2 [48]byte
	f := strconv.AppendFloat(tmp2[:0], d, 'f', 16-exp, 64)
	return append(dst, trimZeros(f)...)
}

func trimZeros(b []byte) []byte {
	for _, c := range b {
		if c == '.' {
			for b[len(b)-1] == '0' {
				b = b[:len(b)-1]
			}
			if b[len(b)-1] == '.' {
				b = b[:len(b)-1]
			}
			return b
		}
	}
	return b
}
