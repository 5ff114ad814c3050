package rdb

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStreamedEqualsWhole: a value given element by element through
// BeginValue encodes to the same bytes as the whole value, when the whole
// value's order is the streamed order.
func TestStreamedEqualsWhole(t *testing.T) {
	bs := func(n int, f func(i int) string) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = []byte(f(i))
		}
		return out
	}
	cases := map[string]*Value{
		"list-small":  {Kind: KindList, List: bs(10, strconv.Itoa)},
		"list-big":    {Kind: KindList, List: bs(20000, func(i int) string { return fmt.Sprintf("element-%06d", i) })},
		"set-intset":  {Kind: KindSet, Set: bs(100, strconv.Itoa)},
		"set-big":     {Kind: KindSet, Set: bs(1000, func(i int) string { return "m" + strconv.Itoa(i) })},
		"hash-small":  {Kind: KindHash, Hash: []HashField{{Field: []byte("a"), Value: []byte("1")}}},
		"zset-small":  {Kind: KindZSet, ZSet: []ZMember{{[]byte("a"), 1}, {[]byte("b"), 0.5}}},
		"set-strings": {Kind: KindSet, Set: bs(50, func(i int) string { return "s" + strconv.Itoa(i) })},
	}
	hf := make([]HashField, 1000)
	for i := range hf {
		hf[i] = HashField{Field: []byte("f" + strconv.Itoa(i)), Value: []byte(strconv.Itoa(i))}
	}
	cases["hash-big"] = &Value{Kind: KindHash, Hash: hf}
	zm := make([]ZMember, 300)
	for i := range zm {
		zm[i] = ZMember{[]byte("m" + strconv.Itoa(i)), float64(300 - i)} // descending, as Redis saves
	}
	cases["zset-big"] = &Value{Kind: KindZSet, ZSet: zm}
	for name, v := range cases {
		for ver := MinWriteVersion; ver <= MaxWriteVersion; ver++ {
			for _, spill := range []int{0, 512} {
				t.Run(fmt.Sprintf("%s/v%d/spill%d", name, ver, spill), func(t *testing.T) {
					whole := encodeOne(t, ver, func(e *Encoder) error { return e.WriteValue(&Key{Name: []byte("k")}, v) })
					streamed := encodeOne(t, ver, func(e *Encoder) error {
						vw, err := e.BeginValue(&Key{Name: []byte("k")}, v.Kind)
						if err != nil {
							return err
						}
						switch v.Kind {
						case KindList:
							for _, x := range v.List {
								vw.Add(x)
							}
						case KindSet:
							for _, x := range v.Set {
								vw.Add(x)
							}
						case KindHash:
							for _, f := range v.Hash {
								vw.AddField(f.Field, f.Value, f.Expire)
							}
						case KindZSet:
							for _, m := range v.ZSet {
								vw.AddMember(m.Member, m.Score)
							}
						}
						return vw.Close()
					}, spill)
					require.Equal(t, whole, streamed)
				})
			}
		}
	}
}

func encodeOne(t *testing.T, ver int, f func(e *Encoder) error, spill ...int) []byte {
	var buf bytes.Buffer
	opts := &EncoderOptions{Version: ver, Ctime: 1}
	if len(spill) > 0 {
		opts.SpillThreshold = spill[0]
		opts.TempDir = t.TempDir()
	}
	e, err := NewEncoder(&buf, opts)
	require.NoError(t, err)
	require.NoError(t, f(e))
	require.NoError(t, e.Close())
	return buf.Bytes()
}

func TestEncoderStickyErrors(t *testing.T) {
	w := &failWriter{after: 0}
	e, err := NewEncoder(w, nil)
	require.NoError(t, err)
	noise := make([]byte, 200000)
	x := uint32(1)
	for i := range noise {
		x = x*1664525 + 1013904223
		noise[i] = byte(x >> 24)
	}
	big := &Value{Kind: KindString, String: noise}
	err = e.WriteValue(&Key{Name: []byte("k")}, big)
	require.Error(t, err)
	require.Equal(t, err, e.WriteValue(&Key{Name: []byte("k2")}, big))
	require.Equal(t, err, e.Close())
	_, err = NewEncoder(w, &EncoderOptions{Version: 13})
	require.ErrorIs(t, err, ErrVersion)
}

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, fmt.Errorf("disk full")
	}
	f.after--
	return len(p), nil
}

