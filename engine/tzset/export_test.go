package tzset_test

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/stretchr/testify/require"
)

// dumpLP extracts the listpack of an uncompressed DUMP of a listpack-encoded sorted set.
func dumpLP(t *testing.T, payload []byte) []byte {
	t.Helper()
	require.Equal(t, byte(17), payload[0], "RDB_TYPE_ZSET_LISTPACK")
	b := payload[1:]
	var n uint64
	switch b[0] >> 6 {
	case 0:
		n, b = uint64(b[0]&0x3f), b[1:]
	case 1:
		n, b = uint64(b[0]&0x3f)<<8|uint64(b[1]), b[2:]
	default:
		require.Equal(t, byte(0x80), b[0])
		n, b = uint64(binary.BigEndian.Uint32(b[1:])), b[5:]
	}
	return append([]byte(nil), b[:n]...)
}

func pairsOf(o *engine.Object) []tzset.Pair {
	var out []tzset.Pair
	tzset.Ascend(o, func(m []byte, s float64) bool {
		out = append(out, tzset.Pair{Member: append([]byte(nil), m...), Score: s})
		return true
	})
	return out
}

func TestExportedBuildersAgainstRedis(t *testing.T) {
	o := enginetest.NewOracle(t, redistest.WithArgs("--enable-debug-command", "yes", "--rdbcompression", "no"))
	set := engine.DefaultSettings()
	add := func(key string, n int, prefix string) []tzset.Pair {
		args := []string{"ZADD", key}
		var pairs []tzset.Pair
		for i := n; i >= 1; i-- { // given in reverse: the loader must sort
			s := float64(i) / 4
			args = append(args, strconv.FormatFloat(s, 'g', -1, 64), prefix+strconv.Itoa(i))
			pairs = append(pairs, tzset.Pair{Member: []byte(prefix + strconv.Itoa(i)), Score: s})
		}
		require.Equal(t, strconv.Itoa(n), o.Do(args...).String()[len("(integer) "):])
		return pairs
	}
	// FromPairs reproduces what Redis holds after loading the same data from an RDB file.
	small := add("small", 100, "m")
	ints := add("ints", 10, "")
	big := add("big", 129, "m")
	long := append(add("long", 3, "m"), tzset.Pair{Member: []byte(string(make([]byte, 65))), Score: 0})
	o.Do("ZADD", "long", "0", string(make([]byte, 65)))
	require.Equal(t, "OK", o.Do("DEBUG", "RELOAD").String())
	for _, c := range []struct {
		key   string
		pairs []tzset.Pair
		enc   engine.Encoding
	}{{"small", small, engine.EncListpack}, {"ints", ints, engine.EncListpack},
		{"big", big, engine.EncSkiplist}, {"long", long, engine.EncSkiplist}} {
		obj, err := tzset.FromPairs(&set, c.pairs)
		require.NoError(t, err)
		require.Equal(t, c.enc, obj.Encoding(), c.key)
		require.Equal(t, `"`+c.enc.String()+`"`, o.Do("OBJECT", "ENCODING", c.key).String())
		require.Equal(t, len(c.pairs), tzset.Len(&obj))
		if c.enc == engine.EncListpack {
			want := dumpLP(t, []byte(o.Do("DUMP", c.key).Str))
			require.Equal(t, want, tzset.ListpackBytes(&obj), c.key)
		} else {
			require.Nil(t, tzset.ListpackBytes(&obj))
		}
		// Ascend gives ZRANGE's order.
		got := pairsOf(&obj)
		v := o.Do("ZRANGE", c.key, "0", "-1", "WITHSCORES")
		require.Len(t, v.Elems, 2*len(got))
		for i, p := range got {
			require.Equal(t, string(v.Elems[2*i].Str), string(p.Member))
			s, _ := strconv.ParseFloat(string(v.Elems[2*i+1].Str), 64)
			require.Equal(t, s, p.Score)
		}
		// Descend is the reverse.
		var rev []string
		tzset.Descend(&obj, func(m []byte, _ float64) bool { rev = append(rev, string(m)); return true })
		for i := range rev {
			require.Equal(t, string(got[len(got)-1-i].Member), rev[i])
		}
	}
	// FromListpack takes Redis's bytes as they are, and converts above the entry limit.
	lp := dumpLP(t, []byte(o.Do("DUMP", "small").Str))
	obj, err := tzset.FromListpack(&set, append([]byte(nil), lp...))
	require.NoError(t, err)
	require.Equal(t, engine.EncListpack, obj.Encoding())
	require.Equal(t, lp, tzset.ListpackBytes(&obj))
	require.Equal(t, pairsOf(&obj)[:3], pairsOf(func() *engine.Object { x, _ := tzset.FromPairs(&set, small); return &x }())[:3])
	o.Do("CONFIG", "SET", "zset-max-listpack-entries", "1000")
	add("biglp", 300, "k")
	lp = dumpLP(t, []byte(o.Do("DUMP", "biglp").Str))
	obj, err = tzset.FromListpack(&set, lp)
	require.NoError(t, err)
	require.Equal(t, engine.EncSkiplist, obj.Encoding())
	require.Equal(t, 300, tzset.Len(&obj))
	require.Equal(t, "k1", string(pairsOf(&obj)[0].Member))
}

