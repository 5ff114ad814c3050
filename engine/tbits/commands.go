package tbits

import (
	"math/bits"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tstring"
)

// Commands returns the bit commands and LCS, with Redis 7.0's arity, flags and keys.
func Commands() []*engine.Command {
	w, ro, fast, oom := engine.FlagWrite, engine.FlagReadOnly, engine.FlagFast, engine.FlagDenyOOM
	k1 := func(c *engine.Command) *engine.Command { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	return []*engine.Command{
		k1(&engine.Command{Name: "setbit", Arity: 4, Flags: w | oom, Fn: cmdSetBit}),
		k1(&engine.Command{Name: "getbit", Arity: 3, Flags: ro | fast, Fn: cmdGetBit}),
		k1(&engine.Command{Name: "bitcount", Arity: -2, Flags: ro, Fn: cmdBitCount}),
		k1(&engine.Command{Name: "bitpos", Arity: -3, Flags: ro, Fn: cmdBitPos}),
		{Name: "bitop", Arity: -4, Flags: w | oom, FirstKey: 2, LastKey: -1, Step: 1, Fn: cmdBitOp},
		k1(&engine.Command{Name: "bitfield", Arity: -2, Flags: w | oom, Fn: func(x *engine.Ctx) { bitfieldGeneric(x, false) }}),
		k1(&engine.Command{Name: "bitfield_ro", Arity: -2, Flags: ro | fast, Fn: func(x *engine.Ctx) { bitfieldGeneric(x, true) }}),
		{Name: "lcs", Arity: -3, Flags: ro, FirstKey: 1, LastKey: 2, Step: 1, Fn: cmdLCS},
	}
}

const (
	errBitOffset = "ERR bit offset is not an integer or out of range"
	errBitValue  = "ERR bit is not an integer or out of range"
	errBitArg    = "ERR The bit argument must be 1 or 0."
	errBitopNot  = "ERR BITOP NOT must be called with a single source key."
)

// bitOffset is getBitOffsetFromArgument: a non-negative offset whose byte fits in
// proto-max-bulk-len; with hash and width > 0, "#n" means n*width.
func bitOffset(x *engine.Ctx, arg []byte, hash bool, width int) (uint64, bool) {
	useHash := hash && width > 0 && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	v, ok := engine.ParseInt(arg)
	if ok && useHash {
		v *= int64(width) // wraps like the C code
	}
	if !ok || v < 0 || (x.C.Flags&engine.ClientAOF == 0 && v>>3 >= x.E.Set.ProtoMaxBulkLen) {
		x.Error(errBitOffset)
		return 0, false
	}
	return uint64(v), true
}

// lookupForBits is lookupStringForBitCommand: the key's string, created or grown with
// zeros so that bit maxbit exists, raw-encoded and ready for in-place changes. grown
// reports whether the key was created or lengthened.
func lookupForBits(x *engine.Ctx, maxbit uint64) (o *engine.Object, grown, ok bool) {
	key := x.Args[1]
	n := int(maxbit>>3) + 1
	o = x.DB.LookupWrite(key)
	if o != nil && o.Type() != engine.TypeString {
		x.WrongType()
		return nil, false, false
	}
	if o == nil {
		return x.DB.Add(key, tstring.NewRaw(tstring.NewSds(n))), true, true
	}
	b := tstring.Unshare(o)
	old := len(b)
	b = tstring.GrowZero(b, n)
	o.SetBytes(b)
	return o, len(b) != old, true
}

// lookupRead finds a string for reading; ok is false after a WRONGTYPE reply.
func lookupRead(x *engine.Ctx, key []byte) (*engine.Object, bool) {
	o := x.DB.LookupRead(key)
	if o != nil && o.Type() != engine.TypeString {
		x.WrongType()
		return nil, false
	}
	return o, true
}

func cmdSetBit(x *engine.Ctx) {
	off, ok := bitOffset(x, x.Args[2], false, 0)
	if !ok {
		return
	}
	on, ok := engine.ParseInt(x.Args[3])
	if !ok || on&^1 != 0 {
		x.Error(errBitValue)
		return
	}
	o, grown, ok := lookupForBits(x, off)
	if !ok {
		return
	}
	b := o.Bytes()
	i, shift := off>>3, 7-off&7
	old := int64(b[i]>>shift) & 1
	if grown || old != on {
		b[i] = b[i]&^(1<<shift) | byte(on)<<shift
		key := x.Args[1]
		x.SignalModified(key)
		x.Notify(engine.NotifyString, "setbit", key)
		x.Dirty(1)
	}
	x.Int(old)
}

func cmdGetBit(x *engine.Ctx) {
	off, ok := bitOffset(x, x.Args[2], false, 0)
	if !ok {
		return
	}
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	x.Int(int64(GetBit(o.StringValue(x.Scratch[:0]), off)))
}

// parseUnit reads BYTE|BIT; ok is false after a syntax error reply.
func parseUnit(x *engine.Ctx, arg []byte) (isBit, ok bool) {
	switch {
	case engine.EqualFold(arg, "bit"):
		return true, true
	case engine.EqualFold(arg, "byte"):
		return false, true
	}
	x.SyntaxError()
	return false, false
}

// clampRange turns start/end (negative from the end) into an inclusive range over total
// units, as BITCOUNT and BITPOS do; empty when start > end afterwards.
func clampRange(start, end, total int64) (int64, int64) {
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= total {
		end = total - 1
	}
	return start, end
}

func cmdBitCount(x *engine.Ctx) {
	o, ok := lookupRead(x, x.Args[1])
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	p := o.StringValue(x.Scratch[:0])
	n := int64(len(p))
	switch len(x.Args) {
	case 2:
		x.Int(Popcount(p))
		return
	case 4, 5:
	default:
		x.SyntaxError()
		return
	}
	start, ok := x.ParseInt(2)
	if !ok {
		return
	}
	end, ok := x.ParseInt(3)
	if !ok {
		return
	}
	if start < 0 && end < 0 && start > end {
		x.Int(0) // decided before the unit is even parsed
		return
	}
	isBit := false
	if len(x.Args) == 5 {
		if isBit, ok = parseUnit(x, x.Args[4]); !ok {
			return
		}
	}
	total := n
	if isBit {
		total <<= 3
	}
	start, end = clampRange(start, end, total)
	if start > end {
		x.Int(0)
		return
	}
	if !isBit {
		x.Int(Popcount(p[start : end+1]))
		return
	}
	fb, lb := start>>3, end>>3
	count := Popcount(p[fb : lb+1])
	// Take away the bits of the edge bytes that lie outside the range.
	count -= int64(bits.OnesCount8(p[fb] &^ (0xff >> (start & 7))))
	count -= int64(bits.OnesCount8(p[lb] & (0xff >> (end&7 + 1))))
	x.Int(count)
}

func cmdBitPos(x *engine.Ctx) {
	bit, ok := x.ParseInt(2)
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		x.Error(errBitArg)
		return
	}
	o := x.DB.LookupRead(x.Args[1])
	if o == nil {
		// A missing key is an infinite run of zeros.
		x.Int(-bit)
		return
	}
	if o.Type() != engine.TypeString {
		x.WrongType()
		return
	}
	p := o.StringValue(x.Scratch[:0])
	n := int64(len(p))
	var from, to int64
	endGiven := false
	switch len(x.Args) {
	case 3:
		from, to = 0, n*8-1
	case 4, 5, 6:
		start, ok := x.ParseInt(3)
		if !ok {
			return
		}
		isBit := false
		if len(x.Args) == 6 {
			if isBit, ok = parseUnit(x, x.Args[5]); !ok {
				return
			}
		}
		var end int64
		if len(x.Args) >= 5 {
			if end, ok = x.ParseInt(4); !ok {
				return
			}
			endGiven = true
		} else if isBit {
			end = n<<3 + 7
		} else {
			end = n - 1
		}
		total := n
		if isBit {
			total <<= 3
		}
		start, end = clampRange(start, end, total)
		if start > end {
			x.Int(-1)
			return
		}
		if isBit {
			from, to = start, end
		} else {
			from, to = start<<3, end<<3+7
		}
	default:
		x.SyntaxError()
		return
	}
	if from > to {
		x.Int(-1)
		return
	}
	pos := FirstBit(p, from, to, int(bit))
	if pos < 0 && bit == 0 && !endGiven {
		// Without an explicit end, the string is taken as padded with zeros.
		pos = to + 1
	}
	x.Int(pos)
}

