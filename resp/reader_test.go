package resp

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll reads every command of input through wrap(reader) with
// ReadCommand and returns them with the error that ended the stream.
func readAll(t testing.TB, rd io.Reader, opts ...Option) ([][]string, error) {
	t.Helper()
	r := NewReader(rd, opts...)
	var out [][]string
	var args [][]byte
	for i := 0; i < 10000; i++ {
		var err error
		args, err = r.ReadCommand(args)
		if err != nil {
			return out, err
		}
		cmd := make([]string, len(args))
		for j, a := range args {
			cmd[j] = string(a)
		}
		out = append(out, cmd)
	}
	t.Fatal("too many commands")
	return nil, nil
}

func protoMsg(err error) string {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return pe.Reply()
	}
	if err == nil {
		return ""
	}
	return "<" + err.Error() + ">"
}

func TestReaderCommands(t *testing.T) {
	big := strings.Repeat("x", 100000)
	tests := []struct {
		name string
		in   string
		want [][]string
	}{
		{"multibulk", "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n", [][]string{{"ECHO", "hello"}}},
		{"empty bulk", "*2\r\n$3\r\nGET\r\n$0\r\n\r\n", [][]string{{"GET", ""}}},
		{"binary bulk", "*1\r\n$5\r\na\x00\r\nb\r\n", [][]string{{"a\x00\r\nb"}}},
		{"pipeline", "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\nPING\r\n", [][]string{{"PING"}, {"PING"}, {"PING"}}},
		{"zero count skipped", "*0\r\n*-5\r\n*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}}},
		{"unchecked newline and trailer", "*1\r\n$3\rXfooAB*1\r\n$4\r\nPING\r\n", [][]string{{"foo"}, {"PING"}}},
		{"big bulk", "*2\r\n$3\r\nSET\r\n$100000\r\n" + big + "\r\n", [][]string{{"SET", big}}},
		{"inline", "SET k v\r\n", [][]string{{"SET", "k", "v"}}},
		{"inline lf", "PING\n", [][]string{{"PING"}}},
		{"inline blanks", " \t PING \t\r\n", [][]string{{"PING"}}},
		{"empty lines skipped", "\r\n\n   \r\nPING\r\n", [][]string{{"PING"}}},
		{"inline double quotes", `ECHO "a b\n\r\t\b\a\x41\x4g\q\"" end` + "\r\n", [][]string{{"ECHO", "a b\n\r\t\b\aAx4gq\"", "end"}}},
		{"inline single quotes", `ECHO 'a\'b\n"'` + "\n", [][]string{{"ECHO", "a'b\\n\""}}},
		{"quote mid token", `SET k"ey" v''` + "\n", [][]string{{"SET", "key", "v"}}},
		{"empty quoted", `ECHO "" ''` + "\n", [][]string{{"ECHO", "", ""}}},
		{"vt ff inside token", "ECHO a\vb\fc\n", [][]string{{"ECHO", "a\vb\fc"}}},
		{"vt ff blanks", "\v\fPING\n", [][]string{{"PING"}}},
		{"cr splits", "ECHO a\rb\r\n", [][]string{{"ECHO", "a", "b"}}},
		{"quote then vt", "ECHO \"a\"\v\n", [][]string{{"ECHO", "a"}}},
		{"hex nul", `ECHO "\x00"` + "\n", [][]string{{"ECHO", "\x00"}}},
		{"mixed", "PING\r\n*1\r\n$4\r\nPING\r\nECHO x\n", [][]string{{"PING"}, {"PING"}, {"ECHO", "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(t, strings.NewReader(tc.in))
			assert.Equal(t, tc.want, got)
			assert.ErrorIs(t, err, io.EOF)
		})
	}
}

// TestReaderProtocolErrors pins every error path to Redis 7.0's exact text
// (networking.c); TestAgainstRedis checks the same table on a real server.
var protocolErrorCases = []struct {
	name string
	in   string
	want string // "" means: no error, the stream just needs more bytes
}{
	{"mbulk count not a number", "*x\r\n", "ERR Protocol error: invalid multibulk length"},
	{"mbulk count empty", "*\r\n", "ERR Protocol error: invalid multibulk length"},
	{"mbulk count plus sign", "*+1\r\n", "ERR Protocol error: invalid multibulk length"},
	{"mbulk count leading zero", "*01\r\n", "ERR Protocol error: invalid multibulk length"},
	{"mbulk count over INT_MAX", "*2147483648\r\n", "ERR Protocol error: invalid multibulk length"},
	{"mbulk count INT_MAX accepted", "*2147483647\r\n", ""},
	{"mbulk count 2M accepted", "*2000000\r\n", ""},
	{"mbulk count overflow", "*99999999999999999999\r\n", "ERR Protocol error: invalid multibulk length"},
	{"mbulk count too long", "*" + strings.Repeat("1", 65537), "ERR Protocol error: too big mbulk count string"},
	{"mbulk count 64KB waits", "*" + strings.Repeat("1", 65535), ""},
	{"expected dollar", "*1\r\nX3\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'X'"},
	{"expected dollar got cr", "*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '"},
	{"expected dollar got lf", "*1\r\n\n\r\n", "ERR Protocol error: expected '$', got ' '"},
	{"expected dollar got star", "*2\r\n$4\r\nPING\r\n*1\r\n", "ERR Protocol error: expected '$', got '*'"},
	{"bulk len negative", "*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"},
	{"bulk len not a number", "*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"},
	{"bulk len empty", "*1\r\n$\r\n", "ERR Protocol error: invalid bulk length"},
	{"bulk len plus", "*1\r\n$+4\r\nPING\r\n", "ERR Protocol error: invalid bulk length"},
	{"bulk len leading zero", "*1\r\n$04\r\nPING\r\n", "ERR Protocol error: invalid bulk length"},
	{"bulk len over max", "*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"},
	{"bulk len 4GB", "*1\r\n$4294967296\r\n", "ERR Protocol error: invalid bulk length"},
	{"bulk len max accepted", "*1\r\n$536870912\r\n", ""},
	{"bulk len too long", "*1\r\n$" + strings.Repeat("1", 65537), "ERR Protocol error: too big bulk count string"},
	{"inline too big", strings.Repeat("a", 65537), "ERR Protocol error: too big inline request"},
	{"inline 64KB waits", strings.Repeat("a", 65536), ""},
	{"unbalanced double", "ECHO \"a\r\n", "ERR Protocol error: unbalanced quotes in request"},
	{"unbalanced single", "ECHO 'a\n", "ERR Protocol error: unbalanced quotes in request"},
	{"closing double then byte", "PING \"a\"b\r\n", "ERR Protocol error: unbalanced quotes in request"},
	{"closing single then byte", "ECHO 'a'x\n", "ERR Protocol error: unbalanced quotes in request"},
	{"escaped closing double", "ECHO \"a\\\"\n", "ERR Protocol error: unbalanced quotes in request"},
	{"trailing backslash", "ECHO \"a\\\n", "ERR Protocol error: unbalanced quotes in request"},
	{"nul hides inline newline", "PI\x00NG\r\nPING\r\n", ""},
	{"nul hides length line", "*1\r\n$\x004\r\nPING\r\n", ""},
	{"nul in mbulk count", "*\x00\r\n", ""},
	{"error after good command", "*1\r\n$4\r\nPING\r\n*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"},
}

func TestReaderProtocolErrors(t *testing.T) {
	for _, tc := range protocolErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in))
			var args [][]byte
			var err error
			for {
				args, err = r.ReadCommand(args)
				if err != nil {
					break
				}
			}
			if tc.want == "" {
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "incomplete input must wait for more bytes")
				return
			}
			assert.Equal(t, tc.want, protoMsg(err))
			assert.ErrorIs(t, err, ErrCorrupt)
			// sticky
			_, err2 := r.ReadCommand(args)
			assert.Same(t, err, err2)
			_, ok, err3 := r.TryCommand(args)
			assert.False(t, ok)
			assert.Same(t, err, err3)
		})
	}
}

