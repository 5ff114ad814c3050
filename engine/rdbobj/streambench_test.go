package rdbobj_test

import (
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/stretchr/testify/require"
)

// benchStream builds a stream of n entries (3 fields each) with a group whose PEL holds a
// tenth of them, spread over 4 consumers, and returns it with its DUMP payload.
func benchStream(b *testing.B, n int) (*enginetest.Harness, []byte) {
	h := enginetest.New(b, families()...)
	for i := 1; i <= n; i++ {
		h.Do("XADD", "s", strconv.Itoa(i)+"-1", "name", "item-"+strconv.Itoa(i), "count", strconv.Itoa(i*7), "flag", "on")
	}
	h.Do("XGROUP", "CREATE", "s", "g", "0")
	for c := 0; c < 4; c++ {
		h.Do("XREADGROUP", "GROUP", "g", "c"+strconv.Itoa(c), "COUNT", strconv.Itoa(n/40), "STREAMS", "s", ">")
	}
	p := h.Do("DUMP", "s").Str
	require.NotEmpty(b, p)
	return h, p
}

func BenchmarkStreamDump(b *testing.B) {
	h, p := benchStream(b, 20000)
	o := h.E.DB(0).Keys().Get("s").Value
	s := rdbobj.NewSaver(true)
	buf := make([]byte, 0, len(p)*2)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if buf, err = s.AppendDump(buf[:0], &o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStreamRestore(b *testing.B) {
	h, p := benchStream(b, 20000)
	lc := rdbobj.ConfigFor(h.E, false)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rdbobj.RestorePayload(p, lc, false); err != nil {
			b.Fatal(err)
		}
	}
}