func TestEncoderChecksumAndAux(t *testing.T) {
	out := encodeOne(t, 10, func(e *Encoder) error {
		return e.WriteValue(&Key{Name: []byte("k"), Expire: 1700000000000, HasIdle: true, Idle: 5}, &Value{Kind: KindString, String: []byte("v")})
	})
	d := NewDecoder(bytes.NewReader(out), nil)
	aux := map[string]string{}
	for d.Next() {
		switch d.Kind() {
		case RecAux:
			aux[string(d.Field())] = string(d.Value())
		case RecKeyBegin:
			require.Equal(t, int64(1700000000000), d.Expire())
			require.Equal(t, int64(5), d.Idle())
		case RecEOF:
			require.Equal(t, ChecksumVerified, d.Checksum().Status)
		}
	}
	require.NoError(t, d.Err())
	require.Equal(t, map[string]string{"redis-ver": "7.0.15", "redis-bits": "64", "ctime": "1", "used-mem": "0", "aof-base": "0"}, aux)

	var buf bytes.Buffer
	e, _ := NewEncoder(&buf, &EncoderOptions{NoChecksum: true, Aux: []AuxField{{"redis-ver", "9.9.9"}, {"custom", "x"}}})
	require.NoError(t, e.Close())
	d = NewDecoder(bytes.NewReader(buf.Bytes()), nil)
	aux = map[string]string{}
	for d.Next() {
		if d.Kind() == RecAux {
			aux[string(d.Field())] = string(d.Value())
		}
		if d.Kind() == RecEOF {
			require.Equal(t, ChecksumDisabled, d.Checksum().Status)
		}
	}
	require.NoError(t, d.Err())
	require.Equal(t, "9.9.9", aux["redis-ver"])
	require.Equal(t, "x", aux["custom"])
}

func TestChecksumMismatch(t *testing.T) {
	out := encodeOne(t, 10, func(e *Encoder) error {
		return e.WriteValue(&Key{Name: []byte("k")}, &Value{Kind: KindString, String: []byte("v")})
	})
	out[len(out)-12] ^= 1 // inside the value... the key's last byte
	_, err := drain(bytes.NewReader(out), nil)
	require.ErrorIs(t, err, ErrChecksum)
	d := NewDecoder(bytes.NewReader(out), &Options{SkipChecksum: true})
	for d.Next() {
		if d.Kind() == RecEOF {
			require.Equal(t, ChecksumMismatch, d.Checksum().Status)
		}
	}
	require.NoError(t, d.Err())
}

// TestAsyncChecksum covers the CRC worker: a multi-megabyte file through
// small buffers verifies, and a flipped trailer is caught.
func TestAsyncChecksum(t *testing.T) {
	data, _ := writeModel(t, mixedModel(4<<20, 24), 10)
	for _, size := range []int{128 << 10, 1 << 20} {
		d := NewDecoder(bytes.NewReader(data), &Options{BufferSize: size})
		var cs Checksum
		for d.Next() {
			if d.Kind() == RecEOF {
				cs = d.Checksum()
			}
		}
		require.NoError(t, d.Err())
		require.Equal(t, ChecksumVerified, cs.Status)
	}
	bad := bytes.Clone(data)
	bad[len(bad)-3] ^= 0x10
	_, err := drain(bytes.NewReader(bad), &Options{BufferSize: 128 << 10})
	require.ErrorIs(t, err, ErrChecksum)
	// Abandoned midway: the worker is stopped by the cleanup, not leaked
	// into later tests (nothing to assert beyond not deadlocking).
	d := NewDecoder(bytes.NewReader(data), &Options{BufferSize: 128 << 10})
	for i := 0; i < 100000 && d.Next(); i++ {
	}
}
