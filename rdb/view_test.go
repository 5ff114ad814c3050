package rdb

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// TestViewsAcrossBuffers covers the records whose strings come back as
// views of the read buffer (plain hash fields and values, set and zset
// members, string values): whatever the buffer size and however the
// source splits its reads (buffer compaction, the CRC worker's buffer
// swap), every record reads the same as through one large buffer.
func TestViewsAcrossBuffers(t *testing.T) {
	m := &fileModel{}
	long := func(i int) string { return strings.Repeat("compressible-"+strconv.Itoa(i%7), 3+i%5) }
	for i := 0; i < 400; i++ {
		key := []byte("key:" + strconv.Itoa(i))
		var v *Value
		switch i % 4 {
		case 0:
			h := make([]HashField, 600)
			for j := range h {
				f, val := "f"+strconv.Itoa(j), "v"+strconv.Itoa(i*j)+strings.Repeat("x", j%40)
				switch j % 5 {
				case 1:
					val = strconv.Itoa(j * 1000) // integer encoded
				case 2:
					val = long(j) // LZF
				case 3:
					f = long(j) + f
				}
				h[j] = HashField{Field: []byte(f), Value: []byte(val)}
			}
			v = &Value{Kind: KindHash, Hash: h}
		case 1:
			z := make([]ZMember, 300)
			for j := range z {
				mem := "m" + strconv.Itoa(j) + strings.Repeat("y", j%90)
				if j%3 == 0 {
					mem = long(j) + strconv.Itoa(j)
				}
				z[j] = ZMember{Member: []byte(mem), Score: float64(j) / 7}
			}
			v = &Value{Kind: KindZSet, ZSet: z}
		case 2:
			s := make([][]byte, 700)
			for j := range s {
				s[j] = []byte("member:" + strconv.Itoa(j) + strings.Repeat("z", j%50))
			}
			v = &Value{Kind: KindSet, Set: s}
		default:
			str := strings.Repeat("s", i%300)
			if i%8 == 3 {
				str = long(i)
			}
			v = &Value{Kind: KindString, String: []byte(str)}
		}
		m.Keys = append(m.Keys, fileKey{DB: 0, Key: key, Expire: -1, Value: v})
	}
	for _, version := range []int{7, 10} {
		data, _ := writeModel(t, m, version)
		want := recordTrace(t, bytes.NewReader(data), &Options{BufferSize: len(data) + 64})
		require.Greater(t, len(want), 100000)
		readers := map[string]func() io.Reader{
			"whole":   func() io.Reader { return bytes.NewReader(data) },
			"half":    func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
			"onebyte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
		}
		for name, mk := range readers {
			for _, size := range []int{64, 100, 333, 4096, 128 << 10, 0} {
				if name == "onebyte" && size > 4096 {
					continue
				}
				got := recordTrace(t, mk(), &Options{BufferSize: size})
				require.Equal(t, want, got, "version %d, %s reads, buffer %d", version, name, size)
			}
		}
	}
}
