package tbits_test

import (
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/stretchr/testify/require"
)

func TestBitCommands(t *testing.T) {
	h := enginetest.New(t, families()...)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"SETBIT", "k", "1", "1"}, "(integer) 0"},
		{[]string{"SETBIT", "k", "7", "1"}, "(integer) 0"},
		{[]string{"GET", "k"}, `"A"`},
		{[]string{"OBJECT", "ENCODING", "k"}, `"raw"`},
		{[]string{"SETBIT", "k", "7", "1"}, "(integer) 1"},
		{[]string{"GETBIT", "k", "1"}, "(integer) 1"},
		{[]string{"GETBIT", "k", "2"}, "(integer) 0"},
		{[]string{"SETBIT", "k", "4294967296", "1"}, "(error) ERR bit offset is not an integer or out of range"},
		{[]string{"SETBIT", "k", "0", "2"}, "(error) ERR bit is not an integer or out of range"},
		{[]string{"SET", "s", "foobar"}, "OK"},
		{[]string{"BITCOUNT", "s"}, "(integer) 26"},
		{[]string{"BITCOUNT", "s", "1", "1"}, "(integer) 6"},
		{[]string{"BITCOUNT", "s", "5", "30", "BIT"}, "(integer) 17"},
		{[]string{"BITCOUNT", "s", "0"}, "(error) ERR syntax error"},
		{[]string{"BITPOS", "s", "0"}, "(integer) 0"},
		{[]string{"BITPOS", "s", "1", "2"}, "(integer) 17"},
		{[]string{"BITPOS", "s", "1", "7", "15", "BIT"}, "(integer) 9"},
		{[]string{"BITPOS", "s", "3"}, "(error) ERR The bit argument must be 1 or 0."},
		{[]string{"BITPOS", "nokey", "0"}, "(integer) 0"},
		{[]string{"BITPOS", "nokey", "1"}, "(integer) -1"},
		{[]string{"BITOP", "NOT", "d", "a", "b"}, "(error) ERR BITOP NOT must be called with a single source key."},
		{[]string{"BITOP", "AND", "d", "s", "k"}, "(integer) 6"},
		{[]string{"GET", "d"}, `"@\x00\x00\x00\x00\x00"`},
		{[]string{"BITOP", "OR", "d", "nokey"}, "(integer) 0"},
		{[]string{"EXISTS", "d"}, "(integer) 0"},
		{[]string{"BITFIELD", "bf", "SET", "i8", "0", "-100", "GET", "u8", "0", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "-100"}, "1) (integer) 0\n2) (integer) 156\n3) (nil)"},
		{[]string{"BITFIELD", "bf", "GET", "u64", "0"}, "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."},
		{[]string{"BITFIELD_RO", "bf", "INCRBY", "u8", "0", "1"}, "(error) ERR BITFIELD_RO only supports the GET subcommand"},
		{[]string{"BITFIELD_RO", "bf", "GET", "i8", "#0"}, "1) (integer) -100"},
		{[]string{"MSET", "l1", "ohmytext", "l2", "mynewtext"}, "OK"},
		{[]string{"LCS", "l1", "l2"}, `"mytext"`},
		{[]string{"LCS", "l1", "l2", "LEN"}, "(integer) 6"},
		{[]string{"LCS", "l1", "l2", "LEN", "IDX"}, "(error) ERR If you want both the length and indexes, please just use IDX."},
		{[]string{"LCS", "l1", "l2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}, "1) \"matches\"\n2) 1) 1) 1) (integer) 4\n         2) (integer) 7\n      2) 1) (integer) 5\n         2) (integer) 8\n      3) (integer) 4\n3) \"len\"\n4) (integer) 6"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, h.Text(c.args...), "%v", c.args)
	}
	h.SetProto(3)
	v := h.Do("LCS", "l1", "l2", "IDX")
	require.Equal(t, "map", v.Type.String())
}

// TestLCSMemoryLimit checks the proto-max-bulk-len guard on the transient table, which
// fires before anything is allocated.
func TestLCSMemoryLimit(t *testing.T) {
	p := newPair(t)
	big := strings.Repeat("ab", 6000)
	p.Check([]string{"SET", "a", big})
	p.Check([]string{"SET", "b", big + "c"})
	p.Check([]string{"LCS", "a", "b", "LEN"})
	p.Check([]string{"LCS", "a", "b"})
	p.Check([]string{"LCS", "a", "b", "IDX", "LEN"})
	p.Check([]string{"SET", "b", "x"})
	p.Check([]string{"LCS", "a", "b", "IDX", "WITHMATCHLEN"})
}