func TestReaderNulStuckThenTooBig(t *testing.T) {
	in := "PI\x00NG\r\n" + strings.Repeat("x", 65536)
	_, err := readAll(t, strings.NewReader(in))
	assert.Equal(t, "ERR Protocol error: too big inline request", protoMsg(err))
	in = "*1\r\n$\x00" + strings.Repeat("x", 65536)
	_, err = readAll(t, strings.NewReader(in))
	assert.Equal(t, "ERR Protocol error: too big bulk count string", protoMsg(err))
}

func TestReaderAuthRequired(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"*11\r\n", "ERR Protocol error: unauthenticated multibulk length"},
		{"*1\r\n$16385\r\n", "ERR Protocol error: unauthenticated bulk length"},
		{"*10\r\n", ""},
		{"*1\r\n$16384\r\n", ""},
	} {
		r := NewReader(strings.NewReader(tc.in))
		r.SetAuthRequired(true)
		_, err := r.ReadCommand(nil)
		if tc.want == "" {
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF, tc.in)
		} else {
			assert.Equal(t, tc.want, protoMsg(err), tc.in)
		}
	}
}

func TestReaderMaxBulkLen(t *testing.T) {
	r := NewReader(strings.NewReader("*1\r\n$11\r\nhello world\r\n"), WithMaxBulkLen(10))
	_, err := r.ReadCommand(nil)
	assert.Equal(t, "ERR Protocol error: invalid bulk length", protoMsg(err))
	r = NewReader(strings.NewReader("*1\r\n$10\r\nhello worl\r\n"), WithMaxBulkLen(10))
	args, err := r.ReadCommand(nil)
	require.NoError(t, err)
	assert.Equal(t, "hello worl", string(args[0]))
}

