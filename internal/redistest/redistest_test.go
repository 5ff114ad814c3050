package redistest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/internal/redistest"
)

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestStartAndCleanup(t *testing.T) {
	var srv *redistest.Server
	t.Run("run", func(t *testing.T) {
		srv = redistest.Start(t)
		assert.Equal(t, "PONG", srv.Do("PING"))
		assert.True(t, strings.HasPrefix(srv.Addr, "127.0.0.1:"))
		assert.NotZero(t, srv.Port)
		assert.True(t, alive(srv.PID))
		dir := srv.Do("CONFIG", "GET", "dir").([]any)
		assert.Equal(t, srv.Dir, dir[1])
		save := srv.Do("CONFIG", "GET", "save").([]any)
		assert.Equal(t, "", save[1])
		aof := srv.Do("CONFIG", "GET", "appendonly").([]any)
		assert.Equal(t, "no", aof[1])
		assert.Nil(t, srv.Do("GET", "missing"))
		assert.Contains(t, srv.Log(), "Ready to accept connections")
		entries, err := os.ReadDir(srv.Dir)
		require.NoError(t, err)
		assert.Empty(t, entries, "Dir holds only what the server writes")
		_, err = srv.DoErr("NOSUCHCOMMAND")
		assert.Error(t, err)
	})
	require.NotNil(t, srv)
	assert.True(t, srv.Process().Exited(), "cleanup must stop the server")
	assert.False(t, alive(srv.PID), "cleanup must reap pid %d", srv.PID)
}

func TestStartSkipsWithoutBinary(t *testing.T) {
	t.Setenv("CI", "")
	var sub *testing.T
	t.Run("missing", func(t *testing.T) {
		sub = t
		redistest.Start(t, redistest.WithBinary("redis-server-that-does-not-exist"))
		t.Error("Start must not return")
	})
	assert.True(t, sub.Skipped())
}

func TestWithArgsRDBRestartSave(t *testing.T) {
	src := redistest.Start(t, redistest.WithArgs("--dbfilename", "other.rdb"))
	src.Do("SET", "k", "v")
	rdb := filepath.Join(t.TempDir(), "copy.rdb")
	src.SaveAndCopy(rdb)
	_, err := os.Stat(filepath.Join(src.Dir, "other.rdb"))
	require.NoError(t, err)

	dst := redistest.Start(t, redistest.WithRDB(rdb))
	assert.Equal(t, "v", dst.Do("GET", "k"))

	// Restart does not save: unsaved writes are gone, saved ones stay.
	dst.Do("SET", "unsaved", "1")
	oldPID := dst.PID
	dst.Restart()
	assert.NotEqual(t, oldPID, dst.PID)
	assert.False(t, alive(oldPID))
	assert.Nil(t, dst.Do("GET", "unsaved"))
	assert.Equal(t, "v", dst.Do("GET", "k"))
	dst.Do("SET", "saved", "1")
	dst.Do("SAVE")
	dst.Restart()
	assert.Equal(t, "1", dst.Do("GET", "saved"))
}

func TestStartBinary(t *testing.T) {
	bin := redistest.Require(t, "redis-server")
	t.Run("placeholders", func(t *testing.T) {
		s := redistest.StartBinary(t, bin, "--port", "{port}", "--bind", "127.0.0.1", "--dir", "{dir}", "--save", "")
		dir := s.Do("CONFIG", "GET", "dir").([]any)
		assert.Equal(t, s.Dir, dir[1])
	})
	t.Run("port appended", func(t *testing.T) {
		s := redistest.StartBinary(t, bin, "--bind", "127.0.0.1", "--save", "")
		assert.Equal(t, "PONG", s.Do("PING"))
	})
}

