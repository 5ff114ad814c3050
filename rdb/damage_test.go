package rdb

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// drain decodes everything and returns the records seen and the error.
func drain(r io.Reader, opts *Options) (int, error) {
	d := NewDecoder(r, opts)
	n := 0
	for d.Next() {
		n++
		switch d.Kind() {
		case RecHashField, RecStreamField, RecAux:
			_ = d.Field()
		}
		_ = d.Value()
	}
	return n, d.Err()
}

// TestTruncationEveryOffset cuts corpus files at every byte (sampled for
// the larger ones) and requires ErrTruncated, never a panic, with the
// records before the cut delivered.
func TestTruncationEveryOffset(t *testing.T) {
	for _, path := range corpusFiles(t) {
		if isCorruptFixture(path) {
			continue
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		step := 1
		if len(data) > 8192 {
			step = len(data)/2000 + 1
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			full, err := drain(bytes.NewReader(data), nil)
			require.NoError(t, err)
			end := rdbLen(t, data) // some files carry bytes after the trailer
			for cut := 0; cut < end; cut += step {
				n, err := drain(bytes.NewReader(data[:cut]), &Options{BufferSize: 64})
				require.Error(t, err, "cut at %d", cut)
				require.ErrorIs(t, err, ErrTruncated, "cut at %d: %v", cut, err)
				require.NotErrorIs(t, err, ErrCorrupt)
				var e *Error
				require.True(t, errors.As(err, &e))
				require.LessOrEqual(t, e.Offset, int64(cut))
				require.Less(t, n, full)
			}
		})
	}
}

// TestBitFlips damages corpus files byte by byte: any outcome but a panic
// is fine, and every error is an *Error.
func TestBitFlips(t *testing.T) {
	for _, path := range corpusFiles(t) {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		if len(data) > 16384 {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			buf := make([]byte, len(data))
			for i := range data {
				for _, mask := range []byte{0x01, 0x80, 0xff} {
					copy(buf, data)
					buf[i] ^= mask
					for _, deep := range []bool{false, true} {
						_, err := drain(bytes.NewReader(buf), &Options{Deep: deep, BufferSize: 256, MaxLen: 1 << 20})
						if err != nil {
							var e *Error
							require.True(t, errors.As(err, &e), "flip %d^%#x: %T %v", i, mask, err, err)
						}
					}
				}
			}
		})
	}
}

// TestHostileReaders decodes through one-byte, half and error-at-EOF
// readers and small buffers: the records must be the same.
func TestHostileReaders(t *testing.T) {
	for _, path := range corpusFiles(t) {
		if isCorruptFixture(path) {
			continue
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		want := recordTrace(t, bytes.NewReader(data), nil)
		readers := map[string]func() io.Reader{
			"onebyte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
			"half":    func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
			"dataerr": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
		}
		for name, mk := range readers {
			for _, size := range []int{64, 100, 4096} {
				got := recordTrace(t, mk(), &Options{BufferSize: size})
				require.Equal(t, want, got, "%s %s buffer %d", filepath.Base(path), name, size)
			}
		}
	}
}

func recordTrace(t *testing.T, r io.Reader, opts *Options) []string {
	d := NewDecoder(r, opts)
	var out []string
	for d.Next() {
		s := d.Kind().String() + ":" + string(d.Key())
		switch d.Kind() {
		case RecHashField, RecStreamField, RecAux:
			s += ":" + string(d.Field()) + ":" + string(d.Value())
		case RecString, RecListElement, RecSetMember, RecZSetMember, RecFunction, RecModule:
			s += ":" + string(d.Value())
		}
		out = append(out, s)
	}
	require.NoError(t, d.Err())
	return out
}

func TestReaderErrorIsNotTruncation(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir(t), "redis", "encodings.rdb"))
	require.NoError(t, err)
	boom := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader(data[:100]), iotest.ErrReader(boom))
	_, err = drain(r, &Options{BufferSize: 64})
	require.ErrorIs(t, err, boom)
	require.NotErrorIs(t, err, ErrTruncated)
}

func TestLyingLengthsDoNotAllocate(t *testing.T) {
	// Tiny files claiming a 4 GB string, a huge LZF expansion and a 2 GB
	// listpack: each must fail as truncation without allocating the claim.
	cases := map[string][]byte{
		"raw":  append([]byte("REDIS0009\x00\x01k\x80\xff\xff\xff\xf0"), "abc"...),
		"lzf":  append([]byte("REDIS0009\x00\x01k\xc3\x02\x80\x1f\xff\xff\xff"), "abc"...),
		"blob": append([]byte("REDIS0009\x10\x01k\x80\x7f\xff\xff\xf0"), "abc"...),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := drain(bytes.NewReader(data), &Options{BufferSize: 64, MaxLen: 1 << 40})
			runtime.ReadMemStats(&after)
			require.Error(t, err)
			require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
		})
	}
}

func rdbLen(t *testing.T, data []byte) int {
	d := NewDecoder(bytes.NewReader(data), nil)
	for d.Next() {
	}
	require.NoError(t, d.Err())
	return int(d.InputOffset())
}