func TestReaderQueryBufferLimit(t *testing.T) {
	in := "*1\r\n$100000\r\n" + strings.Repeat("x", 100000)
	r := NewReader(strings.NewReader(in), WithMaxQueryBuffer(50000))
	_, err := r.ReadCommand(nil)
	assert.ErrorIs(t, err, ErrQueryBufferLimit)
}

// TestReaderTryCommandBatch checks the pipelining contract: after one
// ReadCommand, TryCommand yields the rest of the buffered commands without
// reading, and all their args stay valid together.
func TestReaderTryCommandBatch(t *testing.T) {
	var in []byte
	for i := 0; i < 10; i++ {
		in = AppendCommandString(in, "SET", "key", strings.Repeat(string(rune('a'+i)), 5))
	}
	in = append(in, "*2\r\n$3\r\nGET\r\n"...) // incomplete tail
	r := NewReader(bytes.NewReader(in))
	batch := make([][][]byte, 0, 16)
	first, err := r.ReadCommand(nil)
	require.NoError(t, err)
	batch = append(batch, first)
	for {
		next, ok, err := r.TryCommand(nil)
		require.NoError(t, err)
		if !ok {
			break
		}
		batch = append(batch, next)
	}
	require.Len(t, batch, 10)
	for i, c := range batch {
		assert.Equal(t, strings.Repeat(string(rune('a'+i)), 5), string(c[2]))
	}
	assert.Equal(t, len("*2\r\n$3\r\nGET\r\n"), r.Buffered())
	_, err = r.ReadCommand(nil)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// readerMakers are the hostile io.Readers of STYLE practice 11.
var readerMakers = []struct {
	name string
	fn   func(io.Reader) io.Reader
}{
	{"full", func(r io.Reader) io.Reader { return r }},
	{"onebyte", iotest.OneByteReader},
	{"half", iotest.HalfReader},
	{"dataerr", iotest.DataErrReader},
}

func TestReaderHostile(t *testing.T) {
	var pipeline []byte
	var want [][]string
	for i := 0; i < 50; i++ {
		v := strings.Repeat("v", i*997%40000)
		pipeline = AppendCommandString(pipeline, "SET", "k"+string(rune('a'+i%26)), v)
		want = append(want, []string{"SET", "k" + string(rune('a'+i%26)), v})
		pipeline = append(pipeline, "ECHO \"q\\x41\" 'z'\r\n"...)
		want = append(want, []string{"ECHO", "qA", "z"})
	}
	for _, rm := range readerMakers {
		for _, size := range []int{16, 64, 4096, defaultBufSize} {
			t.Run(rm.name, func(t *testing.T) {
				got, err := readAll(t, rm.fn(bytes.NewReader(pipeline)), WithBufferSize(size))
				assert.ErrorIs(t, err, io.EOF)
				assert.Equal(t, want, got)
			})
		}
	}
	// an error mid-stream comes back after the complete commands, and stays
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(bytes.NewReader(pipeline[:100]), iotest.ErrReader(boom)))
	var err error
	n := 0
	for ; err == nil; n++ {
		_, err = r.ReadCommand(nil)
	}
	assert.ErrorIs(t, err, boom)
	_, err = r.ReadCommand(nil)
	assert.ErrorIs(t, err, boom)
}