func TestCheckRDB(t *testing.T) {
	s := redistest.Start(t)
	s.Do("SET", "k", "v")
	good := filepath.Join(t.TempDir(), "good.rdb")
	s.SaveAndCopy(good)
	out, ok := redistest.CheckRDB(t, good)
	assert.True(t, ok, out)
	aux := redistest.ParseCheckRDBAux(out)
	require.NotEmpty(t, aux)
	assert.Equal(t, [2]string{"redis-ver", "7.0.15"}, aux[0])

	data, err := os.ReadFile(good)
	require.NoError(t, err)
	bad := filepath.Join(t.TempDir(), "bad.rdb")
	require.NoError(t, os.WriteFile(bad, data[:len(data)-5], 0o644))
	out, ok = redistest.CheckRDB(t, bad)
	assert.False(t, ok, out)
}

func TestCheckAOF(t *testing.T) {
	s := redistest.Start(t, redistest.WithArgs("--appendonly", "yes", "--appendfsync", "always"))
	s.Do("SET", "k", "v")
	manifest := filepath.Join(s.Dir, "appendonlydir", "appendonly.aof.manifest")
	out, ok := redistest.CheckAOF(t, manifest)
	assert.True(t, ok, out)
}

func TestSnapshot(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	s.Do("SET", "str", "hello")
	s.Do("SET", "bin\xff", "\x00\xfe")
	s.Do("PEXPIREAT", "str", int64(4102444800123))
	s.Do("RPUSH", "list", "b", "a", "1")
	s.Do("SADD", "set", "z", "a", "m")
	s.Do("HSET", "hash", "f2", "v2", "f1", "v1")
	s.Do("ZADD", "zset", "0.1", "a", "-inf", "b", "-0", "c")
	s.Do("XADD", "stream", "1-1", "f", "v")
	s.Do("XADD", "stream", "2-1", "f", "v", "g", "w")
	s.Do("XGROUP", "CREATE", "stream", "gb", "0")
	s.Do("XGROUP", "CREATE", "stream", "ga", "$")
	s.Do("XREADGROUP", "GROUP", "gb", "c2", "COUNT", "1", "STREAMS", "stream", ">")
	s.Do("XREADGROUP", "GROUP", "gb", "c1", "COUNT", "1", "STREAMS", "stream", ">")

	recs, err := redistest.Snapshot(ctx, s.Client())
	require.NoError(t, err)
	var keys []string
	for _, r := range recs {
		keys = append(keys, string(r.Key))
	}
	assert.Equal(t, []string{"bin\xff", "hash", "list", "set", "str", "stream", "zset"}, keys)
	byKey := map[string]redistest.Record{}
	for _, r := range recs {
		byKey[string(r.Key)] = r
	}
	assert.Equal(t, redistest.Bytes("hello"), byKey["str"].Value)
	assert.Equal(t, "embstr", byKey["str"].Encoding)
	require.NotNil(t, byKey["str"].ExpireAtMs)
	assert.Equal(t, int64(4102444800123), *byKey["str"].ExpireAtMs)
	assert.Nil(t, byKey["list"].ExpireAtMs)
	assert.Equal(t, []redistest.Bytes{"b", "a", "1"}, byKey["list"].Value)
	assert.Equal(t, []redistest.Bytes{"a", "m", "z"}, byKey["set"].Value)
	assert.Equal(t, []redistest.Pair{{"f1", "v1"}, {"f2", "v2"}}, byKey["hash"].Value)
	assert.Equal(t, []redistest.Pair{{"b", "-inf"}, {"c", "0"}, {"a", "0.10000000000000001"}}, byKey["zset"].Value) // listpack keeps -0 as "0"
	st := byKey["stream"].Value.(*redistest.Stream)
	assert.Equal(t, int64(2), st.Length)
	assert.Equal(t, "2-1", st.LastGeneratedID)
	require.Len(t, st.Entries, 2)
	assert.Equal(t, []redistest.Pair{{"f", "v"}, {"g", "w"}}, st.Entries[1].Fields)
	require.Len(t, st.Groups, 2)
	assert.Equal(t, redistest.Bytes("ga"), st.Groups[0].Name)
	gb := st.Groups[1]
	require.Len(t, gb.Consumers, 2)
	assert.Equal(t, redistest.Bytes("c1"), gb.Consumers[0].Name)
	assert.Equal(t, []string{"2-1"}, gb.Consumers[0].PEL)
	require.Len(t, gb.PEL, 2)
	assert.Equal(t, redistest.Bytes("c2"), gb.PEL[0].Consumer)
	require.NotNil(t, gb.EntriesRead)
	assert.Equal(t, int64(2), *gb.EntriesRead)

	// Round trip through the canonical text form.
	var buf bytes.Buffer
	require.NoError(t, redistest.WriteRecords(&buf, recs))
	assert.Contains(t, buf.String(), `{"db":0,"key":{"hex":"62696eff"},"type":"string","encoding":"embstr","expire_at_ms":null,"value":{"hex":"00fe"}}`)
	back, err := redistest.ReadRecords(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, recs, back)
	var buf2 bytes.Buffer
	require.NoError(t, redistest.WriteRecords(&buf2, back))
	assert.Equal(t, buf.String(), buf2.String())

	one, err := redistest.SnapshotKey(ctx, s.Client(), 0, "hash")
	require.NoError(t, err)
	assert.Equal(t, byKey["hash"], one)
}

