package engine_test

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

// Values a client replaces or deletes before a running snapshot wrote them: the old value
// goes to the snapshot whole (SetKey's and Drop's keepOld) instead of being serialized
// at once, under the lock, by the client's hook.

// keyEnc writes "key=value;" records and notes which keys it wrote whole (AppendEntry:
// the walker's or a hook's) and which it wrote as a job (BeginBig, for keys named big*;
// a job the snapshot drops unstepped is not noted), as a snapshot's encoder sees them.
type keyEnc struct {
	mu    sync.Mutex
	whole []string
	jobs  []string
}

func keyRecord(dst []byte, key string, o *engine.Object) []byte {
	return append(append(append(dst, key...), '='), append(o.Bytes(), ';')...)
}

func (e *keyEnc) AppendEntry(dst []byte, _ int, key string, o *engine.Object, _ int64) ([]byte, error) {
	e.mu.Lock()
	e.whole = append(e.whole, key)
	e.mu.Unlock()
	return keyRecord(dst, key, o), nil
}

func (e *keyEnc) BeginBig(_ int, key string, o *engine.Object, _ int64) engine.SnapshotJob {
	if !strings.HasPrefix(key, "big") {
		return nil
	}
	return &keyJob{key: key, o: o, enc: e}
}

type keyJob struct {
	key string
	o   *engine.Object
	enc *keyEnc
}

func (j *keyJob) Step(dst []byte, _ time.Time) ([]byte, bool, error) {
	j.enc.mu.Lock()
	j.enc.jobs = append(j.enc.jobs, j.key)
	j.enc.mu.Unlock()
	return keyRecord(dst, j.key, j.o), true, nil
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
	return keyRecord(dst, key, o), nil
}

type textSink struct{ out strings.Builder }

func (s *textSink) Begin(*engine.SnapshotStart) error   { return nil }
func (s *textSink) Write(c *engine.SnapshotChunk) error { s.out.Write(c.Data); return nil }
func (s *textSink) End(err error) error                 { return err }

// records are the snapshot's "key=value" records.
func (s *textSink) records() []string {
	return strings.Split(strings.TrimSuffix(s.out.String(), ";"), ";")
}

// startHeld starts a snapshot and runs the commands before its walker gets the lock, so
// every key they touch is still unwritten; it returns the snapshot once it is done.
func startHeld(t *testing.T, h *enginetest.Harness, enc engine.SnapshotEncoder, sink engine.SnapshotSink, cmds ...[]string) *engine.Snapshot {
	t.Helper()
	h.E.Lock()
	s, err := h.E.StartSnapshot(enc, sink, nil)
	require.NoError(t, err)
	for _, args := range cmds {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		h.E.Exec(h.C, b)
	}
	h.E.Unlock()
	require.NoError(t, s.Wait())
	return s
}

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
	startHeld(t, h, enc, sink, []string{"SET", "big1", "new"}, []string{"SET", "big2", "new", "XX"},
		[]string{"MSETNX", "big2", "y", "small", "y"}, []string{"SET", "small", "new"})
	require.Equal(t, []string{"small"}, enc.whole, "written whole under the lock")
	require.ElementsMatch(t, []string{"big1", "big2"}, enc.jobs, "kept aside as jobs")
	require.ElementsMatch(t, []string{"big1=" + big, "big2=" + big, "small=v"}, sink.records())
}

// TestSetDuringSnapshotDefersSmallOldValue: with an encoder that writes small values off
// the lock, SET over an unwritten small value hands the old value to the walker's next
// batch: the client serializes nothing, and the snapshot still holds the old value.
func TestSetDuringSnapshotDefersSmallOldValue(t *testing.T) {
	h := enginetest.New(t, tstring.Commands())
	h.Do("SET", "small", "v")
	h.Do("SET", "other", "w")
	enc, sink := &deferEnc{}, &textSink{}
	s := startHeld(t, h, enc, sink, []string{"SET", "small", "new"})
	require.Empty(t, enc.whole, "written under the lock")
	require.ElementsMatch(t, []string{"small", "other"}, enc.deferred)
	require.ElementsMatch(t, []string{"small=v", "other=w"}, sink.records())
	require.EqualValues(t, 1, s.Stats().HookKeys)
	require.EqualValues(t, len("small=v;"), s.Stats().CowBytes)
}

// TestDelDuringSnapshotKeepsOldValueWhole: DEL and UNLINK of a big value a running
// snapshot has not written yet hand the value to the snapshot whole, to be written in
// steps, instead of serializing it at once under the lock; RENAME, which moves the
// value to another key, has it written by the hook (this encoder's jobs cannot detach,
// SnapshotDetacher). The snapshot holds the T0 values.
func TestDelDuringSnapshotKeepsOldValueWhole(t *testing.T) {
	h := enginetest.New(t, tstring.Commands())
	big := strings.Repeat("x", 100)
	for _, k := range []string{"big1", "big2", "big3"} {
		h.Do("SET", k, big)
	}
	enc, sink := &keyEnc{}, &textSink{}
	startHeld(t, h, enc, sink, []string{"DEL", "big1"}, []string{"UNLINK", "big2"}, []string{"RENAME", "big3", "moved"})
	require.Equal(t, []string{"big3"}, enc.whole, "written whole under the lock")
	require.ElementsMatch(t, []string{"big1", "big2"}, enc.jobs, "kept aside as jobs")
	require.ElementsMatch(t, []string{"big1=" + big, "big2=" + big, "big3=" + big}, sink.records())
}