// BITOP operations.
const (
	opAnd = iota
	opOr
	opXor
	opNot
)

func cmdBitOp(x *engine.Ctx) {
	var op int
	name := x.Args[1]
	switch {
	case engine.EqualFold(name, "and"):
		op = opAnd
	case engine.EqualFold(name, "or"):
		op = opOr
	case engine.EqualFold(name, "xor"):
		op = opXor
	case engine.EqualFold(name, "not"):
		op = opNot
	default:
		x.SyntaxError()
		return
	}
	if op == opNot && len(x.Args) != 4 {
		x.Error(errBitopNot)
		return
	}
	var srcBuf [8][]byte
	srcs := srcBuf[:0]
	maxlen := 0
	for _, k := range x.Args[3:] {
		o := x.DB.LookupRead(k)
		if o == nil {
			srcs = append(srcs, nil)
			continue
		}
		if o.Type() != engine.TypeString {
			x.WrongType()
			return
		}
		var v []byte
		if o.Encoding() == engine.EncInt {
			v = o.StringValue(make([]byte, 0, 20))
		} else {
			v = o.Bytes()
		}
		srcs = append(srcs, v)
		maxlen = max(maxlen, len(v))
	}
	dest := x.Args[2]
	if maxlen == 0 {
		if x.DB.Delete(dest) {
			x.SignalModified(dest)
			x.Notify(engine.NotifyGeneric, "del", dest)
			x.Dirty(1)
		}
		x.Int(0)
		return
	}
	res := tstring.NewSds(maxlen) // zeroed: missing and shorter sources count as zeros
	rest := srcs[1:]
	if len(srcs) >= 2 {
		combine2(op, res, srcs[0], srcs[1])
		rest = srcs[2:]
	} else {
		copy(res, srcs[0])
	}
	switch op {
	case opNot:
		notInPlace(res)
	case opAnd:
		for _, s := range rest {
			andInto(res, s)
		}
	case opOr:
		for _, s := range rest {
			orInto(res, s)
		}
	case opXor:
		for _, s := range rest {
			xorInto(res, s)
		}
	}
	x.DB.SetKey(dest, tstring.NewRaw(res), false)
	x.Notify(engine.NotifyString, "set", dest)
	x.Dirty(1)
	x.Int(int64(maxlen))
}