func TestSnapshotNeedsRESP2(t *testing.T) {
	s := redistest.Start(t)
	c := redistest.NewClient(s.Addr)
	defer c.Close()
	c.Options().Protocol = 3
	_, err := redistest.Snapshot(context.Background(), c)
	assert.ErrorContains(t, err, "RESP2")
}

func TestSnapshotMultiDB(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	c := s.Client()
	conn := c.Conn()
	defer conn.Close()
	for _, db := range []int{15, 0, 3} {
		require.NoError(t, conn.Select(ctx, db).Err())
		require.NoError(t, conn.Set(ctx, "k", db, 0).Err())
	}
	recs, err := redistest.Snapshot(ctx, c)
	require.NoError(t, err)
	require.Len(t, recs, 3)
	for i, db := range []int{0, 3, 15} {
		assert.Equal(t, db, recs[i].DB)
		assert.Equal(t, "int", recs[i].Encoding)
	}
}

func TestFormatScoreMatchesRedis(t *testing.T) {
	s := redistest.Start(t)
	scores := []string{"0.1", "-0.5", "1e300", "inf", "-inf", "0", "-0", "1", "-1", "100000",
		"1e16", "1e17", "123456789012345678", "1e-5", "0.0001", "3.14159", "2.5e-300",
		"4.9406564584124654e-324", "1.7976931348623157e308", "-12345.678"}
	for i, sc := range scores {
		s.Do("ZADD", "z", sc, i)
	}
	got, err := s.Client().Do(context.Background(), "ZRANGE", "z", 0, -1, "WITHSCORES").StringSlice()
	require.NoError(t, err)
	require.Len(t, got, 2*len(scores))
	z, err := s.Client().ZRangeWithScores(context.Background(), "z", 0, -1).Result()
	require.NoError(t, err)
	for i, m := range z {
		assert.Equal(t, got[2*i+1], redistest.FormatScore(m.Score), "member %v", m.Member)
	}
}

func TestBytesJSON(t *testing.T) {
	for _, tc := range []struct {
		in   redistest.Bytes
		want string
	}{
		{"", `""`},
		{"a<b>&", `"a<b>&"`},
		{"\xff\x00", `{"hex":"ff00"}`},
		{"é", `"é"`},
	} {
		rec := redistest.Record{Key: tc.in, Type: "string", Value: tc.in}
		line, err := redistest.MarshalLine(rec)
		require.NoError(t, err)
		assert.Contains(t, string(line), `"key":`+tc.want+`,`)
		back, err := redistest.ReadRecords(bytes.NewReader(line))
		require.NoError(t, err)
		require.Len(t, back, 1)
		assert.Equal(t, tc.in, back[0].Key)
		assert.Equal(t, tc.in, back[0].Value)
	}
}
