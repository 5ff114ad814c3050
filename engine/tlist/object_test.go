package tlist_test

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/rdb/listpack"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

func elements(ql *tlist.Quicklist) []string {
	var out []string
	ql.Each(func(s []byte, n int64, isInt bool) bool {
		if isInt {
			out = append(out, strconv.FormatInt(n, 10))
		} else {
			out = append(out, string(s))
		}
		return true
	})
	return out
}

func TestListCommandsTable(t *testing.T) {
	h := enginetest.New(t, tlist.Commands(), tstring.Commands())
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"RPUSH", "l", "a", "b", "c"}, "(integer) 3"},
		{[]string{"LPUSH", "l", "z"}, "(integer) 4"},
		{[]string{"OBJECT", "ENCODING", "l"}, `"quicklist"`},
		{[]string{"LRANGE", "l", "0", "-1"}, "1) \"z\"\n2) \"a\"\n3) \"b\"\n4) \"c\""},
		{[]string{"LINDEX", "l", "-1"}, `"c"`},
		{[]string{"LSET", "l", "9", "x"}, "(error) ERR index out of range"},
		{[]string{"LSET", "nokey", "0", "x"}, "(error) ERR no such key"},
		{[]string{"LPOP", "l", "2"}, "1) \"z\"\n2) \"a\""},
		{[]string{"LPOP", "l", "-1"}, "(error) ERR value is out of range, must be positive"},
		{[]string{"LPOP", "l", "1", "2"}, "(error) ERR wrong number of arguments for 'lpop' command"},
		{[]string{"LPOS", "l", "c", "RANK", "0"}, "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"},
		{[]string{"LPOS", "l", "c", "MAXLEN", "x"}, "(error) ERR MAXLEN can't be negative"},
		{[]string{"LMPOP", "0", "l", "LEFT"}, "(error) ERR numkeys should be greater than 0"},
		{[]string{"LMPOP", "1", "l", "LEFT", "COUNT", "0"}, "(error) ERR count should be greater than 0"},
		{[]string{"LMPOP", "1", "l", "RIGHT", "COUNT", "9"}, "1) \"l\"\n2) 1) \"c\"\n   2) \"b\""},
		{[]string{"EXISTS", "l"}, "(integer) 0"},
		{[]string{"LMPOP", "1", "l", "RIGHT"}, "(nil)"},
		{[]string{"SET", "s", "v"}, "OK"},
		{[]string{"LLEN", "s"}, "(error) WRONGTYPE Operation against a key holding the wrong kind of value"},
		{[]string{"RPUSH", "l", "1", "2"}, "(integer) 2"},
		{[]string{"LMOVE", "l", "s", "LEFT", "LEFT"}, "(error) WRONGTYPE Operation against a key holding the wrong kind of value"},
		{[]string{"LRANGE", "l", "0", "-1"}, "1) \"1\"\n2) \"2\""},
		{[]string{"COPY", "l", "l2"}, "(integer) 1"},
		{[]string{"LPUSH", "l2", "x"}, "(integer) 3"},
		{[]string{"LRANGE", "l", "0", "-1"}, "1) \"1\"\n2) \"2\""},
		{[]string{"LINSERT", "l", "AFTER", "2", "3"}, "(integer) 3"},
		{[]string{"LREM", "l", "-5", "1"}, "(integer) 1"},
		{[]string{"LTRIM", "l", "5", "1"}, "OK"},
		{[]string{"EXISTS", "l"}, "(integer) 0"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, h.Text(c.args...), "%v", c.args)
	}
}

func TestBuildAndWalk(t *testing.T) {
	set := engine.DefaultSettings()
	set.ListMaxListpackSize = 3
	ql := tlist.FromElements(&set, [][]byte{[]byte("a"), []byte("1"), []byte("b"), []byte("-7"), []byte("c")})
	require.Equal(t, 5, ql.Len())
	require.Equal(t, 2, ql.NodeCount())
	require.Equal(t, []string{"a", "1", "b", "-7", "c"}, elements(ql))

	// Rebuild from the node bytes, as RDB quicklist 2 load does.
	var nodes []tlist.NodeData
	ql.Nodes(func(n tlist.NodeView) bool {
		require.False(t, n.Compressed)
		nodes = append(nodes, tlist.NodeData{Data: append([]byte(nil), n.Data...), Plain: n.Plain})
		return true
	})
	nodes = append(nodes, tlist.NodeData{Data: listpack.New()}) // empty: skipped
	nodes = append(nodes, tlist.NodeData{Data: []byte("big element"), Plain: true})
	ql2 := tlist.FromNodes(&set, nodes)
	require.Equal(t, 6, ql2.Len())
	require.Equal(t, 3, ql2.NodeCount())
	require.Equal(t, []string{"a", "1", "b", "-7", "c", "big element"}, elements(ql2))

	cp := ql2.Dup()
	cp.PushHead([]byte("h"))
	require.Equal(t, 6, ql2.Len())
	require.Equal(t, []string{"h", "a", "1", "b", "-7", "c", "big element"}, elements(cp))

	// Each stops early.
	n := 0
	cp.Each(func([]byte, int64, bool) bool { n++; return n < 2 })
	require.Equal(t, 2, n)
}

