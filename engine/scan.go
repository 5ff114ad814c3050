package engine

import (
	"strconv"
)

// ScanOpts are the parsed options of SCAN, HSCAN, SSCAN and ZSCAN.
type ScanOpts struct {
	Cursor uint64
	Count  int
	Match  []byte // nil: no filter
	Type   []byte // SCAN only; nil: no filter
}

// ParseCursor parses a SCAN cursor as Redis does (strtoul over the whole argument).
func ParseCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true // strtoul("") is 0 with nothing left over: Redis takes it as cursor 0
	}
	if isSpace(b[0]) {
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i = 1
	}
	if i == len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[i:]), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// ParseScanOpts parses "cursor [MATCH pattern] [COUNT count] [TYPE type]" starting at
// args[i] (the cursor). allowType enables TYPE (SCAN only). It replies on error.
func (x *Ctx) ParseScanOpts(i int, allowType bool) (ScanOpts, bool) {
	o := ScanOpts{Count: 10}
	c, ok := ParseCursor(x.Args[i])
	if !ok {
		x.Error("ERR invalid cursor")
		return o, false
	}
	o.Cursor = c
	for j := i + 1; j < len(x.Args); j += 2 {
		if j+1 >= len(x.Args) {
			x.SyntaxError()
			return o, false
		}
		arg, val := x.Args[j], x.Args[j+1]
		switch {
		case EqualFold(arg, "count"):
			n, ok := ParseInt(val)
			if !ok {
				x.Error(ErrNotInteger)
				return o, false
			}
			if n < 1 {
				x.SyntaxError()
				return o, false
			}
			if n > 1<<31-1 {
				n = 1<<31 - 1
			}
			o.Count = int(n)
		case EqualFold(arg, "match"):
			o.Match = val
			if len(val) == 1 && val[0] == '*' {
				o.Match = nil
			}
		case allowType && EqualFold(arg, "type"):
			o.Type = val
		default:
			x.SyntaxError()
			return o, false
		}
	}
	return o, true
}

// WriteScanReply writes [cursor, [elements…]] with elements supplied by fn, which gets a
// function to emit each element.
func (x *Ctx) WriteScanReply(cursor uint64, elems [][]byte) {
	x.ArrayLen(2)
	x.W.WriteBulk(strconv.AppendUint(x.Scratch[:0], cursor, 10))
	x.ArrayLen(len(elems))
	for _, e := range elems {
		x.Bulk(e)
	}
}

func cmdScan(x *Ctx) {
	o, ok := x.ParseScanOpts(1, true)
	if !ok {
		return
	}
	db := x.DB
	// Not sized by COUNT: it can be 2^31-1 (Redis starts from an empty list too).
	keys := make([][]byte, 0, min(o.Count, db.keys.Len()))
	cursor := o.Cursor
	maxIter := o.Count * 10
	for {
		cursor = db.keys.Scan(cursor, func(e *Entry) {
			keys = append(keys, unsafeBytes(e.Key))
		})
		// while (cursor && maxiterations-- && listLength(keys) < count)
		if cursor == 0 {
			break
		}
		m := maxIter
		maxIter--
		if m == 0 || len(keys) >= o.Count {
			break
		}
	}
	// Filter after collecting, as Redis does: pattern, type, then expiry.
	out := keys[:0]
	for _, k := range keys {
		if o.Match != nil && !Match(o.Match, k, false) {
			continue
		}
		if o.Type != nil {
			// lookupKeyReadWithFlags(LOOKUP_NOTOUCH): stats, keymiss, and an expired key
			// is deleted here whatever the type asked for, then is of type "none".
			typ := "none"
			if ent := db.lookup(k, lookupNoTouch, false); ent != nil {
				typ = ent.Value.typ.String()
			}
			if !EqualFold(o.Type, typ) {
				continue
			}
		}
		if db.expires.Len() > 0 && db.isExpired(k) {
			kc := CopyBytes(k)
			db.deleteExpired(kc)
			continue
		}
		out = append(out, k)
	}
	x.WriteScanReply(cursor, out)
}
