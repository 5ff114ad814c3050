package resp

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriterReplies(t *testing.T) {
	tests := []struct {
		name  string
		fn    func(w *Writer)
		resp2 string
		resp3 string // "" means same as resp2
	}{
		{"simple", func(w *Writer) { w.WriteSimpleString("PONG") }, "+PONG\r\n", ""},
		{"ok", func(w *Writer) { w.WriteOK() }, "+OK\r\n", ""},
		{"error", func(w *Writer) { w.WriteError("ERR syntax error") }, "-ERR syntax error\r\n", ""},
		{"wrongtype", func(w *Writer) { w.WriteError("WRONGTYPE Operation against a key holding the wrong kind of value") },
			"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
		{"error dash", func(w *Writer) { w.WriteError("-NOSCRIPT x") }, "-NOSCRIPT x\r\n", ""},
		{"error newline", func(w *Writer) { w.WriteError("ERR a\r\nb") }, "-ERR a  b\r\n", ""},
		{"error empty", func(w *Writer) { w.WriteError("") }, "-ERR \r\n", ""},
		{"int", func(w *Writer) { w.WriteInt(-42) }, ":-42\r\n", ""},
		{"int min", func(w *Writer) { w.WriteInt(math.MinInt64) }, ":-9223372036854775808\r\n", ""},
		{"bulk", func(w *Writer) { w.WriteBulk([]byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", ""},
		{"bulk empty", func(w *Writer) { w.WriteBulk(nil) }, "$0\r\n\r\n", ""},
		{"bulk string", func(w *Writer) { w.WriteBulkString("hey") }, "$3\r\nhey\r\n", ""},
		{"bulk int", func(w *Writer) { w.WriteBulkInt(-1234) }, "$5\r\n-1234\r\n", ""},
		{"null", func(w *Writer) { w.WriteNull() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.WriteNullArray() }, "*-1\r\n", "_\r\n"},
		{"array", func(w *Writer) { w.WriteArrayLen(2); w.WriteInt(1); w.WriteBulkString("x") }, "*2\r\n:1\r\n$1\r\nx\r\n", ""},
		{"map", func(w *Writer) { w.WriteMapLen(1); w.WriteBulkString("k"); w.WriteInt(1) }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"set", func(w *Writer) { w.WriteSetLen(1); w.WriteBulkString("a") }, "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n"},
		{"push", func(w *Writer) { w.WritePushLen(1); w.WriteBulkString("message") }, "*1\r\n$7\r\nmessage\r\n", ">1\r\n$7\r\nmessage\r\n"},
		{"double", func(w *Writer) { w.WriteDouble(1.1) }, "$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n"},
		{"double int", func(w *Writer) { w.WriteDouble(3) }, "$1\r\n3\r\n", ",3\r\n"},
		{"double exp", func(w *Writer) { w.WriteDouble(1e20) }, "$5\r\n1e+20\r\n", ",1e+20\r\n"},
		{"double small", func(w *Writer) { w.WriteDouble(1e-5) }, "$22\r\n1.0000000000000001e-05\r\n", ",1.0000000000000001e-05\r\n"},
		{"double negzero", func(w *Writer) { w.WriteDouble(math.Copysign(0, -1)) }, "$2\r\n-0\r\n", ",-0\r\n"},
		{"double inf", func(w *Writer) { w.WriteDouble(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
		{"double -inf", func(w *Writer) { w.WriteDouble(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"double nan", func(w *Writer) { w.WriteDouble(math.NaN()) }, "$3\r\nnan\r\n", ",nan\r\n"},
		{"double text", func(w *Writer) { w.WriteDoubleText([]byte("10.5")) }, "$4\r\n10.5\r\n", ",10.5\r\n"},
		{"bool", func(w *Writer) { w.WriteBool(true); w.WriteBool(false) }, ":1\r\n:0\r\n", "#t\r\n#f\r\n"},
		{"bignum", func(w *Writer) { w.WriteBigNumber("12345678901234567890") }, "$20\r\n12345678901234567890\r\n", "(12345678901234567890\r\n"},
		{"verbatim", func(w *Writer) { w.WriteVerbatim("txt", []byte("hi")) }, "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"},
		{"raw", func(w *Writer) { w.WriteRaw([]byte("+QUEUED\r\n")) }, "+QUEUED\r\n", ""},
	}
	for _, tc := range tests {
		for _, proto := range []int{2, 3} {
			var out bytes.Buffer
			w := NewWriter(&out)
			w.SetProtocol(proto)
			tc.fn(w)
			require.NoError(t, w.Flush())
			want := tc.resp2
			if proto == 3 && tc.resp3 != "" {
				want = tc.resp3
			}
			assert.Equal(t, want, out.String(), "%s RESP%d", tc.name, proto)
			assert.Zero(t, w.Buffered())
		}
	}
}

func TestWriterDeferred(t *testing.T) {
	for _, proto := range []int{2, 3} {
		var out bytes.Buffer
		w := NewWriter(&out)
		w.SetProtocol(proto)
		w.WriteSimpleString("before")
		outer := w.WriteDeferredLen()
		for i := 0; i < 3; i++ {
			inner := w.WriteDeferredLen()
			for j := 0; j < 12; j++ {
				w.WriteInt(int64(j))
			}
			w.SetArrayLen(inner, 12)
		}
		m := w.WriteDeferredLen()
		w.WriteBulkString("k")
		w.WriteBulkString("v")
		w.SetMapLen(m, 1)
		w.SetArrayLen(outer, 4)
		s := w.WriteDeferredLen() // out of order with the next one
		e := w.WriteDeferredLen()
		w.SetArrayLen(s, 1) // s holds e's empty array
		w.SetSetLen(e, 0)
		require.NoError(t, w.Flush())

		var want []byte
		want = AppendSimpleString(want, "before")
		want = AppendArrayLen(want, 4)
		for i := 0; i < 3; i++ {
			want = AppendArrayLen(want, 12)
			for j := 0; j < 12; j++ {
				want = AppendInt(want, int64(j))
			}
		}
		if proto == 3 {
			want = append(want, "%1\r\n"...)
		} else {
			want = append(want, "*2\r\n"...)
		}
		want = AppendBulkString(AppendBulkString(want, "k"), "v")
		want = append(want, "*1\r\n"...)
		if proto == 3 {
			want = append(want, "~0\r\n"...)
		} else {
			want = append(want, "*0\r\n"...)
		}
		assert.Equal(t, string(want), out.String(), "RESP%d", proto)
	}
}

// TestWriterDeferredFlushHoldsBack: Flush writes only up to the first open
// deferred length.
func TestWriterDeferredFlushHoldsBack(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.WriteOK()
	d := w.WriteDeferredLen()
	w.WriteInt(1)
	require.NoError(t, w.Flush())
	assert.Equal(t, "+OK\r\n", out.String())
	w.SetArrayLen(d, 1)
	require.NoError(t, w.Flush())
	assert.Equal(t, "+OK\r\n*1\r\n:1\r\n", out.String())
	assert.Zero(t, w.Buffered())
}

func TestWriterDeferredBadHandle(t *testing.T) {
	w := NewWriter(&bytes.Buffer{})
	d := w.WriteDeferredLen()
	w.SetArrayLen(d, 0)
	w.SetArrayLen(d, 0)
	assert.Error(t, w.Flush())
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("broken pipe")
	}
	f.n--
	return len(p), nil
}

func TestWriterStickyError(t *testing.T) {
	fw := &failWriter{n: 1}
	w := NewWriter(fw)
	w.WriteOK()
	require.NoError(t, w.Flush())
	w.WriteOK()
	err := w.Flush()
	require.Error(t, err)
	w.WriteBulk(make([]byte, 1000))
	assert.Zero(t, w.Buffered()-len("+OK\r\n"), "nothing appended after the error")
	assert.Same(t, err, w.Flush())
	assert.Same(t, err, w.Err())
	w.Reset(&bytes.Buffer{})
	assert.NoError(t, w.Err())
}

func TestWriterShortWrite(t *testing.T) {
	w := NewWriter(writerFunc(func(p []byte) (int, error) { return len(p) - 1, nil }))
	w.WriteOK()
	assert.Error(t, w.Flush())
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestWriterReleasesBigBuffer(t *testing.T) {
	w := NewWriter(&bytes.Buffer{})
	w.WriteBulk(make([]byte, 1<<20))
	assert.Greater(t, w.Buffered(), 1<<20)
	require.NoError(t, w.Flush())
	assert.LessOrEqual(t, cap(w.buf), releaseAbove)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestWriterZeroAlloc(t *testing.T) {
	w := NewWriter(discard{})
	val := []byte("0123456789abcdef")
	for _, proto := range []int{2, 3} {
		w.SetProtocol(proto)
		allocs := testing.AllocsPerRun(1000, func() {
			w.WriteOK()
			w.WriteInt(123456)
			w.WriteBulk(val)
			w.WriteBulkString("hello")
			w.WriteBulkInt(-5)
			w.WriteNull()
			w.WriteDouble(3.14)
			w.WriteBool(true)
			w.WriteError("ERR no")
			d := w.WriteDeferredLen()
			w.WriteMapLen(2)
			w.SetArrayLen(d, 1)
			_ = w.Flush()
		})
		assert.Zero(t, allocs, "RESP%d", proto)
	}
}

func TestAppendCommand(t *testing.T) {
	got := AppendCommand(nil, []byte("SET"), []byte("k"), []byte(""))
	assert.Equal(t, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", string(got))
	assert.Equal(t, string(got), string(AppendCommandString(nil, "SET", "k", "")))
}

// roomWriter takes at most room bytes per Write and then says ErrWouldBlock.
type roomWriter struct {
	out  []byte
	room int
}

func (w *roomWriter) Write(p []byte) (int, error) {
	n := min(len(p), w.room)
	w.out = append(w.out, p[:n]...)
	if n < len(p) {
		return n, ErrWouldBlock
	}
	return n, nil
}

// ErrWouldBlock from the destination keeps the unwritten rest for the next Flush.
func TestWriterFlushWouldBlockKeepsRest(t *testing.T) {
	dst := &roomWriter{room: 5}
	var w Writer
	w.Reset(dst)
	w.WriteBulkString("hello world")
	want := "$11\r\nhello world\r\n"
	flushes := 0
	for {
		err := w.Flush()
		flushes++
		if err == nil {
			break
		}
		require.ErrorIs(t, err, ErrWouldBlock)
		require.Nil(t, w.Err(), "ErrWouldBlock must not be sticky")
		require.Less(t, flushes, 10)
	}
	assert.Equal(t, want, string(dst.out))
	assert.Equal(t, 0, w.Buffered())
	assert.Equal(t, 4, flushes)
}
