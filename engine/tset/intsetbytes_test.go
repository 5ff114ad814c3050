package tset_test

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/stretchr/testify/require"
)

// dumpIntset extracts the intset blob from a DUMP payload of an intset-encoded set
// (RDB_TYPE_SET_INTSET, then the blob as an uncompressed RDB string).
func dumpIntset(t *testing.T, payload []byte) []byte {
	t.Helper()
	require.GreaterOrEqual(t, len(payload), 1+1+10)
	require.EqualValues(t, 11, payload[0], "RDB_TYPE_SET_INTSET")
	b := payload[1 : len(payload)-10]
	var n, hdr int
	switch b[0] >> 6 {
	case 0:
		n, hdr = int(b[0]&0x3f), 1
	case 1:
		n, hdr = int(b[0]&0x3f)<<8|int(b[1]), 2
	default:
		require.EqualValues(t, 0x80, b[0], "32-bit length")
		n, hdr = int(binary.BigEndian.Uint32(b[1:])), 5
	}
	require.Equal(t, hdr+n, len(b))
	return b[hdr:]
}

// TestIntsetBytesAgainstRedis checks that an intset-encoded set holds exactly the bytes
// Redis holds (what DUMP and RDB carry), through upgrades, removals and STORE results.
func TestIntsetBytesAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.O.Do("CONFIG", "SET", "rdbcompression", "no")
	check := func(key string) {
		t.Helper()
		enc := p.O.Do("OBJECT", "ENCODING", key)
		require.Equal(t, "intset", string(enc.Str), key)
		want := dumpIntset(t, p.O.Do("DUMP", key).Str)
		p.H.E.Lock()
		o := p.H.E.DB(0).LookupReadNoTouch([]byte(key))
		require.NotNil(t, o)
		require.Equal(t, engine.EncIntset, o.Encoding())
		got := append([]byte(nil), tset.IntsetBytes(o)...)
		p.H.E.Unlock()
		require.Equal(t, want, got, key)
	}
	steps := []struct{ cmd, key string }{
		{"SADD s 3 1 2", "s"},
		{"SADD s 70000", "s"},
		{"SADD s -5000000000", "s"},
		{"SREM s 70000 -5000000000", "s"},
		{"SADD s -32768 32767", "s"},
		{"SADD n -1", "n"},
		{"SADD n -40000", "n"},
		{"SUNIONSTORE u s n", "u"},
		{"SINTERSTORE i s u", "i"},
		{"SDIFFSTORE d u n", "d"},
		{"SDIFFSTORE d2 n s", "d2"},
		{"SMOVE s m 1", "m"},
		{"SMOVE s m 9223372036854775807", "m"},
		{"SADD m 9223372036854775807 -9223372036854775808", "m"},
	}
	for _, s := range steps {
		p.Run(s.cmd)
		check(s.key)
	}
	// Random adds and removes over every width.
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		var b strings.Builder
		if rng.IntN(3) == 0 {
			b.WriteString("SREM r")
		} else {
			b.WriteString("SADD r")
		}
		for range 1 + rng.IntN(4) {
			var v int64
			switch rng.IntN(3) {
			case 0:
				v = int64(rng.IntN(200) - 100)
			case 1:
				v = int64(rng.IntN(200000) - 100000)
			default:
				v = rng.Int64() - 1<<62
			}
			b.WriteString(" " + strconv.FormatInt(v, 10))
		}
		p.Run(b.String())
		if i%10 == 0 {
			p.Run("SADD r 0")
			check("r")
		}
	}
}
