package tstring_test

import (
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/stretchr/testify/require"
)

func TestStringCommands(t *testing.T) {
	h := enginetest.New(t, tstring.Commands())
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"SET", "k", "v"}, "OK"},
		{[]string{"GET", "k"}, `"v"`},
		{[]string{"SET", "k", "v2", "NX"}, "(nil)"},
		{[]string{"SET", "k", "v3", "XX", "GET"}, `"v"`},
		{[]string{"SET", "k", "v", "NX", "XX"}, "(error) ERR syntax error"},
		{[]string{"SET", "k", "v", "EX", "0"}, "(error) ERR invalid expire time in 'set' command"},
		{[]string{"SET", "k", "v", "EX", "x"}, "(error) ERR value is not an integer or out of range"},
		{[]string{"OBJECT", "ENCODING", "k"}, `"embstr"`},
		{[]string{"SET", "n", "12345"}, "OK"},
		{[]string{"OBJECT", "ENCODING", "n"}, `"int"`},
		{[]string{"INCR", "n"}, "(integer) 12346"},
		{[]string{"INCRBY", "n", "x"}, "(error) ERR value is not an integer or out of range"},
		{[]string{"DECRBY", "n", "-9223372036854775808"}, "(error) ERR decrement would overflow"},
		{[]string{"SET", "f", "0"}, "OK"},
		{[]string{"INCRBYFLOAT", "f", "0.1"}, `"0.1"`},
		{[]string{"INCRBYFLOAT", "f", "0.2"}, `"0.3"`},
		{[]string{"SET", "big", "10.5"}, "OK"},
		{[]string{"INCRBYFLOAT", "big", "1e300"}, ""},
		{[]string{"APPEND", "k", "xyz"}, "(integer) 5"},
		{[]string{"GET", "k"}, `"v3xyz"`},
		{[]string{"OBJECT", "ENCODING", "k"}, `"raw"`},
		{[]string{"GETRANGE", "k", "1", "-2"}, `"3xy"`},
		{[]string{"SETRANGE", "k", "7", "!"}, "(integer) 8"},
		{[]string{"GET", "k"}, `"v3xyz\x00\x00!"`},
		{[]string{"STRLEN", "n"}, "(integer) 5"},
		{[]string{"MSET", "a", "1", "b"}, "(error) ERR wrong number of arguments for 'mset' command"},
		{[]string{"MSETNX", "a", "1", "k", "2"}, "(integer) 0"},
		{[]string{"MGET", "a", "k", "n"}, "1) (nil)\n2) \"v3xyz\\x00\\x00!\"\n3) \"12346\""},
		{[]string{"GETDEL", "n"}, `"12346"`},
		{[]string{"EXISTS", "n"}, "(integer) 0"},
		{[]string{"SETEX", "t", "100", "v"}, "OK"},
		{[]string{"TTL", "t"}, "(integer) 100"},
		{[]string{"GETEX", "t", "PERSIST"}, `"v"`},
		{[]string{"TTL", "t"}, "(integer) -1"},
		{[]string{"LPUSH", "t", "v"}, "(error) ERR unknown command 'LPUSH', with args beginning with: 't' 'v' "},
	}
	for _, c := range cases {
		got := h.Text(c.args...)
		if c.want == "" {
			continue
		}
		require.Equal(t, c.want, got, "%v", c.args)
	}
	// Lazy expiry.
	h.Do("SET", "e", "v", "PX", "100")
	h.Advance(200 * time.Millisecond)
	require.Equal(t, "(nil)", h.Text("GET", "e"))
	require.Equal(t, "(integer) 4", h.Text("DBSIZE"))
}

// TestOverwriteAllocatesNothing: SET and MSET of a value the size of the one they
// replace reuse its buffer (GETSET too, but its propagated rewrite allocates); the reads
// after them see the new bytes.
func TestOverwriteAllocatesNothing(t *testing.T) {
	b := enginetest.NewBench(tstring.Commands())
	cmds := [][][]byte{
		{[]byte("SET"), []byte("k"), []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")},
		{[]byte("SET"), []byte("k"), []byte("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210")},
		{[]byte("SET"), []byte("e"), []byte("embstr-1")},
		{[]byte("GETSET"), []byte("e"), []byte("embstr-2")},
		{[]byte("MSET"), []byte("e"), []byte("emb-3"), []byte("k"), []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")},
	}
	for _, c := range cmds {
		b.Exec(c)
	}
	for _, c := range cmds {
		if string(c[0]) != "GETSET" {
			require.Zero(t, testing.AllocsPerRun(100, func() { b.Exec(c) }), "%s", c[0])
		}
	}

	h := enginetest.New(t, tstring.Commands())
	for _, c := range cmds {
		args := make([]string, len(c))
		for i, a := range c {
			args[i] = string(a)
		}
		h.Text(args...)
	}
	require.Equal(t, `"emb-3"`, h.Text("GET", "e"))
	require.Equal(t, `"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"`, h.Text("GET", "k"))
	require.Equal(t, `"embstr"`, h.Text("OBJECT", "ENCODING", "e"))
	require.Equal(t, `"raw"`, h.Text("OBJECT", "ENCODING", "k"))
}
