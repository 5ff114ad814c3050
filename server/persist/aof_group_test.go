package persist

import (
	"bufio"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAlwaysOneFsyncPerPipeline: under appendfsync always, a pipeline run in one turn is
// written and fsynced once, when its replies wait for it, not from its first command on
// (a writer woken by the first SET fsynced it alone while the turn went on: here a DEBUG
// SLEEP of 2 ms makes sure the turn outlasts that wake-up).
func TestAlwaysOneFsyncPerPipeline(t *testing.T) {
	ts := startServer(t, "", nil, "--save", "", "--appendonly", "yes", "--appendfsync", "always")
	a := ts.p.opts.AOF.(*AOFFile)

	nc, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(30*time.Second)))
	rd := bufio.NewReader(nc)
	const pipelines, sets = 20, 50
	var req []byte
	before := a.syncs.Load()
	for p := 0; p < pipelines; p++ {
		req = req[:0]
		for i := 0; i < sets; i++ {
			k := fmt.Sprintf("k%d", p*sets+i)
			req = fmt.Appendf(req, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n", len(k), k)
			if i == 0 {
				req = append(req, "*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$5\r\n0.002\r\n"...)
			}
		}
		_, err := nc.Write(req) // about 3 KB: one read, one turn
		require.NoError(t, err)
		for i := 0; i < sets+1; i++ {
			line, err := rd.ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, "+OK\r\n", line)
		}
	}
	// One fsync per pipeline, and at most a few more from the writer's 100 ms tick.
	n := a.syncs.Load() - before
	require.GreaterOrEqual(t, n, int64(pipelines))
	require.LessOrEqual(t, n, int64(pipelines+3), "fsyncs for %d pipelines of %d SETs", pipelines, sets)
}