func TestCompressedWalk(t *testing.T) {
	set := engine.DefaultSettings()
	set.ListMaxListpackSize = -1
	set.ListCompressDepth = 1
	var elems [][]byte
	var want []string
	for i := 0; i < 2000; i++ {
		v := fmt.Sprintf("element-%05d-%s", i, "aaaaaaaaaaaaaaaaaaaa")
		elems = append(elems, []byte(v))
		want = append(want, v)
	}
	ql := tlist.FromElements(&set, elems)
	compressed := 0
	ql.Nodes(func(n tlist.NodeView) bool {
		if n.Compressed {
			compressed++
			require.Less(t, len(n.Data), n.RawLen)
		}
		return true
	})
	require.Equal(t, ql.NodeCount()-2, compressed)
	require.Equal(t, want, elements(ql))
	// Walking did not change the list.
	after := 0
	ql.Nodes(func(n tlist.NodeView) bool {
		if n.Compressed {
			after++
		}
		return true
	})
	require.Equal(t, compressed, after)
	s, _, _, ok := ql.Index(1234)
	require.True(t, ok)
	require.Equal(t, want[1234], string(s))
}

func TestPackedThreshold(t *testing.T) {
	defer tlist.SetPackedThreshold(0)
	require.False(t, tlist.SetPackedThreshold(1<<32))
	require.True(t, tlist.SetPackedThreshold(1<<32-1<<20))
	require.True(t, tlist.SetPackedThreshold(10))
	require.EqualValues(t, 10, tlist.PackedThreshold())
	set := engine.DefaultSettings()
	ql := tlist.FromElements(&set, [][]byte{[]byte("small"), []byte("large element"), []byte("tiny")})
	var plain []bool
	ql.Nodes(func(n tlist.NodeView) bool { plain = append(plain, n.Plain); return true })
	require.Equal(t, []bool{false, true, false}, plain)
	require.True(t, tlist.SetPackedThreshold(0))
	require.EqualValues(t, 1<<30, tlist.PackedThreshold())
}

// TestBigList builds a list of a million elements and reads it from both ends and the
// middle: nodes stay small listpacks and index walks start at the nearer end.
func TestBigList(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	set := engine.DefaultSettings()
	ql := tlist.NewQuicklist(set.ListMaxListpackSize, set.ListCompressDepth)
	const n = 1_000_000
	buf := make([]byte, 0, 32)
	for i := 0; i < n; i++ {
		buf = append(strconv.AppendInt(buf[:0], int64(i), 10), "-value"...)
		ql.PushTail(buf)
	}
	require.Equal(t, n, ql.Len())
	maxNode := 0
	ql.Nodes(func(v tlist.NodeView) bool { maxNode = max(maxNode, v.RawLen); return true })
	require.LessOrEqual(t, maxNode, 8192)
	for _, i := range []int64{0, 1, n / 2, n - 2, n - 1, -1, -n} {
		s, _, _, ok := ql.Index(i)
		require.True(t, ok)
		j := i
		if j < 0 {
			j += n
		}
		require.Equal(t, strconv.FormatInt(j, 10)+"-value", string(s))
	}
	require.True(t, ql.DelRange(n/3, n/3))
	require.Equal(t, n-n/3, ql.Len())
	s, _, _, _ := ql.Index(n / 3)
	require.Equal(t, strconv.Itoa(2*(n/3))+"-value", string(s))
}

// TestServeBlockedPop drives the function the blocking layer will call, with its own
// reply writer standing for the blocked client's.
func TestServeBlockedPop(t *testing.T) {
	h := enginetest.New(t, tlist.Commands(), tstring.Commands())
	rec := &recorder{}
	h.E.Lock()
	h.E.SetPropagator(rec)
	h.E.Unlock()
	h.Do("RPUSH", "src", "a", "b", "c", "d")
	h.Do("SET", "str", "v")
	rec.cmds = nil
	var out bytes.Buffer
	w := resp.NewWriter(&out)
	serve := func(key string, req tlist.BlockedRequest) (string, bool) {
		h.E.Lock()
		db := h.E.DB(0)
		x := &engine.Ctx{E: h.E, C: h.C, DB: db, W: w}
		deleted := tlist.ServeBlockedPop(x, []byte(key), db.LookupWrite([]byte(key)), req)
		h.E.Unlock()
		require.NoError(t, w.Flush())
		v, err := resp.NewReplyReader(&out).ReadValue()
		require.NoError(t, err)
		require.Zero(t, out.Len())
		return v.String(), deleted
	}
	reply, deleted := serve("src", tlist.BlockedRequest{Kind: tlist.BlockedPop, From: tlist.Right})
	require.Equal(t, "1) \"src\"\n2) \"d\"", reply)
	require.False(t, deleted)
	reply, _ = serve("src", tlist.BlockedRequest{Kind: tlist.BlockedMove, From: tlist.Left, To: tlist.Right, DstKey: []byte("dst")})
	require.Equal(t, `"a"`, reply)
	reply, _ = serve("src", tlist.BlockedRequest{Kind: tlist.BlockedRPopLPush, From: tlist.Right, To: tlist.Left, DstKey: []byte("str")})
	require.Equal(t, "(error) WRONGTYPE Operation against a key holding the wrong kind of value", reply)
	reply, deleted = serve("src", tlist.BlockedRequest{Kind: tlist.BlockedMPop, From: tlist.Left, Count: 5})
	require.Equal(t, "1) \"src\"\n2) 1) \"b\"\n   2) \"c\"", reply)
	require.True(t, deleted)
	require.Equal(t, "1) \"a\"", h.Text("LRANGE", "dst", "0", "-1"))
	require.Equal(t, "(integer) 0", h.Text("EXISTS", "src"))
	// Outside a command the engine's unit of propagation collects the three effects and
	// hands them over, wrapped in MULTI/EXEC, at the next command; the blocking layer
	// decides how units are cut.
	var effects []string
	for _, c := range rec.cmds {
		if c != "MULTI" && c != "EXEC" {
			effects = append(effects, c)
		}
	}
	require.Equal(t, []string{"RPOP src", "LMOVE src dst left right", "LPOP src 2"}, effects)
}