// slowReader hands out its bytes in chunks of n and counts reads.
type slowReader struct {
	data []byte
	n    int
}

func (s *slowReader) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), s.n, len(s.data))
	copy(p, s.data[:k])
	s.data = s.data[k:]
	return k, nil
}

// TestReaderHugeBulkLazy: a legal 512MB bulk announced but only partly
// sent must not make the reader allocate 512MB.
func TestReaderHugeBulkLazy(t *testing.T) {
	in := append([]byte("*1\r\n$536870912\r\n"), make([]byte, 1<<20)...)
	r := NewReader(&slowReader{data: in, n: 64 << 10})
	_, err := r.ReadCommand(nil)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.LessOrEqual(t, r.BufferCap(), 4<<20, "buffer grows with what arrived")
	assert.GreaterOrEqual(t, r.BufferCap(), 1<<20)
}

// TestReaderShrink: after a big argument, the buffer goes back to its
// normal size once small traffic resumes.
func TestReaderShrink(t *testing.T) {
	var in []byte
	in = AppendCommand(in, []byte("SET"), []byte("k"), bytes.Repeat([]byte("x"), 4<<20))
	for i := 0; i < 10; i++ {
		in = AppendCommandString(in, "PING")
	}
	sr := &slowReader{data: in, n: 1 << 20}
	r := NewReader(sr)
	args, err := r.ReadCommand(nil)
	require.NoError(t, err)
	assert.Len(t, args[2], 4<<20)
	assert.GreaterOrEqual(t, r.BufferCap(), 4<<20)
	sr.n = 16
	for i := 0; i < 10; i++ {
		args, err = r.ReadCommand(args)
		require.NoError(t, err)
		assert.Equal(t, "PING", string(args[0]))
	}
	assert.Equal(t, defaultBufSize, r.BufferCap())
}

func TestReaderReset(t *testing.T) {
	r := NewReader(strings.NewReader("*1\r\n$-1\r\n"))
	_, err := r.ReadCommand(nil)
	require.Error(t, err)
	r.Reset(strings.NewReader("PING\r\n"))
	args, err := r.ReadCommand(nil)
	require.NoError(t, err)
	assert.Equal(t, "PING", string(args[0]))
	assert.Equal(t, int64(6), r.Offset())
}

// repeatReader serves the same bytes forever.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.data[r.off:])
		n += k
		r.off = (r.off + k) % len(r.data)
	}
	return n, nil
}

