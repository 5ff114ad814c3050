package engine_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/stretchr/testify/require"
)

// dropEnc writes "key=value;" records, noting the keys written whole (AppendEntry: the
// walker's or a hook's) and those handed over as jobs (BeginBig, for keys named big*).
type dropEnc struct {
	mu          sync.Mutex
	whole, jobs []string
}

func (e *dropEnc) AppendEntry(dst []byte, _ int, key string, o *engine.Object, _ int64) ([]byte, error) {
	e.mu.Lock()
	e.whole = append(e.whole, key)
	e.mu.Unlock()
	return append(append(append(dst, key...), '='), append(o.Bytes(), ';')...), nil
}

func (e *dropEnc) BeginBig(_ int, key string, o *engine.Object, _ int64) engine.SnapshotJob {
	if !strings.HasPrefix(key, "big") {
		return nil
	}
	e.mu.Lock()
	e.jobs = append(e.jobs, key)
	e.mu.Unlock()
	return dropJob{key, o}
}

type dropJob struct {
	key string
	o   *engine.Object
}

func (j dropJob) Step(dst []byte, _ time.Time) ([]byte, bool, error) {
	return append(append(append(dst, j.key...), '='), append(j.o.Bytes(), ';')...), true, nil
}

type dropSink struct{ out strings.Builder }

func (s *dropSink) Begin(*engine.SnapshotStart) error   { return nil }
func (s *dropSink) Write(c *engine.SnapshotChunk) error { s.out.Write(c.Data); return nil }
func (s *dropSink) End(err error) error                 { return err }

// TestDelDuringSnapshotKeepsOldValueWhole: DEL and UNLINK of a big value a running
// snapshot has not written yet hand the value to the snapshot whole, to be written in
// steps, instead of serializing it at once under the lock; RENAME, which moves the
// value to another key, still has it written by the hook. The snapshot holds the T0
// values.
func TestDelDuringSnapshotKeepsOldValueWhole(t *testing.T) {
	h := enginetest.New(t)
	big := strings.Repeat("x", 100)
	for _, k := range []string{"big1", "big2", "big3"} {
		h.E.Lock()
		h.E.DB(0).Add([]byte(k), engine.NewBytesObject(engine.TypeString, engine.EncRaw, []byte(big)))
		h.E.Unlock()
	}
	enc, sink := &dropEnc{}, &dropSink{}
	h.E.Lock()
	s, err := h.E.StartSnapshot(enc, sink, nil)
	require.NoError(t, err)
	// The walker waits for the lock: every key below is still unwritten.
	for _, args := range [][]string{{"DEL", "big1"}, {"UNLINK", "big2"}, {"RENAME", "big3", "moved"}} {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		h.E.Exec(h.C, b)
	}
	h.E.Unlock()
	require.NoError(t, s.Wait())
	require.Equal(t, []string{"big3"}, enc.whole, "written whole under the lock")
	require.ElementsMatch(t, []string{"big1", "big2"}, enc.jobs, "kept aside as jobs")
	recs := strings.Split(strings.TrimSuffix(sink.out.String(), ";"), ";")
	require.ElementsMatch(t, []string{"big1=" + big, "big2=" + big, "big3=" + big}, recs)
}
