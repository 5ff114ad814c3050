package thll

import (
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tstring"
)

// Error texts of hyperloglog.c.
const (
	ErrInvalidHLL = "INVALIDOBJ Corrupted HLL object detected"
	ErrNotHLL     = "WRONGTYPE Key is not a valid HyperLogLog string value."
)

// Commands returns the HyperLogLog commands.
func Commands() []*engine.Command {
	w, ro, fast, oom, admin := engine.FlagWrite, engine.FlagReadOnly, engine.FlagFast, engine.FlagDenyOOM, engine.FlagAdmin
	return []*engine.Command{
		{Name: "pfadd", Arity: -2, Flags: w | oom | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: cmdPFAdd},
		{Name: "pfcount", Arity: -2, Flags: ro, FirstKey: 1, LastKey: -1, Step: 1, Fn: cmdPFCount},
		{Name: "pfmerge", Arity: -2, Flags: w | oom, FirstKey: 1, LastKey: -1, Step: 1, Fn: cmdPFMerge},
		{Name: "pfdebug", Arity: 3, Flags: w | oom | admin, FirstKey: 2, LastKey: 2, Step: 1, Fn: cmdPFDebug},
		{Name: "pfselftest", Arity: 1, Flags: admin, Fn: cmdPFSelfTest},
	}
}

// checkHLL is isHLLObjectOrReply.
func checkHLL(x *engine.Ctx, o *engine.Object) bool {
	if o.Type() != engine.TypeString {
		x.WrongType()
		return false
	}
	if o.Encoding() == engine.EncInt || !IsHLL(o.Bytes()) {
		x.Error(ErrNotHLL)
		return false
	}
	return true
}

// unshare is dbUnshareStringValue: an embstr value becomes a raw sds of its own.
func unshare(o *engine.Object) []byte {
	if o.Encoding() == engine.EncRaw {
		return o.Bytes()
	}
	b := copySds(o.Bytes())
	o.SetEncodingBytes(engine.EncRaw, b)
	return b
}

func cmdPFAdd(x *engine.Ctx) {
	key := x.Args[1]
	o := x.DB.LookupWrite(key)
	updated := int64(0)
	if o == nil {
		o = x.DB.Add(key, tstring.NewRaw(NewEmpty()))
		updated++
	} else {
		if !checkHLL(x, o) {
			return
		}
		unshare(o)
	}
	s := o.Bytes()
	for _, ele := range x.Args[2:] {
		var r int
		s, r = Add(s, ele)
		switch r {
		case 1:
			updated++
		case -1:
			o.SetBytes(s)
			x.Error(ErrInvalidHLL)
			return
		}
	}
	o.SetBytes(s)
	if updated > 0 {
		x.SignalModified(key)
		x.Notify(engine.NotifyString, "pfadd", key)
		x.Dirty(updated)
		invalidateCache(s)
		x.Int(1)
		return
	}
	x.Int(0)
}

func cmdPFCount(x *engine.Ctx) {
	if len(x.Args) > 2 {
		var max [Registers]uint8
		for _, key := range x.Args[1:] {
			o := x.DB.LookupRead(key)
			if o == nil {
				continue
			}
			if !checkHLL(x, o) {
				return
			}
			if MergeInto(&max, o.Bytes()) != nil {
				x.Error(ErrInvalidHLL)
				return
			}
		}
		x.Int(int64(CountRaw(&max)))
		return
	}
	key := x.Args[1]
	o := x.DB.LookupRead(key)
	if o == nil {
		x.Int(0)
		return
	}
	if !checkHLL(x, o) {
		return
	}
	s := o.Bytes()
	card, valid := CachedCard(s)
	if o.Encoding() != engine.EncRaw || !valid {
		// The value changes (unshared, cache written): let a snapshot see it first.
		x.DB.LookupEntry(key, true)
		s = unshare(o)
	}
	if !valid {
		var err error
		card, err = Count(s)
		if err != nil {
			x.Error(ErrInvalidHLL)
			return
		}
		setCachedCard(s, card)
		x.SignalModified(key)
		x.Dirty(1)
	}
	x.Int(int64(card))
}