func TestReaderZeroAlloc(t *testing.T) {
	for _, in := range []string{
		"*3\r\n$3\r\nSET\r\n$10\r\nkey:000001\r\n$16\r\n0123456789abcdef\r\n",
		"SET key:000001 \"0123456789\\x41bcdef\"\r\n",
	} {
		r := NewReader(&repeatReader{data: []byte(in)})
		args := make([][]byte, 0, 8)
		var err error
		allocs := testing.AllocsPerRun(10000, func() {
			args, err = r.ReadCommand(args)
			if err != nil || len(args) != 3 {
				t.Fatal(err, len(args))
			}
		})
		assert.Zero(t, allocs, in)
	}
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"   ", nil, true},
		{"a", []string{"a"}, true},
		{`"\x4"`, []string{"x4"}, true},
		{`"\xZZ"`, []string{"xZZ"}, true},
		{`"\x41\x42"c`, nil, false},
		{`'\\'`, nil, false}, // the second backslash escapes the quote
		{`"a"'b'`, nil, false},
		{`a"b c"d e`, nil, false},
		{`a"b c" e`, []string{"ab c", "e"}, true},
		{"\"a\"\t'b'\f", []string{"a", "b"}, true},
	} {
		got, ok := splitArgs(nil, []byte(tc.in))
		assert.Equal(t, tc.ok, ok, tc.in)
		if ok {
			var s []string
			for _, g := range got {
				s = append(s, string(g))
			}
			assert.Equal(t, tc.want, s, tc.in)
		}
	}
}

func TestPeek(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want []string // each command's peeked arguments joined by spaces, then "/argc"
	}{
		{"pipeline", "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$2\r\nbb\r\n$1\r\nx\r\n*1\r\n$4\r\nPING\r\n*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\nm\r\n$1\r\n2\r\n$1\r\nn\r\n", 16, []string{"SET bb x/3", "PING/1", "ZADD z 1 m/6"}},
		{"max", "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n*2\r\n$3\r\nGET\r\n$1\r\nc\r\n", 1, []string{"GET b/2"}},
		{"empty argument", "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$0\r\n\r\n", 16, []string{"GET /2"}},
		{"incomplete", "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$5\r\nab", 16, nil},
		{"inline stops", "*2\r\n$3\r\nGET\r\n$1\r\na\r\nGET b\r\n*2\r\n$3\r\nGET\r\n$1\r\nc\r\n", 16, nil},
		{"bad length stops", "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$-5\r\nc\r\n", 16, nil},
		{"huge length stops", "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$4294967296\r\nc\r\n", 16, nil},
		{"missing CRLF after bulk", "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nc", 16, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in))
			args, err := r.ReadCommand(nil)
			require.NoError(t, err)
			require.Equal(t, "GET", string(args[0]))
			before := r.Buffered()
			var got []string
			for _, p := range r.Peek(nil, tc.max) {
				var parts []string
				for _, a := range p.Args {
					if a != nil {
						parts = append(parts, string(a))
					}
				}
				got = append(got, strings.Join(parts, " ")+"/"+strconv.Itoa(p.Argc))
			}
			require.Equal(t, tc.want, got)
			require.Equal(t, before, r.Buffered(), "Peek must not consume")
		})
	}
}

// wouldBlockReader hands out its chunks one per Read and says ErrWouldBlock between them.
type wouldBlockReader struct {
	chunks []string
	ready  bool
}

func (r *wouldBlockReader) Read(p []byte) (int, error) {
	if !r.ready || len(r.chunks) == 0 {
		r.ready = true
		return 0, ErrWouldBlock
	}
	r.ready = false
	n := copy(p, r.chunks[0])
	r.chunks = r.chunks[1:]
	return n, nil
}

// A non-blocking source: ErrWouldBlock is not sticky and the partial command is kept.
func TestReadCommandWouldBlockResumes(t *testing.T) {
	src := &wouldBlockReader{chunks: []string{"*2\r\n$3\r\nGE", "T\r\n$1", "\r\nk\r\n"}}
	r := NewReader(src)
	var got [][]byte
	var err error
	blocked := 0
	for {
		got, err = r.ReadCommand(nil)
		if err != ErrWouldBlock {
			break
		}
		blocked++
		require.Less(t, blocked, 10)
	}
	require.NoError(t, err)
	require.Equal(t, []string{"GET", "k"}, []string{string(got[0]), string(got[1])})
	assert.Equal(t, 3, blocked)
	_, err = r.ReadCommand(nil)
	assert.ErrorIs(t, err, ErrWouldBlock)
}
