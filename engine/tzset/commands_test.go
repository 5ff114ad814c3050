package tzset_test

import (
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/stretchr/testify/require"
)

// TestCommandsTable runs without a redis-server: the expected replies were taken from
// Redis 7.0.15 (the differential tests check the same and much more against it).
func TestCommandsTable(t *testing.T) {
	h := enginetest.New(t, tzset.Commands(), tstring.Commands())
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ZADD", "z", "1", "a", "2", "b", "0.1", "c", "-inf", "d"}, "(integer) 4"},
		{[]string{"OBJECT", "ENCODING", "z"}, `"listpack"`},
		{[]string{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, "1) \"d\"\n2) \"-inf\"\n3) \"c\"\n4) \"0.10000000000000001\"\n5) \"a\"\n6) \"1\"\n7) \"b\"\n8) \"2\""},
		{[]string{"ZSCORE", "z", "c"}, `"0.10000000000000001"`},
		{[]string{"ZRANK", "z", "a"}, "(integer) 2"},
		{[]string{"ZREVRANK", "z", "a"}, "(integer) 1"},
		{[]string{"ZADD", "z", "NX", "XX", "1", "a"}, "(error) ERR XX and NX options at the same time are not compatible"},
		{[]string{"ZADD", "z", "GT", "LT", "1", "a"}, "(error) ERR GT, LT, and/or NX options at the same time are not compatible"},
		{[]string{"ZADD", "z", "INCR", "1", "a", "2", "b"}, "(error) ERR INCR option supports a single increment-element pair"},
		{[]string{"ZADD", "z", "x", "a"}, "(error) ERR value is not a valid float"},
		{[]string{"ZADD", "z", "1", "a", "2"}, "(error) ERR syntax error"},
		{[]string{"ZINCRBY", "z", "-inf", "b"}, `"-inf"`},
		{[]string{"ZINCRBY", "z", "+inf", "b"}, "(error) ERR resulting score is not a number (NaN)"},
		{[]string{"ZADD", "z", "CH", "GT", "5", "a", "0", "c"}, "(integer) 1"},
		{[]string{"ZCOUNT", "z", "(0", "+inf"}, "(integer) 2"},
		{[]string{"ZCOUNT", "z", "x", "1"}, "(error) ERR min or max is not a float"},
		{[]string{"ZLEXCOUNT", "z", "a", "b"}, "(error) ERR min or max not valid string range item"},
		{[]string{"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"}, "(error) ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"},
		{[]string{"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"}, "(error) ERR syntax error, WITHSCORES not supported in combination with BYLEX"},
		{[]string{"ZRANGE", "z", "+inf", "(0", "BYSCORE", "REV", "LIMIT", "0", "1"}, `1) "a"`},
		{[]string{"ZREM", "z", "a", "nope"}, "(integer) 1"},
		{[]string{"ZCARD", "z"}, "(integer) 3"},
		{[]string{"ZPOPMIN", "z"}, "1) \"b\"\n2) \"-inf\""},
		{[]string{"ZPOPMIN", "z", "-1"}, "(error) ERR value is out of range, must be positive"},
		{[]string{"ZMPOP", "0", "z", "MIN"}, "(error) ERR numkeys should be greater than 0"},
		{[]string{"ZMPOP", "1", "z", "MAX", "COUNT", "5"}, "1) \"z\"\n2) 1) 1) \"c\"\n      2) \"0.10000000000000001\"\n   2) 1) \"d\"\n      2) \"-inf\""},
		{[]string{"EXISTS", "z"}, "(integer) 0"},
		{[]string{"ZUNION", "0", "z"}, "(error) ERR at least 1 input key is needed for 'zunion' command"},
		{[]string{"ZINTERCARD", "1", "z", "LIMIT", "-1"}, "(error) ERR LIMIT can't be negative"},
		{[]string{"ZADD", "w", "1", "x"}, "(integer) 1"},
		{[]string{"ZUNION", "1", "w", "WEIGHTS", "nan"}, "(error) ERR weight value is not a float"},
		{[]string{"ZUNIONSTORE", "d", "1", "w", "WEIGHTS", "3"}, "(integer) 1"},
		{[]string{"ZSCORE", "d", "x"}, `"3"`},
		{[]string{"SET", "s", "v"}, "OK"},
		{[]string{"ZCARD", "s"}, "(error) WRONGTYPE Operation against a key holding the wrong kind of value"},
		{[]string{"ZRANDMEMBER", "w", "-3"}, "1) \"x\"\n2) \"x\"\n3) \"x\""},
		{[]string{"ZSCAN", "w", "0"}, "1) \"0\"\n2) 1) \"x\"\n   2) \"1\""},
	}
	for _, c := range cases {
		require.Equal(t, c.want, h.Text(c.args...), "%v", c.args)
	}
	h.SetProto(3)
	require.Equal(t, "(double) 3", h.Text("ZSCORE", "d", "x"))
}
