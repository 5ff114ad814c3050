package tzset_test

import (
	"strconv"
	"unsafe"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/rdb/intset"
)

// A minimal stand-in for the set family, enough for SADD-built inputs of ZUNION/ZINTER/
// ZDIFF: intset while every member is an integer (as Redis 7.0), else a "hashtable" held
// as a Go map, exposed through tzset.RegisterSetReader.

type fakeSet struct {
	m     map[string]struct{}
	order []string
}

func fakeSetOf(o *engine.Object) *fakeSet { return (*fakeSet)(o.Ptr()) }

func init() {
	tzset.RegisterSetReader(&tzset.SetReader{
		Len: func(o *engine.Object) int { return len(fakeSetOf(o).m) },
		Each: func(o *engine.Object, fn func([]byte) bool) {
			for _, k := range fakeSetOf(o).order {
				if !fn([]byte(k)) {
					return
				}
			}
		},
		Contains: func(o *engine.Object, m []byte) bool {
			_, ok := fakeSetOf(o).m[string(m)]
			return ok
		},
	})
	if engine.OpsFor(engine.TypeSet) == nil {
		engine.RegisterType(engine.TypeSet, &engine.TypeOps{
			Len: func(o *engine.Object) int {
				if o.Encoding() == engine.EncIntset {
					return intset.Len(o.Bytes())
				}
				return len(fakeSetOf(o).m)
			},
		})
	}
}

func fakeSetCommands() []*engine.Command {
	return []*engine.Command{{Name: "sadd", Arity: -3, Flags: engine.FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, Fn: fakeSAdd}}
}

func fakeSAdd(x *engine.Ctx) {
	key := x.Args[1]
	o := x.DB.LookupWrite(key)
	if o != nil && o.Type() != engine.TypeSet {
		x.WrongType()
		return
	}
	if o == nil {
		o = x.DB.Add(key, engine.NewBytesObject(engine.TypeSet, engine.EncIntset, intset.New()))
	}
	added := 0
	for _, m := range x.Args[2:] {
		if o.Encoding() == engine.EncIntset {
			if v, ok := engine.ParseInt(m); ok && intset.Len(o.Bytes()) < x.E.Set.SetMaxIntsetEntries {
				is, ok := intset.Add(o.Bytes(), v)
				o.SetBytes(is)
				if ok {
					added++
				}
				continue
			}
			// Convert to the hashtable stand-in.
			fs := &fakeSet{m: map[string]struct{}{}}
			is := o.Bytes()
			for i := 0; i < intset.Len(is); i++ {
				k := strconv.FormatInt(intset.Get(is, i), 10)
				fs.m[k] = struct{}{}
				fs.order = append(fs.order, k)
			}
			o.SetPtr(engine.EncHashtable, unsafe.Pointer(fs))
		}
		fs := fakeSetOf(o)
		if _, ok := fs.m[string(m)]; !ok {
			fs.m[string(m)] = struct{}{}
			fs.order = append(fs.order, string(m))
			added++
		}
	}
	if added > 0 {
		x.SignalModified(key)
		x.Notify(engine.NotifySet, "sadd", key)
	}
	x.Dirty(int64(added))
	x.Int(int64(added))
}
