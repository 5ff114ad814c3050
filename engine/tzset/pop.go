package tzset

import (
	"strconv"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/rdb/listpack"
)

// Pop ends (ZSET_MIN, ZSET_MAX).
const (
	popMin = 0
	popMax = 1
)

var popEvents = [2]string{"zpopmin", "zpopmax"}
var popCommands = [2][]byte{[]byte("ZPOPMIN"), []byte("ZPOPMAX")}

// popOpts are genericZpopCommand's reply shape switches.
type popOpts struct {
	where      int
	emitKey    bool  // reply with the key name (BZPOP*, ZMPOP, BZMPOP)
	count      int64 // -1: a plain single pop
	nested     bool  // [member, score] pairs (RESP3 with COUNT, ZMPOP)
	nilIfEmpty bool  // null instead of an empty array when nothing can be popped
	zmpop      bool  // propagate as ZPOPMIN/ZPOPMAX key count
}

// popGeneric is genericZpopCommand: pop from the first existing key of keys. It is shared
// with the blocking variants. It reports whether it found a key to pop from (a WRONGTYPE
// reply counts as handled).
func popGeneric(x *engine.Ctx, keys [][]byte, opt popOpts) (handled bool) {
	var key []byte
	var o *engine.Object
	for _, k := range keys {
		obj := x.DB.LookupWrite(k)
		if obj == nil {
			continue
		}
		if obj.Type() != engine.TypeZSet {
			x.WrongType()
			return true
		}
		key, o = k, obj
		break
	}
	if o == nil {
		if opt.nilIfEmpty {
			x.NullArray()
		} else {
			x.ArrayLen(0)
		}
		return false
	}
	count := opt.count
	if count == 0 {
		x.ArrayLen(0)
		return true
	}
	if count == -1 {
		count = 1
	}
	llen := int64(Len(o))
	rangelen := min(count, llen)
	switch {
	case !opt.nested && !opt.emitKey:
		x.ArrayLen(int(rangelen * 2))
	case opt.nested && !opt.emitKey:
		x.ArrayLen(int(rangelen))
	case !opt.nested && opt.emitKey:
		x.ArrayLen(int(rangelen*2 + 1))
		x.Bulk(key)
	default:
		x.ArrayLen(2)
		x.Bulk(key)
		x.ArrayLen(int(rangelen))
	}
	var buf [24]byte
	for i := int64(0); i < rangelen; i++ {
		var score float64
		if o.Encoding() == engine.EncListpack {
			lp := o.Bytes()
			var off int
			if opt.where == popMax {
				off = zzlLastMember(lp)
			} else {
				off = listpack.First(lp)
			}
			m := lpMember(lp, off, buf[:0])
			score = lpGetScore(lp, listpack.Next(lp, off))
			if opt.nested {
				x.ArrayLen(2)
			}
			x.Bulk(m)
			o.SetBytes(zzlDelete(lp, off))
		} else {
			z := zsOf(o)
			n := z.zsl.first()
			if opt.where == popMax {
				n = z.zsl.tail
			}
			score = n.score
			if opt.nested {
				x.ArrayLen(2)
			}
			x.Bulk(unsafeBytes(n.ele()))
			z.remove(unsafeBytes(n.ele()))
		}
		writeScore(x.W, score)
		x.Dirty(1)
		if i == 0 {
			x.Notify(engine.NotifyZSet, popEvents[opt.where], key)
			x.SignalModified(key)
		}
	}
	if Len(o) == 0 {
		x.DB.Delete(key)
		x.Notify(engine.NotifyGeneric, "del", key)
	}
	if opt.zmpop {
		x.Rewrite(popCommands[opt.where], key, strconv.AppendInt(nil, rangelen, 10))
	}
	return true
}

func zpopMinMax(x *engine.Ctx, where int) {
	if len(x.Args) > 3 {
		x.SyntaxError()
		return
	}
	count := int64(-1)
	if len(x.Args) == 3 {
		v, ok := engine.ParseInt(x.Args[2])
		if !ok || v < 0 {
			x.Error(engine.ErrNotPositive)
			return
		}
		count = v
	}
	nested := x.W.Protocol() > 2 && count != -1
	popGeneric(x, x.Args[1:2], popOpts{where: where, count: count, nested: nested})
}

// parseMPop parses "numkeys key... MIN|MAX [COUNT count]" starting at args[numIdx] (ZMPOP
// and BZMPOP); ok is false after an error reply.
func parseMPop(x *engine.Ctx, numIdx int) (keys [][]byte, where int, count int64, ok bool) {
	args := x.Args
	numkeys, okn := engine.ParseInt(args[numIdx])
	if !okn || numkeys < 1 {
		x.Error("ERR numkeys should be greater than 0")
		return nil, 0, 0, false
	}
	if numkeys >= int64(len(args)-numIdx-1) {
		x.SyntaxError()
		return nil, 0, 0, false
	}
	whereIdx := numIdx + int(numkeys) + 1
	switch {
	case engine.EqualFold(args[whereIdx], "min"):
		where = popMin
	case engine.EqualFold(args[whereIdx], "max"):
		where = popMax
	default:
		x.SyntaxError()
		return nil, 0, 0, false
	}
	count = -1
	for j := whereIdx + 1; j < len(args); j++ {
		more := len(args) - 1 - j
		if count == -1 && engine.EqualFold(args[j], "count") && more > 0 {
			j++
			v, okc := engine.ParseInt(args[j])
			if !okc || v < 1 {
				x.Error("ERR count should be greater than 0")
				return nil, 0, 0, false
			}
			count = v
		} else {
			x.SyntaxError()
			return nil, 0, 0, false
		}
	}
	if count == -1 {
		count = 1
	}
	return args[numIdx+1 : whereIdx], where, count, true
}

func cmdZMPop(x *engine.Ctx) {
	keys, where, count, ok := parseMPop(x, 1)
	if !ok {
		return
	}
	popGeneric(x, keys, popOpts{where: where, emitKey: true, count: count, nested: true,
		nilIfEmpty: true, zmpop: true})
}
