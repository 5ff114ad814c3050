package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startRedis starts the installed redis-server on a free loopback port in
// a temporary directory and stops it (by PID) when the test ends. Without
// redis-server the test is skipped, except under CI=true where it fails.
// (resp imports nothing of the project, so it does not use
// internal/redistest.)
func startRedis(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server not found and CI=true: install Redis 7.0")
		}
		t.Skip("redis-server not installed: skipping the comparison with real Redis")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--enable-debug-command", "yes", "--logfile", dir+"/redis.log")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			buf := make([]byte, 7)
			_, err = io.ReadFull(c, buf)
			c.Close()
			if err == nil && string(buf) == "+PONG\r\n" {
				return addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer PING", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exchange sends in on a fresh connection and collects the reply bytes,
// and whether the server closed the connection, waiting at most quiet
// after the last byte.
func exchange(t testing.TB, addr string, in []byte, quiet time.Duration) (string, bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write(in)
	require.NoError(t, err)
	var out bytes.Buffer
	buf := make([]byte, 64<<10)
	for {
		_ = c.SetReadDeadline(time.Now().Add(quiet))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return out.String(), false
			}
			return out.String(), true
		}
	}
}

// TestAgainstRedis sends every parser test input to a real Redis 7.0 and
// checks that Reader agrees: the same commands (replayed re-encoded on a
// second connection they give the same replies), the same protocol error
// text, and the same choice between closing and waiting for more bytes.
func TestAgainstRedis(t *testing.T) {
	addr := startRedis(t)
	inputs := []string{
		"*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n",
		"*1\r\n$3\rXfooAB*1\r\n$4\r\nPING\r\n",
		"*0\r\n*-5\r\n*1\r\n$4\r\nPING\r\n",
		"\r\n\n   \r\nPING\r\n",
		`ECHO "a b\n\r\t\b\a\x41\x4g\q\""` + "\r\n",
		`ECHO 'a\'b\n"'` + "\n",
		`SET k"ey" v''` + "\nGET key\r\n",
		`ECHO "" ''` + "\n",
		"ECHO a\vb\fc\n",
		"\v\fPING\n",
		"ECHO a\rb\r\n",
		"ECHO \"a\"\v\n",
		`ECHO "\x00\xff"` + "\n",
		"ECHO \x80\xfe\n",
		"PING\r\n*1\r\n$4\r\nPING\r\nECHO x\n",
		"PI\x00NG\r\n" + strings.Repeat("x", 65536),
		"*1\r\n$\x00" + strings.Repeat("x", 65536),
		"*3\r\n$3\r\nSET\r\n$2\r\nbk\r\n$40000\r\n" + strings.Repeat("b", 40000) + "\r\n*2\r\n$6\r\nSTRLEN\r\n$2\r\nbk\r\n",
	}
	for _, tc := range protocolErrorCases {
		if tc.name == "bulk len max accepted" {
			continue // real Redis would reserve 512MB for it
		}
		inputs = append(inputs, tc.in)
	}
	for i, in := range inputs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			got, closed := exchange(t, addr, []byte(in), 300*time.Millisecond)

			r := NewReader(strings.NewReader(in))
			var replay []byte
			var args [][]byte
			var err error
			for {
				if args, err = r.ReadCommand(args); err != nil {
					break
				}
				replay = AppendCommand(replay, args...)
			}
			want := ""
			if len(replay) > 0 {
				want, _ = exchange(t, addr, replay, 300*time.Millisecond)
			}
			var pe *ProtocolError
			if errors.As(err, &pe) {
				want += "-" + pe.Reply() + "\r\n"
				assert.True(t, closed, "Redis should close after %q", pe.Msg)
			} else {
				assert.False(t, closed, "Redis closed but we wait for more bytes: %q", got)
			}
			assert.Equal(t, want, got, "input %q", in[:min(len(in), 60)])
		})
	}
}

// TestRedisRepliesParse reads real Redis replies of every RESP3 kind with
// ReplyReader and checks the redis-cli rendering of a few.
func TestRedisRepliesParse(t *testing.T) {
	addr := startRedis(t)
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	var req []byte
	cmds := [][]string{
		{"HELLO", "3"},
		{"SET", "s", "v"},
		{"HSET", "h", "f", "1"},
		{"SADD", "set", "a"},
		{"ZADD", "z", "1.1", "m"},
		{"HGETALL", "h"},
		{"SMEMBERS", "set"},
		{"ZSCORE", "z", "m"},
		{"GET", "missing"},
		{"EXISTS", "s"},
		{"INCR", "s"},
		{"DEBUG", "PROTOCOL", "bignum"},
		{"DEBUG", "PROTOCOL", "verbatim"},
		{"DEBUG", "PROTOCOL", "true"},
		{"DEBUG", "PROTOCOL", "attrib"},
		{"HELLO", "2"},
		{"ZSCORE", "z", "m"},
		{"HGETALL", "h"},
	}
	for _, cmd := range cmds {
		req = AppendCommandString(req, cmd...)
	}
	_, err = c.Write(req)
	require.NoError(t, err)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	rr := NewReplyReader(c)
	var got []Value
	for range cmds {
		v, err := rr.ReadValue()
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, TypeMap, got[0].Type)
	assert.Equal(t, `1# "f" => "1"`, got[5].String())
	assert.Equal(t, `1~ "a"`, got[6].String())
	assert.Equal(t, "(double) 1.1000000000000001", got[7].String())
	assert.Equal(t, TypeNull, got[8].Type)
	assert.Equal(t, "(integer) 1", got[9].String())
	assert.True(t, got[10].IsError())
	assert.Equal(t, TypeBigNumber, got[11].Type)
	assert.Equal(t, TypeVerbatim, got[12].Type)
	assert.Equal(t, "txt", got[12].Format)
	assert.Equal(t, "(true)", got[13].String())
	assert.NotEmpty(t, got[14].Attrs)
	assert.Equal(t, `"1.1000000000000001"`, got[16].String())
	assert.Equal(t, "1) \"f\"\n2) \"1\"", got[17].String())

	// Our Writer produces the very bytes Redis sent for the same replies.
	var ours bytes.Buffer
	w := NewWriter(&ours)
	w.SetProtocol(3)
	w.WriteDouble(1.1)
	w.WriteMapLen(1)
	w.WriteBulkString("f")
	w.WriteBulkString("1")
	w.SetProtocol(2)
	w.WriteDouble(1.1)
	require.NoError(t, w.Flush())
	var theirs []byte
	theirs = AppendValue(theirs, got[7])
	theirs = AppendValue(theirs, got[5])
	theirs = AppendValue(theirs, got[16])
	assert.Equal(t, string(theirs), ours.String())
}
