package thash

import (
	"math/big"
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// Commands returns the hash commands of Redis 7.0 with their arity, flags and key positions
// (as COMMAND INFO reports them on redis-server 7.0.15).
func Commands() []*engine.Command {
	w, ro, fast, oom := engine.FlagWrite, engine.FlagReadOnly, engine.FlagFast, engine.FlagDenyOOM
	k1 := func(c *engine.Command) *engine.Command { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	return []*engine.Command{
		k1(&engine.Command{Name: "hset", Arity: -4, Flags: w | oom | fast, Fn: func(x *engine.Ctx) { hsetGeneric(x, false) }}),
		k1(&engine.Command{Name: "hmset", Arity: -4, Flags: w | oom | fast, Fn: func(x *engine.Ctx) { hsetGeneric(x, true) }}),
		k1(&engine.Command{Name: "hsetnx", Arity: 4, Flags: w | oom | fast, Fn: cmdHSetNX}),
		k1(&engine.Command{Name: "hget", Arity: 3, Flags: ro | fast, Fn: cmdHGet}),
		k1(&engine.Command{Name: "hmget", Arity: -3, Flags: ro | fast, Fn: cmdHMGet}),
		k1(&engine.Command{Name: "hdel", Arity: -3, Flags: w | fast, Fn: cmdHDel}),
		k1(&engine.Command{Name: "hlen", Arity: 2, Flags: ro | fast, Fn: cmdHLen}),
		k1(&engine.Command{Name: "hstrlen", Arity: 3, Flags: ro | fast, Fn: cmdHStrlen}),
		k1(&engine.Command{Name: "hexists", Arity: 3, Flags: ro | fast, Fn: cmdHExists}),
		k1(&engine.Command{Name: "hkeys", Arity: 2, Flags: ro, Fn: func(x *engine.Ctx) { getAll(x, true, false) }}),
		k1(&engine.Command{Name: "hvals", Arity: 2, Flags: ro, Fn: func(x *engine.Ctx) { getAll(x, false, true) }}),
		k1(&engine.Command{Name: "hgetall", Arity: 2, Flags: ro, Fn: func(x *engine.Ctx) { getAll(x, true, true) }}),
		k1(&engine.Command{Name: "hincrby", Arity: 4, Flags: w | oom | fast, Fn: cmdHIncrBy}),
		k1(&engine.Command{Name: "hincrbyfloat", Arity: 4, Flags: w | oom | fast, Fn: cmdHIncrByFloat}),
		k1(&engine.Command{Name: "hrandfield", Arity: -2, Flags: ro, Fn: cmdHRandField}),
		k1(&engine.Command{Name: "hscan", Arity: -3, Flags: ro, Fn: cmdHScan}),
	}
}

// lookupRead finds key for reading; ok is false after a WRONGTYPE reply.
func lookupRead(x *engine.Ctx, key []byte) (*engine.Object, bool) {
	o := x.DB.LookupRead(key)
	if o != nil && o.Type() != engine.TypeHash {
		x.WrongType()
		return nil, false
	}
	return o, true
}

// lookupWrite finds key for writing (lookupKeyWrite + checkType).
func lookupWrite(x *engine.Ctx, key []byte) (*engine.Object, bool) {
	o := x.DB.LookupWrite(key)
	if o != nil && o.Type() != engine.TypeHash {
		x.WrongType()
		return nil, false
	}
	return o, true
}

// lookupWriteOrCreate is hashTypeLookupWriteOrCreate: a missing key gets an empty
// listpack hash, added to the db at once.
func lookupWriteOrCreate(x *engine.Ctx, key []byte) (*engine.Object, bool) {
	o, ok := lookupWrite(x, key)
	if !ok {
		return nil, false
	}
	if o == nil {
		o = x.DB.Add(key, New())
	}
	return o, true
}

func hsetGeneric(x *engine.Ctx, hmset bool) {
	if len(x.Args)%2 == 1 {
		x.Error("ERR wrong number of arguments for '" + x.Cmd.Name + "' command")
		return
	}
	key := x.Args[1]
	o, ok := lookupWrite(x, key)
	if !ok {
		return
	}
	s := &x.E.Set
	if o == nil {
		o = x.DB.Add(key, New())
		tryConversion(s, o, x.Args[2:])
		// A new hash receives all the pairs (bar repeated fields): size the listpack once
		// rather than reallocating it pair after pair.
		if o.Encoding() == engine.EncListpack && (len(x.Args)-2)/2 <= s.HashMaxListpackEntries {
			extra := 0
			for _, a := range x.Args[2:] {
				extra += listpack.EntrySize(a)
			}
			o.SetBytes(grow(o.Bytes(), extra, false))
		}
	} else {
		tryConversion(s, o, x.Args[2:])
	}
	created := 0
	for i := 2; i < len(x.Args); i += 2 {
		if !set(s, o, x.Args[i], x.Args[i+1]) {
			created++
		}
	}
	if hmset {
		x.OK()
	} else {
		x.Int(int64(created))
	}
	x.SignalModified(key)
	x.Notify(engine.NotifyHash, "hset", key)
	x.Dirty(int64(len(x.Args)-2) / 2)
}

func cmdHSetNX(x *engine.Ctx) {
	key := x.Args[1]
	o, ok := lookupWriteOrCreate(x, key)
	if !ok {
		return
	}
	if exists(o, x.Args[2]) {
		x.Int(0)
		return
	}
	s := &x.E.Set
	tryConversion(s, o, x.Args[2:4])
	set(s, o, x.Args[2], x.Args[3])
	x.Int(1)
	x.SignalModified(key)
	x.Notify(engine.NotifyHash, "hset", key)
	x.Dirty(1)
}

// exists is hashTypeExists.
func exists(o *engine.Object, field []byte) bool {
	if o.Encoding() == engine.EncListpack {
		return lpFind(o.Bytes(), field) >= 0
	}
	return htOf(o).GetBytes(field) != nil
}

// replyField replies with field's value or a null (addHashFieldToReply).
func replyField(x *engine.Ctx, o *engine.Object, field []byte) {
	if o == nil {
		x.Null()
		return
	}
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		off := lpFind(lp, field)
		if off < 0 {
			x.Null()
			return
		}
		replyLP(x, lp, listpack.Next(lp, off))
		return
	}
	if e := htOf(o).GetBytes(field); e != nil {
		x.Bulk(sbytes(e.Value))
		return
	}
	x.Null()
}

// replyLP replies with the listpack entry at off as a bulk string.
func replyLP(x *engine.Ctx, lp []byte, off int) {
	s, n, isInt := listpack.Get(lp, off)
	if isInt {
		x.W.WriteBulkInt(n)
		return
	}
	x.Bulk(s)
}

func cmdHGet(x *engine.Ctx) {
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	replyField(x, o, x.Args[2])
}

func cmdHMGet(x *engine.Ctx) {
	// A missing key is an empty hash: HMGET replies with nulls.
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	x.ArrayLen(len(x.Args) - 2)
	for _, f := range x.Args[2:] {
		replyField(x, o, f)
	}
}

func cmdHDel(x *engine.Ctx) {
	key := x.Args[1]
	o, ok := lookupWrite(x, key)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	deleted, removed := 0, false
	for _, f := range x.Args[2:] {
		if del(o, f) {
			deleted++
			if Len(o) == 0 {
				x.DB.Delete(key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		x.SignalModified(key)
		x.Notify(engine.NotifyHash, "hdel", key)
		if removed {
			x.Notify(engine.NotifyGeneric, "del", key)
		}
		x.Dirty(int64(deleted))
	}
	x.Int(int64(deleted))
}

func cmdHLen(x *engine.Ctx) {
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	x.Int(int64(Len(o)))
}

func cmdHStrlen(x *engine.Ctx) {
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	v, found := Get(o, x.Args[2])
	if !found {
		x.Int(0)
		return
	}
	x.Int(int64(v.Len()))
}

func cmdHExists(x *engine.Ctx) {
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	if o != nil && exists(o, x.Args[2]) {
		x.Int(1)
		return
	}
	x.Int(0)
}

// getAll is genericHgetallCommand: HKEYS, HVALS, HGETALL (a map in RESP3).
func getAll(x *engine.Ctx, keys, vals bool) {
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	both := keys && vals
	if o == nil {
		if both {
			x.W.WriteMapLen(0)
		} else {
			x.ArrayLen(0)
		}
		return
	}
	n := Len(o)
	if both {
		x.W.WriteMapLen(n)
	} else {
		x.ArrayLen(n)
	}
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		for off := listpack.First(lp); off >= 0; {
			if keys {
				replyLP(x, lp, off)
			}
			off = listpack.Next(lp, off)
			if vals {
				replyLP(x, lp, off)
			}
			off = listpack.Next(lp, off)
		}
		return
	}
	for e := range htOf(o).All() {
		if keys {
			x.Bulk(sbytes(e.Key))
		}
		if vals {
			x.Bulk(sbytes(e.Value))
		}
	}
}

func cmdHIncrBy(x *engine.Ctx) {
	incr, ok := x.ParseInt(3)
	if !ok {
		return
	}
	key, field := x.Args[1], x.Args[2]
	o, ok := lookupWriteOrCreate(x, key)
	if !ok {
		return
	}
	var old int64
	if v, found := Get(o, field); found {
		if v.IsInt {
			old = v.N
		} else if old, ok = engine.ParseInt(v.S); !ok {
			x.Error("ERR hash value is not an integer")
			return
		}
	}
	if (incr < 0 && old < 0 && incr < (-1<<63)-old) || (incr > 0 && old > 0 && incr > (1<<63-1)-old) {
		x.Error(engine.ErrOverflow)
		return
	}
	v := old + incr
	set(&x.E.Set, o, field, strconv.AppendInt(x.Scratch[:0], v, 10))
	x.Int(v)
	x.SignalModified(key)
	x.Notify(engine.NotifyHash, "hincrby", key)
	x.Dirty(1)
}

// ldUnderflow is half the smallest positive x87 long double (a denormal, 2^-16445):
// strtold rounds anything of smaller magnitude to zero with ERANGE, which Redis's string2ld
// refuses. engine.ParseLongDouble keeps such values (big.Float has a far wider exponent
// range), so they are refused here.
var ldUnderflow = new(big.Float).SetMantExp(big.NewFloat(1), -16446)

// parseLongDouble is Redis's string2ld: engine.ParseLongDouble plus the underflow rule.
func parseLongDouble(b []byte) (*big.Float, bool) {
	f, ok := engine.ParseLongDouble(b)
	if !ok {
		return nil, false
	}
	if f.Sign() != 0 && !f.IsInf() && new(big.Float).Abs(f).Cmp(ldUnderflow) <= 0 {
		return nil, false
	}
	return f, true
}

func cmdHIncrByFloat(x *engine.Ctx) {
	incr, ok := parseLongDouble(x.Args[3])
	if !ok {
		x.Error(engine.ErrNotFloat)
		return
	}
	if incr.IsInf() {
		x.Error("ERR value is NaN or Infinity")
		return
	}
	key, field := x.Args[1], x.Args[2]
	o, ok := lookupWriteOrCreate(x, key)
	if !ok {
		return
	}
	cur := engine.LongDoubleFromInt(0)
	if v, found := Get(o, field); found {
		if v.IsInt {
			cur = engine.LongDoubleFromInt(v.N)
		} else if cur, ok = parseLongDouble(v.S); !ok {
			x.Error("ERR hash value is not a float")
			return
		}
	}
	sum, ok := engine.AddLongDouble(cur, incr)
	if !ok {
		x.Error("ERR increment would produce NaN or Infinity")
		return
	}
	text := engine.FormatLongDoubleHuman(sum)
	set(&x.E.Set, o, field, text)
	x.Bulk(text)
	x.SignalModified(key)
	x.Notify(engine.NotifyHash, "hincrbyfloat", key)
	x.Dirty(1)
	// Propagated as HSET with the final value, so replicas and AOF reloads do not depend on
	// float formatting.
	x.Rewrite([]byte("HSET"), key, field, text)
}

func cmdHScan(x *engine.Ctx) {
	if _, ok := engine.ParseCursor(x.Args[2]); !ok {
		x.Error("ERR invalid cursor")
		return
	}
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	if o == nil {
		x.ArrayLen(2)
		x.Bulk([]byte("0"))
		x.ArrayLen(0)
		return
	}
	opts, ok := x.ParseScanOpts(2, false)
	if !ok {
		return
	}
	if o.Encoding() == engine.EncListpack {
		// A listpack is returned whole, with cursor 0.
		lp := o.Bytes()
		var fb [20]byte
		n := 0
		if opts.Match == nil {
			n = Len(o)
		} else {
			for off := listpack.First(lp); off >= 0; off = listpack.Next(lp, listpack.Next(lp, off)) {
				if engine.Match(opts.Match, lpBytesAt(lp, off, &fb), false) {
					n++
				}
			}
		}
		x.ArrayLen(2)
		x.Bulk([]byte("0"))
		x.ArrayLen(2 * n)
		for off := listpack.First(lp); off >= 0; off = listpack.Next(lp, listpack.Next(lp, off)) {
			if opts.Match != nil && !engine.Match(opts.Match, lpBytesAt(lp, off, &fb), false) {
				continue
			}
			replyLP(x, lp, off)
			replyLP(x, lp, listpack.Next(lp, off))
		}
		return
	}
	d := htOf(o)
	count := opts.Count * 2 // a hash returns field and value: COUNT counts both
	maxIter := count * 10
	found := make([]*entry, 0, min(opts.Count, d.Len()))
	scanned := 0
	cursor := opts.Cursor
	for {
		cursor = d.Scan(cursor, func(e *entry) {
			scanned += 2
			if opts.Match == nil || engine.Match(opts.Match, sbytes(e.Key), false) {
				found = append(found, e)
			}
		})
		// Redis: do … while (cursor && maxiterations-- && listLength(keys) < count), where
		// keys holds fields and values before the MATCH filter.
		if cursor == 0 || maxIter == 0 {
			break
		}
		maxIter--
		if scanned >= count {
			break
		}
	}
	x.ArrayLen(2)
	x.W.WriteBulk(strconv.AppendUint(x.Scratch[:0], cursor, 10))
	x.ArrayLen(2 * len(found))
	for _, e := range found {
		x.Bulk(sbytes(e.Key))
		x.Bulk(sbytes(e.Value))
	}
}
