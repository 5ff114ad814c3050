package tstring

import (
	"strconv"

	"github.com/redisctl/redisctl/engine"
)

// Commands returns the string commands.
func Commands() []*engine.Command {
	w, ro, fast, oom := engine.FlagWrite, engine.FlagReadOnly, engine.FlagFast, engine.FlagDenyOOM
	k1 := func(c *engine.Command) *engine.Command { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	return []*engine.Command{
		k1(&engine.Command{Name: "get", Arity: 2, Flags: ro | fast, Fn: cmdGet}),
		k1(&engine.Command{Name: "set", Arity: -3, Flags: w | oom, Fn: cmdSet}),
		k1(&engine.Command{Name: "setnx", Arity: 3, Flags: w | oom | fast, Fn: cmdSetNX}),
		k1(&engine.Command{Name: "setex", Arity: 4, Flags: w | oom, Fn: cmdSetEX(false)}),
		k1(&engine.Command{Name: "psetex", Arity: 4, Flags: w | oom, Fn: cmdSetEX(true)}),
		k1(&engine.Command{Name: "getex", Arity: -2, Flags: w | fast, Fn: cmdGetEX}),
		k1(&engine.Command{Name: "getdel", Arity: 2, Flags: w | fast, Fn: cmdGetDel}),
		k1(&engine.Command{Name: "getset", Arity: 3, Flags: w | oom | fast, Fn: cmdGetSet}),
		{Name: "mget", Arity: -2, Flags: ro | fast, FirstKey: 1, LastKey: -1, Step: 1, Fn: cmdMGet},
		{Name: "mset", Arity: -3, Flags: w | oom, FirstKey: 1, LastKey: -1, Step: 2, Fn: func(x *engine.Ctx) { msetGeneric(x, false) }},
		{Name: "msetnx", Arity: -3, Flags: w | oom, FirstKey: 1, LastKey: -1, Step: 2, Fn: func(x *engine.Ctx) { msetGeneric(x, true) }},
		k1(&engine.Command{Name: "append", Arity: 3, Flags: w | oom | fast, Fn: cmdAppend}),
		k1(&engine.Command{Name: "strlen", Arity: 2, Flags: ro | fast, Fn: cmdStrlen}),
		k1(&engine.Command{Name: "getrange", Arity: 4, Flags: ro, Fn: cmdGetRange}),
		k1(&engine.Command{Name: "substr", Arity: 4, Flags: ro, Fn: cmdGetRange}),
		k1(&engine.Command{Name: "setrange", Arity: 4, Flags: w | oom, Fn: cmdSetRange}),
		k1(&engine.Command{Name: "incr", Arity: 2, Flags: w | oom | fast, Fn: func(x *engine.Ctx) { incrDecr(x, 1) }}),
		k1(&engine.Command{Name: "decr", Arity: 2, Flags: w | oom | fast, Fn: func(x *engine.Ctx) { incrDecr(x, -1) }}),
		k1(&engine.Command{Name: "incrby", Arity: 3, Flags: w | oom | fast, Fn: cmdIncrBy}),
		k1(&engine.Command{Name: "decrby", Arity: 3, Flags: w | oom | fast, Fn: cmdDecrBy}),
		k1(&engine.Command{Name: "incrbyfloat", Arity: 3, Flags: w | oom | fast, Fn: cmdIncrByFloat}),
	}
}

// lookupString finds key for reading and checks its type; ok is false after a WRONGTYPE
// reply. A missing key gives (nil, true).
func lookupString(x *engine.Ctx, key []byte, write bool) (*engine.Object, bool) {
	var o *engine.Object
	if write {
		o = x.DB.LookupWrite(key)
	} else {
		o = x.DB.LookupRead(key)
	}
	if o != nil && o.Type() != engine.TypeString {
		x.WrongType()
		return nil, false
	}
	return o, true
}

// getGeneric replies with the key's value or null (getGenericCommand).
func getGeneric(x *engine.Ctx) bool {
	o, ok := lookupString(x, x.Args[1], false)
	if !ok {
		return false
	}
	if o == nil {
		x.Null()
		return true
	}
	x.ObjectBulk(o)
	return true
}

func cmdGet(x *engine.Ctx) { getGeneric(x) }

// SET option flags (OBJ_SET_* / OBJ_*).
const (
	optNX = 1 << iota
	optXX
	optGet
	optKeepTTL
	optPersist
	optEX
	optPX
	optEXAT
	optPXAT
)

const (
	cmdTypeSet = iota
	cmdTypeGet
)

// parseExtended implements parseExtendedStringArgumentsOrReply over args[from:]. It
// returns the flags and the absolute expiry in ms (or -1).
func parseExtended(x *engine.Ctx, from int, cmdType int) (flags int, when int64, ok bool) {
	flags, expire, ok := parseExtendedFlags(x, from, cmdType)
	if !ok {
		return 0, 0, false
	}
	when, ok = expireFromFlags(x, flags, expire)
	return flags, when, ok
}

// expireFromFlags turns the expire argument found by parseExtendedFlags into an absolute
// time in ms (-1 when there is none).
func expireFromFlags(x *engine.Ctx, flags int, expire []byte) (int64, bool) {
	if expire == nil {
		return -1, true
	}
	return expireMs(x, expire, flags&(optEX|optEXAT) != 0, flags&(optEX|optPX) != 0)
}

// parseExtendedFlags parses the option words (syntax only); the expire value is returned
// unparsed, because GETEX validates it only after looking the key up.
func parseExtendedFlags(x *engine.Ctx, from int, cmdType int) (flags int, expire []byte, ok bool) {
	args := x.Args
	for j := from; j < len(args); j++ {
		a := args[j]
		hasNext := j+1 < len(args)
		switch {
		case engine.EqualFold(a, "nx") && flags&optXX == 0 && cmdType == cmdTypeSet:
			flags |= optNX
		case engine.EqualFold(a, "xx") && flags&optNX == 0 && cmdType == cmdTypeSet:
			flags |= optXX
		case engine.EqualFold(a, "get") && cmdType == cmdTypeSet:
			flags |= optGet
		case engine.EqualFold(a, "keepttl") && flags&(optPersist|optEX|optEXAT|optPX|optPXAT) == 0 && cmdType == cmdTypeSet:
			flags |= optKeepTTL
		case engine.EqualFold(a, "persist") && cmdType == cmdTypeGet && flags&(optEX|optEXAT|optPX|optPXAT|optKeepTTL) == 0:
			flags |= optPersist
		case engine.EqualFold(a, "ex") && flags&(optKeepTTL|optPersist|optEXAT|optPX|optPXAT) == 0 && hasNext:
			flags |= optEX
			expire = args[j+1]
			j++
		case engine.EqualFold(a, "px") && flags&(optKeepTTL|optPersist|optEX|optEXAT|optPXAT) == 0 && hasNext:
			flags |= optPX
			expire = args[j+1]
			j++
		case engine.EqualFold(a, "exat") && flags&(optKeepTTL|optPersist|optEX|optPX|optPXAT) == 0 && hasNext:
			flags |= optEXAT
			expire = args[j+1]
			j++
		case engine.EqualFold(a, "pxat") && flags&(optKeepTTL|optPersist|optEX|optEXAT|optPX) == 0 && hasNext:
			flags |= optPXAT
			expire = args[j+1]
			j++
		default:
			x.SyntaxError()
			return 0, nil, false
		}
	}
	return flags, expire, true
}

// expireMs is getExpireMillisecondsOrReply.
func expireMs(x *engine.Ctx, b []byte, seconds, relative bool) (int64, bool) {
	v, ok := engine.ParseInt(b)
	if !ok {
		x.Error(engine.ErrNotInteger)
		return 0, false
	}
	if v <= 0 || (seconds && v > (1<<63-1)/1000) {
		x.Error("ERR invalid expire time in '" + x.Cmd.Name + "' command")
		return 0, false
	}
	if seconds {
		v *= 1000
	}
	if relative {
		v += x.Now()
	}
	if v <= 0 {
		x.Error("ERR invalid expire time in '" + x.Cmd.Name + "' command")
		return 0, false
	}
	return v, true
}

func cmdSet(x *engine.Ctx) {
	flags, when, ok := parseExtended(x, 3, cmdTypeSet)
	if !ok {
		return
	}
	setGeneric(x, flags, x.Args[1], x.Args[2], when, nil, nil)
}

// setString stores a copy of val at key as setKey does; DB.SetString writes it into the
// old value's buffer when it can, so overwriting a string with one of the same size
// allocates nothing.
func setString(x *engine.Ctx, key, val []byte, keepTTL bool) {
	if enc, n := encodingOf(val); enc == engine.EncInt {
		x.DB.SetKey(key, engine.NewIntObject(n), keepTTL)
	} else {
		x.DB.SetString(key, enc, val, keepTTL)
	}
}

// setGeneric is Redis's setGenericCommand. okReply/abortReply default to +OK and null.
func setGeneric(x *engine.Ctx, flags int, key, val []byte, when int64, okReply, abortReply func()) {
	if flags&optGet != 0 {
		if !getGeneric(x) {
			return
		}
	}
	found := x.DB.ExistsForWrite(key)
	if (flags&optNX != 0 && found) || (flags&optXX != 0 && !found) {
		if flags&optGet == 0 {
			if abortReply != nil {
				abortReply()
			} else {
				x.Null()
			}
		}
		return
	}
	setString(x, key, val, flags&optKeepTTL != 0)
	x.Dirty(1)
	x.Notify(engine.NotifyString, "set", key)
	if when >= 0 {
		x.DB.SetExpire(key, when)
		if flags&optPXAT == 0 {
			x.Rewrite([]byte("SET"), key, val, []byte("PXAT"), strconv.AppendInt(nil, when, 10))
		}
		x.Notify(engine.NotifyGeneric, "expire", key)
	}
	if flags&optGet == 0 {
		if okReply != nil {
			okReply()
		} else {
			x.OK()
		}
	}
	if flags&optGet != 0 && when < 0 {
		// Propagate without GET.
		args := make([][]byte, 0, len(x.Args))
		for i, a := range x.Args {
			if i >= 3 && engine.EqualFold(a, "get") {
				continue
			}
			args = append(args, a)
		}
		x.Rewrite(args...)
	}
}

func cmdSetNX(x *engine.Ctx) {
	setGeneric(x, optNX, x.Args[1], x.Args[2], -1, func() { x.Int(1) }, func() { x.Int(0) })
}

func cmdSetEX(ms bool) engine.HandlerFunc {
	return func(x *engine.Ctx) {
		when, ok := expireMs(x, x.Args[2], !ms, true)
		if !ok {
			return
		}
		f := optEX
		if ms {
			f = optPX
		}
		setGeneric(x, f, x.Args[1], x.Args[3], when, nil, nil)
	}
}

func cmdGetEX(x *engine.Ctx) {
	flags, expire, ok := parseExtendedFlags(x, 2, cmdTypeGet)
	if !ok {
		return
	}
	key := x.Args[1]
	o, ok := lookupString(x, key, false)
	if !ok {
		return
	}
	if o == nil {
		x.Null()
		return
	}
	when, ok := expireFromFlags(x, flags, expire)
	if !ok {
		return
	}
	x.ObjectBulk(o)
	if when >= 0 && when <= x.Now() {
		x.DB.Delete(key)
		cmd := "DEL"
		if x.E.Set.LazyfreeLazyExpire {
			cmd = "UNLINK"
		}
		x.Rewrite([]byte(cmd), key)
		x.SignalModified(key)
		x.Notify(engine.NotifyGeneric, "del", key)
		x.Dirty(1)
		return
	}
	if when >= 0 {
		x.DB.SetExpire(key, when)
		x.Rewrite([]byte("PEXPIREAT"), key, strconv.AppendInt(nil, when, 10))
		x.SignalModified(key)
		x.Notify(engine.NotifyGeneric, "expire", key)
		x.Dirty(1)
		return
	}
	if flags&optPersist != 0 {
		if x.DB.RemoveExpire(key) {
			x.Rewrite([]byte("PERSIST"), key)
			x.SignalModified(key)
			x.Notify(engine.NotifyGeneric, "persist", key)
			x.Dirty(1)
		}
	}
}

func cmdGetDel(x *engine.Ctx) {
	key := x.Args[1]
	o, ok := lookupString(x, key, false)
	if !ok {
		return
	}
	if o == nil {
		x.Null()
		return
	}
	x.ObjectBulk(o)
	x.DB.Delete(key)
	x.Rewrite([]byte("DEL"), key)
	x.SignalModified(key)
	x.Notify(engine.NotifyGeneric, "del", key)
	x.Dirty(1)
}

func cmdGetSet(x *engine.Ctx) {
	if !getGeneric(x) {
		return
	}
	key := x.Args[1]
	setString(x, key, x.Args[2], false)
	x.Notify(engine.NotifyString, "set", key)
	x.Dirty(1)
	x.Rewrite([]byte("SET"), key, x.Args[2])
}

func cmdMGet(x *engine.Ctx) {
	x.ArrayLen(len(x.Args) - 1)
	for _, k := range x.Args[1:] {
		o := x.DB.LookupRead(k)
		if o == nil || o.Type() != engine.TypeString {
			x.Null()
			continue
		}
		x.ObjectBulk(o)
	}
}

func msetGeneric(x *engine.Ctx, nx bool) {
	if len(x.Args)%2 == 0 {
		x.Error("ERR wrong number of arguments for '" + x.Cmd.Name + "' command")
		return
	}
	if nx {
		for j := 1; j < len(x.Args); j += 2 {
			if x.DB.ExistsForWrite(x.Args[j]) {
				x.Int(0)
				return
			}
		}
	}
	for j := 1; j < len(x.Args); j += 2 {
		setString(x, x.Args[j], x.Args[j+1], false)
		x.Notify(engine.NotifyString, "set", x.Args[j])
	}
	x.Dirty(int64(len(x.Args)-1) / 2)
	if nx {
		x.Int(1)
	} else {
		x.OK()
	}
}

func checkStringLength(x *engine.Ctx, n int64) bool {
	if n < 0 || n > x.E.Set.ProtoMaxBulkLen {
		x.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
		return false
	}
	return true
}

func cmdAppend(x *engine.Ctx) {
	key, val := x.Args[1], x.Args[2]
	o, ok := lookupString(x, key, true)
	if !ok {
		return
	}
	var total int
	if o == nil {
		no := x.DB.SetKey(key, New(val), false)
		total = no.StringLen()
	} else {
		total = o.StringLen() + len(val)
		if !checkStringLength(x, int64(total)) {
			return
		}
		b := Unshare(o)
		old := len(b)
		b = Grow(b, old+len(val))
		copy(b[old:], val)
		o.SetBytes(b)
		x.SignalModified(key)
	}
	x.Notify(engine.NotifyString, "append", key)
	x.Dirty(1)
	x.Int(int64(total))
}

func cmdStrlen(x *engine.Ctx) {
	o, ok := lookupString(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	x.Int(int64(o.StringLen()))
}

func cmdGetRange(x *engine.Ctx) {
	start, ok := x.ParseInt(2)
	if !ok {
		return
	}
	end, ok := x.ParseInt(3)
	if !ok {
		return
	}
	o, ok := lookupString(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Bulk([]byte{})
		return
	}
	s := o.StringValue(x.Scratch[:0])
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		x.Bulk([]byte{})
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		x.Bulk([]byte{})
		return
	}
	x.Bulk(s[start : end+1])
}

func cmdSetRange(x *engine.Ctx) {
	key, val := x.Args[1], x.Args[3]
	offset, ok := x.ParseInt(2)
	if !ok {
		return
	}
	if offset < 0 {
		x.Error("ERR offset is out of range")
		return
	}
	o, ok := lookupString(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		if len(val) == 0 {
			x.Int(0)
			return
		}
		if offset > x.E.Set.ProtoMaxBulkLen-int64(len(val)) || !checkStringLength(x, offset+int64(len(val))) {
			x.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
			return
		}
		b := NewSds(int(offset) + len(val))
		copy(b[offset:], val)
		x.DB.SetKey(key, NewRaw(b), false)
		x.Notify(engine.NotifyString, "setrange", key)
		x.Dirty(1)
		x.Int(int64(len(b)))
		return
	}
	olen := int64(o.StringLen())
	if len(val) == 0 {
		x.Int(olen)
		return
	}
	if offset > x.E.Set.ProtoMaxBulkLen-int64(len(val)) {
		x.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
		return
	}
	if !checkStringLength(x, offset+int64(len(val))) {
		return
	}
	b := Unshare(o)
	if need := int(offset) + len(val); need > len(b) {
		b = Grow(b, need)
	}
	copy(b[offset:], val)
	o.SetBytes(b)
	x.SignalModified(key)
	x.Notify(engine.NotifyString, "setrange", key)
	x.Dirty(1)
	x.Int(int64(len(b)))
}

// intValue reads a string object as an integer (getLongLongFromObjectOrReply).
func intValue(x *engine.Ctx, o *engine.Object) (int64, bool) {
	if o == nil {
		return 0, true
	}
	if o.Encoding() == engine.EncInt {
		return o.Int(), true
	}
	v, ok := engine.ParseInt(o.Bytes())
	if !ok {
		x.Error(engine.ErrNotInteger)
	}
	return v, ok
}

func incrDecr(x *engine.Ctx, incr int64) {
	key := x.Args[1]
	o, ok := lookupString(x, key, true)
	if !ok {
		return
	}
	old, ok := intValue(x, o)
	if !ok {
		return
	}
	if (incr < 0 && old < 0 && incr < (-1<<63)-old) || (incr > 0 && old > 0 && incr > (1<<63-1)-old) {
		x.Error(engine.ErrOverflow)
		return
	}
	v := old + incr
	if o != nil {
		o.SetInt(v)
	} else {
		// dbAdd: the write lookup found no live key, so no second lookup (SetKey's) is needed.
		x.DB.Add(key, FromInt(v))
	}
	x.SignalModified(key)
	x.Notify(engine.NotifyString, "incrby", key)
	x.Dirty(1)
	x.Int(v)
}

func cmdIncrBy(x *engine.Ctx) {
	incr, ok := x.ParseInt(2)
	if !ok {
		return
	}
	incrDecr(x, incr)
}

func cmdDecrBy(x *engine.Ctx) {
	incr, ok := x.ParseInt(2)
	if !ok {
		return
	}
	if incr == -1<<63 {
		x.Error("ERR decrement would overflow")
		return
	}
	incrDecr(x, -incr)
}

func cmdIncrByFloat(x *engine.Ctx) {
	key := x.Args[1]
	o, ok := lookupString(x, key, true)
	if !ok {
		return
	}
	cur := engine.LongDoubleFromInt(0)
	if o != nil {
		if o.Encoding() == engine.EncInt {
			cur = engine.LongDoubleFromInt(o.Int())
		} else if cur, ok = engine.ParseLongDouble(o.Bytes()); !ok {
			x.Error(engine.ErrNotFloat)
			return
		}
	}
	incr, ok := engine.ParseLongDouble(x.Args[2])
	if !ok {
		x.Error(engine.ErrNotFloat)
		return
	}
	sum, ok := engine.AddLongDouble(cur, incr)
	if !ok {
		x.Error("ERR increment would produce NaN or Infinity")
		return
	}
	text := engine.FormatLongDoubleHuman(sum)
	nv := NewNoInt(text)
	if o != nil {
		x.DB.Overwrite(x.DB.LookupEntry(key, true), nv)
		x.SignalModified(key)
	} else {
		x.DB.SetKey(key, nv, false)
	}
	x.Notify(engine.NotifyString, "incrbyfloat", key)
	x.Dirty(1)
	x.Bulk(text)
	x.Rewrite([]byte("SET"), key, text, []byte("KEEPTTL"))
}
