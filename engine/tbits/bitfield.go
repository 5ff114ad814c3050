package tbits

import (
	"github.com/redisctl/redisctl/engine"
)

const (
	errBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errBitfieldRO   = "ERR BITFIELD_RO only supports the GET subcommand"
	errOverflowType = "ERR Invalid OVERFLOW type specified"
)

// Overflow behaviours.
const (
	owWrap = iota
	owSat
	owFail
)

// Operations.
const (
	bfGet = iota
	bfSet
	bfIncrBy
)

type bfOp struct {
	off    uint64
	v      int64
	op     uint8
	ow     uint8
	width  uint8
	signed bool
}

// bitfieldType is getBitfieldTypeFromArgument: i1..i64 or u1..u63, lower case only.
func bitfieldType(x *engine.Ctx, arg []byte) (signed bool, width int, ok bool) {
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		x.Error(errBitfieldType)
		return false, 0, false
	}
	signed = arg[0] == 'i'
	digits := arg[1:]
	for i, c := range digits { // strlen stops at a NUL
		if c == 0 {
			digits = digits[:i]
			break
		}
	}
	n, ok := engine.ParseInt(digits)
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		x.Error(errBitfieldType)
		return false, 0, false
	}
	return signed, int(n), true
}

func bitfieldGeneric(x *engine.Ctx, roCmd bool) {
	var opsBuf [8]bfOp
	ops := opsBuf[:0]
	ow := uint8(owWrap)
	readonly := true
	var highest uint64
	args := x.Args
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		sub := args[j]
		var op uint8
		switch {
		case engine.EqualFold(sub, "get") && rem >= 2:
			op = bfGet
		case engine.EqualFold(sub, "set") && rem >= 3:
			op = bfSet
		case engine.EqualFold(sub, "incrby") && rem >= 3:
			op = bfIncrBy
		case engine.EqualFold(sub, "overflow") && rem >= 1:
			j++
			switch t := args[j]; {
			case engine.EqualFold(t, "wrap"):
				ow = owWrap
			case engine.EqualFold(t, "sat"):
				ow = owSat
			case engine.EqualFold(t, "fail"):
				ow = owFail
			default:
				x.Error(errOverflowType)
				return
			}
			continue
		default:
			x.SyntaxError()
			return
		}
		signed, width, ok := bitfieldType(x, args[j+1])
		if !ok {
			return
		}
		off, ok := bitOffset(x, args[j+2], true, width)
		if !ok {
			return
		}
		var v int64
		if op != bfGet {
			readonly = false
			if last := off + uint64(width) - 1; last > highest {
				highest = last
			}
			if v, ok = x.ParseInt(j + 3); !ok {
				return
			}
			j += 3
		} else {
			j += 2
		}
		ops = append(ops, bfOp{off: off, v: v, op: op, ow: ow, width: uint8(width), signed: signed})
	}

	var o *engine.Object
	grown := false // created or lengthened: every write counts as a change
	if readonly {
		o = x.DB.LookupRead(args[1])
		if o != nil && o.Type() != engine.TypeString {
			x.WrongType()
			return
		}
	} else {
		if roCmd {
			x.Error(errBitfieldRO)
			return
		}
		var ok bool
		if o, grown, ok = lookupForBits(x, highest); !ok {
			return
		}
	}

	x.ArrayLen(len(ops))
	changes := 0
	for i := range ops {
		op := &ops[i]
		w := int(op.width)
		if op.op == bfGet {
			var src []byte
			if o != nil {
				src = o.StringValue(x.Scratch[:0])
			}
			if op.signed {
				x.Int(BitfieldGetSigned(src, op.off, w))
			} else {
				x.Int(int64(BitfieldGet(src, op.off, w)))
			}
			continue
		}
		b := o.Bytes()
		if op.signed {
			old := BitfieldGetSigned(b, op.off, w)
			var nv, ret int64
			var overflow bool
			if op.op == bfIncrBy {
				wrapped, of := signedOverflow(old, op.v, w, op.ow)
				overflow = of
				nv = old + op.v
				if of {
					nv = wrapped
				}
				ret = nv
			} else {
				nv = op.v
				wrapped, of := signedOverflow(nv, 0, w, op.ow)
				overflow = of
				if of {
					nv = wrapped
				}
				ret = old
			}
			if overflow && op.ow == owFail {
				x.Null()
				continue
			}
			x.Int(ret)
			BitfieldSet(b, op.off, w, uint64(nv))
			if grown || old != nv {
				changes++
			}
		} else {
			old := BitfieldGet(b, op.off, w)
			var nv, ret uint64
			var overflow bool
			if op.op == bfIncrBy {
				nv = old + uint64(op.v)
				wrapped, of := unsignedOverflow(old, op.v, w, op.ow)
				overflow = of
				if of {
					nv = wrapped
				}
				ret = nv
			} else {
				nv = uint64(op.v)
				wrapped, of := unsignedOverflow(nv, 0, w, op.ow)
				overflow = of
				if of {
					nv = wrapped
				}
				ret = old
			}
			if overflow && op.ow == owFail {
				x.Null()
				continue
			}
			x.Int(int64(ret))
			BitfieldSet(b, op.off, w, nv)
			if grown || old != nv {
				changes++
			}
		}
	}
	if changes > 0 {
		key := args[1]
		x.SignalModified(key)
		x.Notify(engine.NotifyString, "setbit", key)
		x.Dirty(int64(changes))
	}
}

// unsignedOverflow is checkUnsignedBitfieldOverflow: whether value+incr leaves the range of
// a width-bit unsigned field, and the value to store instead under WRAP or SAT.
func unsignedOverflow(value uint64, incr int64, width int, ow uint8) (uint64, bool) {
	maxv := uint64(1)<<width - 1 // width ≤ 63
	maxincr := int64(maxv - value)
	minincr := -int64(value)
	var limit uint64
	switch {
	case value > maxv || (incr > 0 && incr > maxincr):
		limit = maxv
	case incr < 0 && incr < minincr:
		limit = 0
	default:
		return 0, false
	}
	if ow == owWrap {
		limit = (value + uint64(incr)) &^ (^uint64(0) << width)
	}
	return limit, true
}

// signedOverflow is checkSignedBitfieldOverflow for a width-bit two's complement field.
func signedOverflow(value, incr int64, width int, ow uint8) (int64, bool) {
	maxv := int64(1<<63 - 1)
	if width < 64 {
		maxv = int64(1)<<(width-1) - 1
	}
	minv := -maxv - 1
	maxincr := int64(uint64(maxv) - uint64(value))
	minincr := minv - value
	var limit int64
	switch {
	case value > maxv || (width != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr):
		limit = maxv
	case value < minv || (width != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr):
		limit = minv
	default:
		return 0, false
	}
	if ow == owWrap {
		c := uint64(value) + uint64(incr)
		if width < 64 {
			mask := ^uint64(0) << width
			if c&(uint64(1)<<(width-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		limit = int64(c)
	}
	return limit, true
}