func cmdPFMerge(x *engine.Ctx) {
	var max [Registers]uint8
	dense := false
	for _, key := range x.Args[1:] {
		o := x.DB.LookupRead(key)
		if o == nil {
			continue
		}
		if !checkHLL(x, o) {
			return
		}
		s := o.Bytes()
		if s[4] == EncDense {
			dense = true
		}
		if MergeInto(&max, s) != nil {
			x.Error(ErrInvalidHLL)
			return
		}
	}
	dst := x.Args[1]
	o := x.DB.LookupWrite(dst)
	if o == nil {
		o = x.DB.Add(dst, tstring.NewRaw(NewEmpty()))
	} else {
		unshare(o)
	}
	s := o.Bytes()
	if dense {
		d, err := ToDense(s)
		if err != nil {
			x.Error(ErrInvalidHLL)
			return
		}
		s = d
		o.SetBytes(s)
	}
	if s[4] == EncDense {
		denseMergeMax(s[HeaderSize:], &max)
	} else {
		for j, v := range max {
			if v == 0 {
				continue
			}
			if s[4] == EncDense { // promoted on the way
				denseSet(s[HeaderSize:], j, v)
			} else {
				s, _ = sparseSet(s, j, v)
			}
		}
	}
	invalidateCache(s)
	o.SetBytes(s)
	x.SignalModified(dst)
	x.Notify(engine.NotifyString, "pfadd", dst)
	x.Dirty(1)
	x.OK()
}

func cmdPFDebug(x *engine.Ctx) {
	sub := x.Args[1]
	key := x.Args[2]
	o := x.DB.LookupWrite(key)
	if o == nil {
		x.Error("ERR The specified key does not exist")
		return
	}
	if !checkHLL(x, o) {
		return
	}
	s := unshare(o)
	switch {
	case engine.EqualFold(sub, "getreg"):
		if s[4] == EncSparse {
			d, err := ToDense(s)
			if err != nil {
				x.Error(ErrInvalidHLL)
				return
			}
			s = d
			o.SetBytes(s)
			x.Dirty(1)
		}
		r := s[HeaderSize:]
		x.ArrayLen(Registers)
		for j := 0; j < Registers; j++ {
			x.Int(int64(denseGet(r, j)))
		}
	case engine.EqualFold(sub, "decode"):
		if s[4] != EncSparse {
			x.Error("ERR HLL encoding is not sparse")
			return
		}
		x.Bulk(Decode(nil, s))
	case engine.EqualFold(sub, "encoding"):
		if s[4] == EncDense {
			x.W.WriteSimpleString("dense")
		} else {
			x.W.WriteSimpleString("sparse")
		}
	case engine.EqualFold(sub, "todense"):
		if s[4] == EncSparse {
			d, err := ToDense(s)
			if err != nil {
				x.Error(ErrInvalidHLL)
				return
			}
			o.SetBytes(d)
			x.Dirty(1)
			x.Int(1)
			return
		}
		x.Int(0)
	default:
		x.Error("ERR Unknown PFDEBUG subcommand '" + sanitize(sub) + "'")
	}
}

// sanitize replaces CR and LF as addReplyErrorFormat does.
func sanitize(b []byte) string {
	out := []byte(string(b))
	for i, c := range out {
		if c == '\r' || c == '\n' {
			out[i] = ' '
		}
	}
	return string(out)
}

// Decode appends PFDEBUG DECODE's text for the sparse HLL s ("z:N", "Z:N", "v:V,N"
// separated by spaces).
func Decode(dst []byte, s []byte) []byte {
	start := len(dst)
	for p := HeaderSize; p < len(s); {
		runlen, val, size := sparseOp(s, p)
		p += size
		switch {
		case val != 0:
			dst = append(dst, "v:"...)
			dst = strconv.AppendInt(dst, int64(val), 10)
			dst = append(dst, ',')
		case size == 1:
			dst = append(dst, "z:"...)
		default:
			dst = append(dst, "Z:"...)
		}
		dst = strconv.AppendInt(dst, int64(runlen), 10)
		dst = append(dst, ' ')
	}
	if len(dst) > start {
		dst = dst[:len(dst)-1]
	}
	return dst
}
