package tstring_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/stretchr/testify/require"
)

// keyEnc writes "key=value;" records and notes which keys it wrote whole (AppendEntry:
// the walker's or a hook's) and which it was handed as a job (BeginBig, for keys named
// big*), as a snapshot's encoder sees them.
type keyEnc struct {
	mu    sync.Mutex
	whole []string
	jobs  []string
}

func (e *keyEnc) AppendEntry(dst []byte, _ int, key string, o *engine.Object, _ int64) ([]byte, error) {
	e.mu.Lock()
	e.whole = append(e.whole, key)
	e.mu.Unlock()
	return append(append(append(dst, key...), '='), append(o.Bytes(), ';')...), nil
}

func (e *keyEnc) BeginBig(_ int, key string, o *engine.Object, _ int64) engine.SnapshotJob {
	if !strings.HasPrefix(key, "big") {
		return nil
	}
	e.mu.Lock()
	e.jobs = append(e.jobs, key)
	e.mu.Unlock()
	return &keyJob{key: key, o: o}
}

type keyJob struct {
	key string
	o   *engine.Object
}

func (j *keyJob) Step(dst []byte, _ time.Time) ([]byte, bool, error) {
	return append(append(append(dst, j.key...), '='), append(j.o.Bytes(), ';')...), true, nil
}

type textSink struct{ out strings.Builder }

func (s *textSink) Begin(*engine.SnapshotStart) error   { return nil }
func (s *textSink) Write(c *engine.SnapshotChunk) error { s.out.Write(c.Data); return nil }
func (s *textSink) End(err error) error                 { return err }

// TestSetDuringSnapshotKeepsOldValueWhole: SET over a key a running snapshot has not
// written yet hands the old value to the snapshot whole (SetKey's hook keeps a big one
// aside as a job, written later in steps) instead of serializing it at once, under the
// lock, in the hook of its existence lookup. The snapshot still holds the old values.
func TestSetDuringSnapshotKeepsOldValueWhole(t *testing.T) {
	h := enginetest.New(t, tstring.Commands())
	big := strings.Repeat("x", 100)
	h.Do("SET", "big1", big)
	h.Do("SET", "big2", big)
	h.Do("SET", "small", "v")
	enc, sink := &keyEnc{}, &textSink{}
	h.E.Lock()
	s, err := h.E.StartSnapshot(enc, sink, nil)
	require.NoError(t, err)
	// The walker waits for the lock: every key below is still unwritten.
	for _, args := range [][]string{{"SET", "big1", "new"}, {"SET", "big2", "new", "XX"}, {"MSETNX", "big2", "y", "small", "y"}, {"SET", "small", "new"}} {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		h.E.Exec(h.C, b)
	}
	h.E.Unlock()
	require.NoError(t, s.Wait())
	require.Equal(t, []string{"small"}, enc.whole, "written whole under the lock")
	require.ElementsMatch(t, []string{"big1", "big2"}, enc.jobs, "kept aside as jobs")
	recs := strings.Split(strings.TrimSuffix(sink.out.String(), ";"), ";")
	require.ElementsMatch(t, []string{"big1=" + big, "big2=" + big, "small=v"}, recs)
}

// deferEnc is keyEnc that also writes small values off the lock (SnapshotDeferred).
type deferEnc struct {
	keyEnc
	deferred []string
}

func (e *deferEnc) Deferrable(*engine.Object) (int64, bool) { return 0, true }
func (e *deferEnc) DeferredEncoder() engine.DeferredEncoder { return e }
func (e *deferEnc) AppendDeferred(dst []byte, _ int, key string, o *engine.Object, _, _ int64) ([]byte, error) {
	e.mu.Lock()
	e.deferred = append(e.deferred, key)
	e.mu.Unlock()
	return append(append(append(dst, key...), '='), append(o.Bytes(), ';')...), nil
}

// TestSetDuringSnapshotDefersSmallOldValue: with an encoder that writes small values off
// the lock, SET over an unwritten small value hands the old value to the walker's next
// batch: the client serializes nothing, and the snapshot still holds the old value.
func TestSetDuringSnapshotDefersSmallOldValue(t *testing.T) {
	h := enginetest.New(t, tstring.Commands())
	h.Do("SET", "small", "v")
	h.Do("SET", "other", "w")
	enc, sink := &deferEnc{}, &textSink{}
	h.E.Lock()
	s, err := h.E.StartSnapshot(enc, sink, nil)
	require.NoError(t, err)
	h.E.Exec(h.C, [][]byte{[]byte("SET"), []byte("small"), []byte("new")})
	h.E.Unlock()
	require.NoError(t, s.Wait())
	require.Empty(t, enc.whole, "written under the lock")
	require.ElementsMatch(t, []string{"small", "other"}, enc.deferred)
	recs := strings.Split(strings.TrimSuffix(sink.out.String(), ";"), ";")
	require.ElementsMatch(t, []string{"small=v", "other=w"}, recs)
	require.EqualValues(t, 1, s.Stats().HookKeys)
	require.EqualValues(t, len("small=v;"), s.Stats().CowBytes)
}
