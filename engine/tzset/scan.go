package tzset

import (
	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/dict"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/resp"
)

type dictEntry = dict.Entry[*znode]

// cmdZScan is zscanCommand + scanGenericCommand: the cursor is parsed first, then the key
// is looked up (a missing key answers an empty scan whatever the options), then the
// options. A listpack is returned whole with cursor 0, scores as stored (integer or text);
// a skiplist is scanned through its dict, scores formatted with "%.17g".
func cmdZScan(x *engine.Ctx) {
	if _, ok := engine.ParseCursor(x.Args[2]); !ok {
		x.Error("ERR invalid cursor")
		return
	}
	o, ok := lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.WriteScanReply(0, nil)
		return
	}
	opts, ok := x.ParseScanOpts(2, false)
	if !ok {
		return
	}
	var out [][]byte
	var cursor uint64
	if o.Encoding() == engine.EncListpack {
		lp := o.Bytes()
		out = make([][]byte, 0, listpack.Len(lp))
		var buf [24]byte
		for off := listpack.First(lp); off >= 0; off = zzlNext(lp, off) {
			m := lpMember(lp, off, buf[:0])
			if opts.Match != nil && !engine.Match(opts.Match, m, false) {
				continue
			}
			out = append(out, engine.CopyBytes(m), engine.CopyBytes(lpMember(lp, listpack.Next(lp, off), buf[:0])))
		}
	} else {
		d := zsOf(o).dict
		cursor = opts.Cursor
		out = make([][]byte, 0, 2*min(opts.Count, d.Len()))
		collected := 0 // Redis counts member and score before filtering
		maxIter := opts.Count * 10
		for {
			cursor = d.Scan(cursor, func(e *dictEntry) {
				collected += 2
				m := unsafeBytes(e.Key)
				if opts.Match != nil && !engine.Match(opts.Match, m, false) {
					return
				}
				out = append(out, m, resp.AppendDoubleText(nil, e.Value.score))
			})
			if cursor == 0 || maxIter == 0 {
				break
			}
			maxIter--
			if collected >= opts.Count {
				break
			}
		}
	}
	x.WriteScanReply(cursor, out)
}