func TestExportedBuilderErrors(t *testing.T) {
	set := engine.DefaultSettings()
	_, err := tzset.FromPairs(&set, []tzset.Pair{{Member: []byte("a"), Score: 1}, {Member: []byte("a"), Score: 2}})
	require.ErrorIs(t, err, tzset.ErrDuplicate)
	_, err = tzset.FromPairs(&set, []tzset.Pair{{Member: []byte("a"), Score: math.NaN()}})
	require.Error(t, err)

	lp := listpack.New()
	_, err = tzset.FromListpack(&set, lp)
	require.ErrorIs(t, err, tzset.ErrBadListpack, "empty")
	lp = listpack.Append(listpack.New(), []byte("a"))
	_, err = tzset.FromListpack(&set, lp)
	require.ErrorIs(t, err, tzset.ErrBadListpack, "odd count")
	lp = listpack.Append(listpack.Append(listpack.New(), []byte("a")), []byte("x1"))
	_, err = tzset.FromListpack(&set, lp)
	require.ErrorIs(t, err, tzset.ErrBadListpack, "bad score")
	lp = listpack.Append(listpack.Append(listpack.New(), []byte("a")), []byte("nan"))
	_, err = tzset.FromListpack(&set, lp)
	require.ErrorIs(t, err, tzset.ErrBadListpack, "NaN score")
	lp = listpack.AppendInt(listpack.Append(listpack.AppendInt(listpack.Append(listpack.New(), []byte("a")), 1), []byte("a")), 2)
	_, err = tzset.FromListpack(&set, lp)
	require.ErrorIs(t, err, tzset.ErrDuplicate)
	good := listpack.AppendInt(listpack.Append(listpack.New(), []byte("a")), 1)
	_, err = tzset.FromListpack(&set, good[:len(good)-1])
	require.ErrorIs(t, err, tzset.ErrBadListpack, "truncated")
	obj, err := tzset.FromListpack(&set, good)
	require.NoError(t, err)
	require.Equal(t, 1, tzset.Len(&obj))
	require.True(t, errors.Is(err, nil))
}

func TestExportedHelpers(t *testing.T) {
	set := engine.DefaultSettings()
	for _, c := range []struct {
		score float64
		text  string
		n     int64
		isInt bool
	}{
		{1, "", 1, true}, {-0.0, "", 0, true}, {1.5, "1.5", 0, false}, {0.1, "0.10000000000000001", 0, false},
		{4611686018427387904, "", 4611686018427387904, true}, {4611686018427387904 * 2, "9.2233720368547758e+18", 0, false},
		{math.Inf(1), "inf", 0, false}, {math.Inf(-1), "-inf", 0, false}, {1e20, "1e+20", 0, false},
	} {
		text, n, isInt := tzset.ListpackScore(nil, c.score)
		require.Equal(t, c.isInt, isInt, "%v", c.score)
		require.Equal(t, c.n, n, "%v", c.score)
		require.Equal(t, c.text, string(text), "%v", c.score)
	}
	require.True(t, tzset.FitsListpack(&set, 128, 64))
	require.False(t, tzset.FitsListpack(&set, 129, 1))
	require.False(t, tzset.FitsListpack(&set, 1, 65))

	// Dup is deep for both encodings; Ascend stops when asked.
	for _, n := range []int{10, 200} {
		var pairs []tzset.Pair
		for i := 0; i < n; i++ {
			pairs = append(pairs, tzset.Pair{Member: []byte("m" + strconv.Itoa(i)), Score: float64(i)})
		}
		obj, err := tzset.FromPairs(&set, pairs)
		require.NoError(t, err)
		cp := tzset.Dup(&obj)
		require.Equal(t, obj.Encoding(), cp.Encoding())
		require.Equal(t, pairsOf(&obj), pairsOf(&cp))
		seen := 0
		tzset.Ascend(&cp, func([]byte, float64) bool { seen++; return seen < 3 })
		require.Equal(t, 3, seen)
		seen = 0
		tzset.Descend(&cp, func([]byte, float64) bool { seen++; return seen < 2 })
		require.Equal(t, 2, seen)
		require.Equal(t, n, engine.OpsFor(engine.TypeZSet).Len(&cp))
	}
}
