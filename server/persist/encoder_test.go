package persist

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/tzset"
)

// A skiplist zset written in steps (the descent held between them) gives the bytes it
// gives in one step, and a job dropped half-way releases its descent when aborted.
func TestZsetJobSteps(t *testing.T) {
	e := engine.New(engine.DefaultSettings(), engine.NewTable())
	set := engine.DefaultSettings()
	var pairs []tzset.Pair
	for i := 0; i < 3*BigElements; i++ {
		pairs = append(pairs, tzset.Pair{Member: []byte("m:" + strconv.Itoa(i)), Score: float64(i % 700)})
	}
	o, err := tzset.FromPairs(&set, pairs)
	require.NoError(t, err)
	require.Equal(t, engine.EncSkiplist, o.Encoding())
	enc := NewRDBEncoder(e, true)

	whole, done, err := enc.BeginBig(0, "z", &o, -1).Step(nil, time.Time{})
	require.NoError(t, err)
	require.True(t, done)

	job := enc.BeginBig(0, "z", &o, -1)
	var pieces []byte
	steps := 0
	for done := false; !done; steps++ {
		pieces, done, err = job.Step(pieces, time.Now()) // a deadline already passed
		require.NoError(t, err)
	}
	require.Greater(t, steps, 100)
	require.Equal(t, whole, pieces)

	before := runtime.NumGoroutine()
	job = enc.BeginBig(0, "z", &o, -1)
	_, done, err = job.Step(nil, time.Now())
	require.NoError(t, err)
	require.False(t, done)
	require.Equal(t, before+1, runtime.NumGoroutine(), "the descent runs as a coroutine")
	job.(interface{ Abort() }).Abort()
	require.Equal(t, before, runtime.NumGoroutine(), "the aborted descent's coroutine is still there")
}
