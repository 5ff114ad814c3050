package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// snapTestEnc writes (db, key, value, expire) records.
type snapTestEnc struct{}

func (snapTestEnc) AppendEntry(dst []byte, dbID int, key string, o *Object, exp int64) ([]byte, error) {
	dst = binary.AppendUvarint(dst, uint64(dbID))
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	v := o.Bytes()
	dst = binary.AppendUvarint(dst, uint64(len(v)))
	dst = append(dst, v...)
	return binary.AppendVarint(dst, exp), nil
}

// snapTestInc serializes a third of the keys in steps (one value byte per step, read
// from the live object at each step), so a change between steps that skipped the hook
// shows up as a wrong value.
type snapTestInc struct{ snapTestEnc }

type snapTestJob struct {
	db    int
	key   string
	o     *Object
	exp   int64
	stage int
	vlen  int
}

func (snapTestInc) BeginBig(dbID int, key string, o *Object, exp int64) SnapshotJob {
	if len(key)%3 != 0 {
		return nil
	}
	return &snapTestJob{db: dbID, key: key, o: o, exp: exp}
}

func (j *snapTestJob) Step(dst []byte, deadline time.Time) ([]byte, bool, error) {
	for {
		switch {
		case j.stage == 0:
			dst = binary.AppendUvarint(dst, uint64(j.db))
			dst = binary.AppendUvarint(dst, uint64(len(j.key)))
			dst = append(dst, j.key...)
			j.vlen = len(j.o.Bytes())
			dst = binary.AppendUvarint(dst, uint64(j.vlen))
		case j.stage <= j.vlen:
			v := j.o.Bytes()
			if len(v) != j.vlen {
				return dst, true, fmt.Errorf("value of %q changed between steps", j.key)
			}
			dst = append(dst, v[j.stage-1])
		default:
			return binary.AppendVarint(dst, j.exp), true, nil
		}
		j.stage++
		if !deadline.IsZero() {
			return dst, false, nil
		}
	}
}

// snapTestDef writes every value BeginBig leaves (with snapTestInc: two thirds; alone:
// all) off the lock (SnapshotDeferred). Its deferred encoder reads the value's bytes
// twice, yielding between, so a change that skipped the claim's settling shows up as a
// torn or wrong value (and as a race under -race).
type snapTestDef struct {
	SnapshotEncoder
	gate *snapTestGate
	slow bool // sleep between the reads: the clients' writes meet claims in flight
}

func (d snapTestDef) BeginBig(dbID int, key string, o *Object, exp int64) SnapshotJob {
	if inc, ok := d.SnapshotEncoder.(SnapshotIncremental); ok {
		return inc.BeginBig(dbID, key, o, exp)
	}
	return nil
}

func (snapTestDef) Deferrable(o *Object) (int64, bool) { return 7, true }

func (d snapTestDef) DeferredEncoder() DeferredEncoder { return snapTestDefEnc{d.gate, d.slow} }

// snapTestGate stops the deferred encoder at its first record until released.
type snapTestGate struct {
	started, release chan struct{}
	once             sync.Once
}

func (g *snapTestGate) open() { g.once.Do(func() { close(g.release) }) }

type snapTestDefEnc struct {
	gate *snapTestGate
	slow bool
}

func (d snapTestDefEnc) AppendDeferred(dst []byte, dbID int, key string, o *Object, exp, attr int64) ([]byte, error) {
	if attr != 7 {
		return dst, fmt.Errorf("attr %d, not what Deferrable gave", attr)
	}
	if g := d.gate; g != nil {
		select {
		case <-g.started:
		default:
			close(g.started)
			<-g.release
		}
	}
	v := string(o.Bytes())
	if d.slow && len(v)%4 == 0 {
		time.Sleep(time.Microsecond)
	} else {
		runtime.Gosched()
	}
	if string(o.Bytes()) != v {
		return dst, fmt.Errorf("value of %q changed while it was written", key)
	}
	return snapTestEnc{}.AppendEntry(dst, dbID, key, o, exp)
}

type snapRec struct {
	val string
	exp int64
}

// snapTestSink decodes the records back into a map and counts duplicates.
type snapTestSink struct {
	mu       sync.Mutex
	begun    bool
	got      map[string]snapRec
	dups     []string
	badDB    []string
	endErr   error
	failAt   int // fail the Nth Write (0: never)
	writes   int
	slowFor  time.Duration
	rest     []byte // a record begun in an earlier chunk
	restDB   int
	endProcs int // GOMAXPROCS when End ran
}

func (s *snapTestSink) Begin(st *SnapshotStart) error {
	s.begun = true
	s.got = map[string]snapRec{}
	return nil
}

func (s *snapTestSink) Write(c *SnapshotChunk) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.failAt > 0 && s.writes == s.failAt {
		return errors.New("disk full")
	}
	if s.slowFor > 0 {
		time.Sleep(s.slowFor)
	}
	b := c.Data
	if len(s.rest) > 0 {
		if s.restDB != c.DB {
			return fmt.Errorf("a record begun in db %d continues in a chunk of db %d", s.restDB, c.DB)
		}
		b = append(s.rest, b...)
		s.rest = nil
	}
	n := 0
	for len(b) > 0 {
		db, key, val, exp, k := snapTestRecord(b)
		if k == 0 { // the record goes on in the next chunk
			s.rest, s.restDB = append([]byte(nil), b...), c.DB
			break
		}
		b = b[k:]
		if int(db) != c.DB {
			s.badDB = append(s.badDB, key)
		}
		id := fmt.Sprintf("%d/%s", db, key)
		if _, ok := s.got[id]; ok {
			s.dups = append(s.dups, id)
		}
		s.got[id] = snapRec{val, exp}
		n++
	}
	if n != c.Keys {
		return fmt.Errorf("chunk says %d keys, holds %d", c.Keys, n)
	}
	return nil
}

func (s *snapTestSink) End(err error) error {
	if err == nil && len(s.rest) > 0 {
		err = fmt.Errorf("%d bytes of an unfinished record at the end", len(s.rest))
	}
	s.endErr = err
	s.endProcs = runtime.GOMAXPROCS(0)
	return err
}

// snapTestRecord decodes one record of snapTestEnc; n is 0 when b ends inside it.
func snapTestRecord(b []byte) (db int, key, val string, exp int64, n int) {
	uv := func() (uint64, bool) {
		v, k := binary.Uvarint(b[n:])
		if k <= 0 {
			return 0, false
		}
		n += k
		return v, true
	}
	bytes := func(l uint64) (string, bool) {
		if uint64(len(b)-n) < l {
			return "", false
		}
		s := string(b[n : n+int(l)])
		n += int(l)
		return s, true
	}
	d, ok := uv()
	kl, ok2 := uint64(0), false
	if ok {
		kl, ok2 = uv()
	}
	if !ok2 {
		return 0, "", "", 0, 0
	}
	if key, ok = bytes(kl); !ok {
		return 0, "", "", 0, 0
	}
	vl, ok := uv()
	if !ok {
		return 0, "", "", 0, 0
	}
	if val, ok = bytes(vl); !ok {
		return 0, "", "", 0, 0
	}
	exp, k := binary.Varint(b[n:])
	if k <= 0 {
		return 0, "", "", 0, 0
	}
	return int(d), key, val, exp, n + k
}

func strObj(s string) Object { return NewBytesObject(TypeString, EncRaw, []byte(s)) }

// model reads the whole engine as db/key -> value, expire (lock held).
func snapModel(e *Engine) map[string]snapRec {
	m := map[string]snapRec{}
	for _, db := range e.dbs {
		for en := range db.keys.All() {
			m[fmt.Sprintf("%d/%s", db.ID, en.Key)] = snapRec{string(en.Value.Bytes()), db.ExpireAt(en.Key)}
		}
	}
	return m
}

// TestSnapshotPointInTimeRandom runs random writes, deletes, TTL changes, moves, swaps,
// flushes, growth and shrinking (so rehashes start, finish and reverse mid-walk) while a
// slow walker runs, and checks the snapshot is exactly the T0 image, each key once.
func TestSnapshotPointInTimeRandom(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, seed*7))
			e := New(DefaultSettings(), NewTable())
			e.Lock()
			now := e.NowMs()
			for i := 0; i < 3000+int(seed)*500; i++ {
				db := e.DB(rng.IntN(4))
				k := []byte(fmt.Sprintf("k%d", i))
				db.Add(k, strObj(fmt.Sprintf("v%d", i)))
				if rng.IntN(3) == 0 {
					db.SetExpire(k, now+int64(1e9)+int64(i))
				}
			}
			want := snapModel(e)
			sink := &snapTestSink{}
			var enc SnapshotEncoder = snapTestEnc{}
			chunk := 256
			if seed%2 == 0 {
				// Values in steps, and chunks so small that their records come in pieces.
				enc, chunk = snapTestInc{}, 4+int(seed)
			}
			if seed%4 >= 2 {
				enc = snapTestDef{SnapshotEncoder: enc, slow: true} // the rest written off the lock
			}
			s, err := e.StartSnapshot(enc, sink, &SnapshotOptions{SliceBudget: time.Microsecond, ChunkBytes: chunk})
			require.NoError(t, err)
			_, err = e.StartSnapshot(snapTestEnc{}, &snapTestSink{}, nil)
			require.ErrorIs(t, err, ErrSnapshotRunning)
			e.Unlock()

			next := 1_000_000
			randKey := func(db *DB) []byte {
				if db.keys.Len() == 0 {
					return nil
				}
				return []byte(db.keys.FairRandom().Key)
			}
			ops, jobHits, keptJobs, claimHits, inPlace := 0, 0, 0, 0, 0
			for {
				select {
				case <-s.Done():
				default:
					e.Lock()
					for j := 0; j < 5; j++ {
						ops++
						db := e.DB(rng.IntN(4))
						k := randKey(db)
						if len(s.jobs) > 0 && rng.IntN(4) == 0 {
							// A value being serialized in steps: its job must finish first.
							// (Jobs over replaced values kept aside have no entry.) Any of
							// them: one whose record another's pieces precede waits aside.
							for _, j := range s.jobs[rng.IntN(len(s.jobs)):] {
								if j.en == nil {
									keptJobs++
									continue
								}
								for _, d := range e.dbs {
									if d.keys.Get(j.en.Key) == j.en {
										db, k = d, []byte(j.en.Key)
										jobHits++
									}
								}
								break
							}
						}
						if len(s.claims) > 0 && rng.IntN(2) == 0 {
							// An entry claimed by the walker, maybe being written off the
							// lock right now: the hook must settle the claim first.
							c := &s.claims[rng.IntN(len(s.claims))]
							if c.en != nil && c.en.Version == s.epoch-1 {
								for _, d := range e.dbs {
									if d.keys.Get(c.key) == c.en {
										db, k = d, []byte(c.key)
										claimHits++
									}
								}
							}
						}
						switch r := rng.IntN(100); {
						case r < 10 && k != nil: // in place, as APPEND or SETRANGE
							if o := db.LookupWrite(k); o != nil {
								if b := o.Bytes(); len(b) > 0 {
									b[len(b)-1] ^= 0x20
								}
							}
						case r < 15 && k != nil: // SET of a same-sized string (tstring's setString)
							keep := rng.IntN(2) == 0
							v := []byte("new")
							if en := db.keys.GetBytes(k); en != nil {
								v = bytes.Repeat([]byte{'a' + byte(rng.IntN(26))}, int(en.Value.c))
							}
							if en := db.keys.GetBytes(k); en != nil && db.fitsInPlace(en, EncRaw, len(v)) {
								inPlace++
							}
							// In place, or in a buffer the walker may have recycled.
							db.SetString(k, EncRaw, v, keep)
						case r < 20 && k != nil:
							db.SetKey(k, strObj("new"), rng.IntN(2) == 0)
						case r < 28 && k != nil:
							db.Delete(k)
						case r < 35 && k != nil: // DEL, UNLINK, expiry: the value is discarded
							db.Drop(k)
						case r < 45 && k != nil:
							db.SetExpire(k, now+int64(2e9))
						case r < 50 && k != nil:
							db.RemoveExpire(k)
						case r < 55 && k != nil: // MOVE
							other := e.DB((db.ID + 1) % 4)
							if other.keys.GetBytes(k) == nil {
								en := db.LookupEntry(k, true)
								o := en.Value
								exp := db.ExpireAt(en.Key)
								db.Delete(k)
								other.Add(k, o)
								if exp != -1 {
									other.SetExpire(k, exp)
								}
							}
						case r < 56:
							e.SwapDB(rng.IntN(4), rng.IntN(4))
						case r < 57 && rng.IntN(4) == 0:
							db.Flush()
						case r < 80: // growth
							for n := 0; n < 20; n++ {
								next++
								db.Add([]byte(fmt.Sprintf("n%d", next)), strObj("born later"))
							}
						case r < 90 && db.keys.Len() > 50: // shrink
							for n := 0; n < 40; n++ {
								if k := randKey(db); k != nil {
									db.Delete(k)
								}
							}
						default:
							db.keys.RehashSteps(rng.IntN(50))
						}
					}
					e.Unlock()
					continue
				}
				break
			}
			require.NoError(t, s.Wait())
			require.Empty(t, sink.dups, "keys written twice")
			require.Empty(t, sink.badDB, "records in a chunk of another db")
			require.Equal(t, len(want), len(sink.got))
			for id, w := range want {
				g, ok := sink.got[id]
				require.True(t, ok, "missing %s", id)
				require.Equal(t, w, g, id)
			}
			st := s.Stats()
			require.Equal(t, int64(len(want)), st.KeysTotal)
			require.Equal(t, int64(len(want)), st.KeysDone)
			t.Logf("%d ops during the walk (%d on a value serialized in steps, %d replaced values kept aside seen, %d on claimed entries, %d SETs in place), %d hook keys, %d slices",
				ops, jobHits, keptJobs, claimHits, inPlace, st.HookKeys, st.Slices)
			require.NotZero(t, inPlace, "no SET took the in-place path")

			// Every entry is stamped; a second snapshot right away is exact again.
			e.Lock()
			want2 := snapModel(e)
			sink2 := &snapTestSink{}
			s2, err := e.StartSnapshot(enc, sink2, nil)
			require.NoError(t, err)
			e.Unlock()
			require.NoError(t, s2.Wait())
			require.Equal(t, want2, sink2.got)
		})
	}
}

// TestSnapshotBigRecordPieces: a value serialized in steps is handed over in pieces; a
// hook that finishes a second such value meanwhile holds its record aside until the
// first one's last piece, so the sink sees whole records in order.
// startStepped starts a snapshot, with the engine lock held by the caller, of 3000 keys
// that snapTestInc writes in steps (6-byte names), in slices of one step and chunks of 8
// bytes; want is the dataset at T0.
func startStepped(t *testing.T) (*Engine, *Snapshot, *snapTestSink, map[string]snapRec) {
	return startSteppedWith(t, snapTestInc{})
}

// startSteppedWith is startStepped with another encoder.
func startSteppedWith(t *testing.T, enc SnapshotEncoder) (*Engine, *Snapshot, *snapTestSink, map[string]snapRec) {
	e := New(DefaultSettings(), NewTable())
	e.Lock()
	for i := 0; i < 3000; i++ {
		e.DB(0).Add([]byte(fmt.Sprintf("k%05d", i)), strObj(fmt.Sprintf("%040d", i)))
	}
	want := snapModel(e)
	sink := &snapTestSink{}
	s, err := e.StartSnapshot(enc, sink, &SnapshotOptions{SliceBudget: time.Nanosecond, ChunkBytes: 8})
	require.NoError(t, err)
	return e, s, sink, want
}

func TestSnapshotBigRecordPieces(t *testing.T) {
	e, s, sink, want := startStepped(t)
	// Walk under this goroutine's lock (the walker waits for it) until one job has queued
	// part of its record while a second walker job waits behind it.
	for tries := 0; !(s.open != nil && len(s.jobs) >= 2 && s.jobs[1].en != nil); tries++ {
		require.Less(t, tries, 100000)
		require.True(t, s.slice(time.Nanosecond))
	}
	first, second := s.jobs[0], s.jobs[1]
	require.Same(t, first, s.open)
	e.DB(0).Delete([]byte(second.en.Key)) // the hook finishes the second job now
	require.Len(t, s.held, 1)
	require.Same(t, first, s.open)
	e.Unlock()
	require.NoError(t, s.Wait())
	require.Empty(t, sink.dups)
	require.Equal(t, want, sink.got)
	require.Positive(t, s.Stats().CowBytes)
}

// TestSnapshotClaimHook: a change to an entry the walker claimed, while the claim is
// queued (the hook takes it over and writes the pre-image) and while the walker is
// writing it off the lock (the hook waits for it); and a Cancel meanwhile (it waits too).
func TestSnapshotClaimHook(t *testing.T) {
	setup := func(t *testing.T) (*Engine, *Snapshot, *snapTestSink, *snapTestGate, map[string]snapRec) {
		e := New(DefaultSettings(), NewTable())
		e.Lock()
		for i := 0; i < 200; i++ {
			e.DB(0).Add([]byte(fmt.Sprintf("k%03d", i)), strObj(fmt.Sprintf("v%03d", i)))
		}
		want := snapModel(e)
		g := &snapTestGate{started: make(chan struct{}), release: make(chan struct{})}
		t.Cleanup(g.open)
		sink := &snapTestSink{}
		// One slice claims every key; the walker then stops at its first record.
		s, err := e.StartSnapshot(snapTestDef{SnapshotEncoder: snapTestEnc{}, gate: g}, sink,
			&SnapshotOptions{SliceBudget: time.Minute})
		require.NoError(t, err)
		e.Unlock()
		<-g.started
		e.Lock()
		require.Len(t, s.claims, 200)
		return e, s, sink, g, want
	}
	inPlace := func(db *DB, key string) {
		b := db.LookupWrite([]byte(key)).Bytes()
		b[0] = 'X'
	}

	t.Run("queued and encoding", func(t *testing.T) {
		e, s, sink, g, want := setup(t)
		first, queued := &s.claims[0], &s.claims[100]
		require.Equal(t, claimEncoding, first.state.Load())
		require.Equal(t, claimQueued, queued.state.Load())

		qkey, qen := queued.key, queued.en
		inPlace(e.DB(0), qkey)
		require.Equal(t, claimTaken, queued.state.Load())
		require.Equal(t, s.epoch, qen.Version)
		require.Equal(t, int64(1), s.Stats().HookKeys)

		waited := false
		s.onClaimWait = func() { waited = true; g.open() }
		fkey, fen := first.key, first.en
		inPlace(e.DB(0), fkey)
		require.True(t, waited, "the hook did not wait for the record being written")
		require.Equal(t, claimDone, first.state.Load())
		require.Equal(t, s.epoch, fen.Version)
		require.Equal(t, int64(1), s.Stats().HookKeys)
		require.Equal(t, int64(1), s.Stats().ClaimWaits)
		require.Positive(t, s.Stats().MaxClaimWait)
		require.Zero(t, s.claimWaiters.Load())
		e.Unlock()

		require.NoError(t, s.Wait())
		require.Empty(t, sink.dups)
		require.Equal(t, want, sink.got)
		require.Equal(t, int64(200), s.Stats().KeysDone)
	})

	// The encoder's thread runs at the lowest priority: a hook that spun while it waited
	// would keep a CPU busy at normal priority, with the engine lock held, and the
	// kernel could keep the encoder off that CPU. The hook sleeps instead.
	t.Run("the wait sleeps", func(t *testing.T) {
		e, s, _, g, _ := setup(t)
		first := &s.claims[0]
		const hold = 200 * time.Millisecond
		s.onClaimWait = func() { time.AfterFunc(hold, g.open) }
		cpu0 := processCPU(t)
		start := time.Now()
		inPlace(e.DB(0), first.key)
		require.GreaterOrEqual(t, time.Since(start), hold)
		require.Less(t, processCPU(t)-cpu0, hold/2, "the hook spent its wait on a CPU")
		e.Unlock()
		require.NoError(t, s.Wait())
	})

	t.Run("cancel", func(t *testing.T) {
		e, s, _, g, _ := setup(t)
		first := &s.claims[0]
		waited := false
		s.onClaimWait = func() { waited = true; g.open() }
		s.Cancel()
		require.True(t, waited, "Cancel did not wait for the record being written")
		for i := range s.claims {
			st := s.claims[i].state.Load()
			require.True(t, st == claimDone || st == claimTaken, "claim %d left in state %d", i, st)
		}
		inPlace(e.DB(0), first.key) // no hook any more; nobody reads it off the lock
		e.Unlock()
		require.ErrorIs(t, s.Wait(), ErrSnapshotCanceled)
	})
}

// TestSnapshotProcs: a background snapshot runs with at least two Ps and puts GOMAXPROCS
// back when its sink's End has returned (the final fsync must not hold the only P).
func TestSnapshotProcs(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("one CPU")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	e := New(DefaultSettings(), NewTable())
	e.Lock()
	for i := 0; i < 1000; i++ {
		e.DB(0).Add([]byte(fmt.Sprint(i)), strObj("v"))
	}
	sink := &snapTestSink{slowFor: time.Millisecond}
	s, err := e.StartSnapshot(snapTestEnc{}, sink, &SnapshotOptions{ChunkBytes: 64})
	require.NoError(t, err)
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	e.Unlock()
	require.NoError(t, s.Wait())
	require.Equal(t, 2, sink.endProcs, "GOMAXPROCS while the sink ended")
	require.Equal(t, 1, runtime.GOMAXPROCS(0))

	e.Lock() // Procs -1 leaves it; Cancel puts it back too
	s, err = e.StartSnapshot(snapTestEnc{}, &snapTestSink{}, &SnapshotOptions{Procs: -1})
	require.NoError(t, err)
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
	s.Cancel()
	<-s.Done()
	s, err = e.StartSnapshot(snapTestEnc{}, &snapTestSink{}, nil)
	require.NoError(t, err)
	require.Equal(t, 2, runtime.GOMAXPROCS(0))
	s.Cancel()
	e.Unlock()
	require.ErrorIs(t, s.Wait(), ErrSnapshotCanceled)
	require.Equal(t, 1, runtime.GOMAXPROCS(0))
}

func TestSnapshotCancelAndSinkError(t *testing.T) {
	e := New(DefaultSettings(), NewTable())
	e.Lock()
	for i := 0; i < 5000; i++ {
		e.DB(0).Add([]byte(fmt.Sprint(i)), strObj("v"))
	}
	sink := &snapTestSink{slowFor: time.Millisecond}
	s, err := e.StartSnapshot(snapTestEnc{}, sink, &SnapshotOptions{SliceBudget: time.Microsecond, ChunkBytes: 128, QueueBytes: 1024})
	require.NoError(t, err)
	s.Cancel()
	require.Nil(t, e.Snapshot())
	e.Unlock()
	require.ErrorIs(t, s.Wait(), ErrSnapshotCanceled)

	e.Lock()
	bad := &snapTestSink{failAt: 3}
	s, err = e.StartSnapshot(snapTestEnc{}, bad, &SnapshotOptions{ChunkBytes: 128})
	require.NoError(t, err)
	e.Unlock()
	require.EqualError(t, s.Wait(), "disk full")
	// The failed snapshot released the engine: a new one runs to the end.
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.Lock()
		running := e.Snapshot() != nil
		e.Unlock()
		if !running || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	e.Lock()
	good := &snapTestSink{}
	s, err = e.StartSnapshot(snapTestEnc{}, good, nil)
	require.NoError(t, err)
	e.Unlock()
	require.NoError(t, s.Wait())
	require.Len(t, good.got, 5000)

	// SaveSnapshot works with the lock held, and beside a running background snapshot.
	e.Lock()
	bg, err := e.StartSnapshot(snapTestEnc{}, &snapTestSink{slowFor: time.Millisecond}, &SnapshotOptions{SliceBudget: time.Microsecond, ChunkBytes: 128})
	require.NoError(t, err)
	sync := &snapTestSink{}
	_, err = e.SaveSnapshot(snapTestEnc{}, sync, nil)
	require.NoError(t, err)
	require.Len(t, sync.got, 5000)
	bg.Cancel()
	e.Unlock()
	require.ErrorIs(t, bg.Wait(), ErrSnapshotCanceled)
}

func BenchmarkSnapshotSave(b *testing.B) {
	e := New(DefaultSettings(), NewTable())
	e.Lock()
	defer e.Unlock()
	for i := 0; i < 100_000; i++ {
		e.DB(0).Add([]byte(fmt.Sprintf("key:%d", i)), strObj("value-of-some-length"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	var bytes int64
	for i := 0; i < b.N; i++ {
		st, err := e.SaveSnapshot(snapTestEnc{}, &nullSink{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		bytes = st.BytesWritten
	}
	b.SetBytes(bytes)
}

type nullSink struct{}

func (nullSink) Begin(*SnapshotStart) error { return nil }
func (nullSink) Write(*SnapshotChunk) error { return nil }
func (nullSink) End(err error) error        { return err }

// snapCountEnc is snapTestEnc counting its AppendEntry calls (the walker's and hooks').
type snapCountEnc struct {
	snapTestEnc
	n *int
}

func (c snapCountEnc) AppendEntry(dst []byte, dbID int, key string, o *Object, exp int64) ([]byte, error) {
	*c.n++
	return c.snapTestEnc.AppendEntry(dst, dbID, key, o, exp)
}

// TestSnapshotDroppedBound: replaced small values wait for the walker's next batch
// (dropRec), but only up to maxDropped of them; past that a replaced value is written by
// its hook again. The snapshot still holds every T0 value exactly once.
func TestSnapshotDroppedBound(t *testing.T) {
	e := New(DefaultSettings(), NewTable())
	e.Lock()
	n := maxDropped + 10
	for i := 0; i < n; i++ {
		e.DB(0).Add([]byte(fmt.Sprintf("k%06d", i)), strObj(fmt.Sprintf("v%06d", i)))
	}
	want := snapModel(e)
	hooked := 0
	sink := &snapTestSink{}
	s, err := e.StartSnapshot(snapTestDef{SnapshotEncoder: snapCountEnc{n: &hooked}}, sink, nil)
	require.NoError(t, err)
	// The walker waits for the lock: every key below is still unwritten.
	for i := 0; i < n; i++ {
		e.DB(0).SetKey([]byte(fmt.Sprintf("k%06d", i)), strObj("new"), false)
	}
	require.Len(t, s.dropped, maxDropped)
	require.Equal(t, 10, hooked, "written by their hooks")
	e.Unlock()
	require.NoError(t, s.Wait())
	require.Empty(t, sink.dups)
	require.Equal(t, want, sink.got)
	require.Equal(t, int64(n), s.Stats().HookKeys)
}

// processCPU is the process's user and system time so far.
func processCPU(t *testing.T) time.Duration {
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestSnapshotWalkerPacing: the walker leaves the lock free after its slices while
// clients are at work, even when none of them ran a command: a client that only waited
// for the lock (LockForClient) counts, for walkerCalm; an idle server's walk is never
// paced, and pacing ends once the clients are calm.
func TestSnapshotWalkerPacing(t *testing.T) {
	fill := func(e *Engine, n int) {
		for i := 0; i < n; i++ {
			e.DB(0).Add([]byte(fmt.Sprintf("k%06d", i)), strObj("v"))
		}
	}
	opts := &SnapshotOptions{SliceBudget: time.Nanosecond, SlicePause: 200 * time.Microsecond, Procs: -1}

	t.Run("idle", func(t *testing.T) {
		e := New(DefaultSettings(), NewTable())
		e.Lock()
		fill(e, 300)
		s, err := e.StartSnapshot(snapTestEnc{}, &snapTestSink{}, opts)
		require.NoError(t, err)
		e.Unlock()
		require.NoError(t, s.Wait())
		st := s.Stats()
		require.Greater(t, st.Slices, int64(10))
		require.Zero(t, st.PacedSlices)
	})

	t.Run("a client waited for the lock", func(t *testing.T) {
		e := New(DefaultSettings(), NewTable())
		e.Lock()
		fill(e, 3000) // a walk of 3000 slices of 200 µs pauses at least: longer than walkerCalm
		s, err := e.StartSnapshot(snapTestEnc{}, &snapTestSink{}, opts)
		require.NoError(t, err)
		got := make(chan struct{})
		go func() {
			e.LockForClient() // waits: the test holds the lock, and the walker is next
			e.Unlock()
			close(got)
		}()
		require.Eventually(t, func() bool { return e.lockWaits.Load() == 1 }, 5*time.Second, time.Millisecond)
		e.Unlock()
		<-got
		require.NoError(t, s.Wait())
		st := s.Stats()
		require.Positive(t, st.PacedSlices, "slices after the client's wait are paced")
		require.Less(t, st.PacedSlices, st.Slices, "pacing ends walkerCalm after the last sign of work")
		require.Zero(t, e.Stats.NumCommands, "no command ran: the wait alone counted")
	})
}

func TestLockForClientCountsWaits(t *testing.T) {
	e := New(DefaultSettings(), NewTable())
	e.LockForClient()
	e.Unlock()
	require.Zero(t, e.lockWaits.Load(), "a free lock is no wait")
	e.Lock()
	done := make(chan struct{})
	go func() { e.LockForClient(); e.Unlock(); close(done) }()
	require.Eventually(t, func() bool { return e.lockWaits.Load() == 1 }, 5*time.Second, time.Millisecond)
	e.Unlock()
	<-done
	e.Lock() // Lock (timers, background work) never counts
	go func() { e.Lock(); e.Unlock() }()
	time.Sleep(10 * time.Millisecond)
	e.Unlock()
	require.Equal(t, int64(1), e.lockWaits.Load())
}

// TestSnapshotReplaceKeepsWalkerJob: a value the walker is writing in steps, replaced
// (SetKey) or dropped (Drop) by a client, is not finished by the client's hook: its job
// goes on with the old value, from the copy of the header it was given. A change in place
// (Delete, as RENAME uses, or any write through beforeChange) still finishes it first.
func TestSnapshotReplaceKeepsWalkerJob(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(db *DB, key string)
		kept   bool
	}{
		{"SetKey", func(db *DB, key string) { db.SetKey([]byte(key), strObj("new"), false) }, true},
		{"Drop", func(db *DB, key string) { db.Drop([]byte(key)) }, true},
		{"Delete", func(db *DB, key string) { db.Delete([]byte(key)) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s, sink, want := startStepped(t)
			// Walk under this goroutine's lock until a walker job has queued part of its record.
			for tries := 0; !(s.open != nil && s.jobs[0].en != nil); tries++ {
				require.Less(t, tries, 100000)
				require.True(t, s.slice(time.Nanosecond))
			}
			j := s.jobs[0]
			tc.change(e.DB(0), j.en.Key)
			if tc.kept {
				require.Same(t, j, s.jobs[0], "the job is not finished by the hook")
				require.Nil(t, j.en)
				require.True(t, j.kept)
			} else {
				require.NotContains(t, s.jobs, j, "finished by the hook")
			}
			e.Unlock()
			require.NoError(t, s.Wait())
			require.Empty(t, sink.dups)
			require.Equal(t, want, sink.got)
			require.Positive(t, s.Stats().CowBytes)
		})
	}
}

// snapTestDetach is snapTestInc whose jobs can detach (SnapshotDetacher): Detach copies
// the value, and later steps read the copy.
type snapTestDetach struct{ snapTestInc }

type snapTestDetachJob struct {
	snapTestJob
	detached bool
}

func (d snapTestDetach) BeginBig(dbID int, key string, o *Object, exp int64) SnapshotJob {
	j, _ := d.snapTestInc.BeginBig(dbID, key, o, exp).(*snapTestJob)
	if j == nil {
		return nil
	}
	return &snapTestDetachJob{snapTestJob: *j}
}

func (j *snapTestDetachJob) Detach() error {
	o := strObj(string(j.o.Bytes()))
	j.o, j.detached = &o, true
	return nil
}

// TestSnapshotInPlaceChangeDetachesJob: a change in place to a big value the walker has
// not reached, or is in the middle of writing, detaches the value's job when the job can
// (it goes on from its copy, in the walker's slices); when it cannot, the hook writes the
// value whole, or finishes the job. Either way the file holds the values as of T0.
func TestSnapshotInPlaceChangeDetachesJob(t *testing.T) {
	for _, tc := range []struct {
		name   string
		enc    SnapshotEncoder
		detach bool
	}{
		{"detacher", snapTestDetach{}, true},
		{"no detacher", snapTestInc{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s, sink, want := startSteppedWith(t, tc.enc)
			// A value the walker has not reached: its job is started and detached in the
			// hook, and written later; without a detacher the hook writes it whole.
			e.DB(0).LookupWrite([]byte("k02999")).Bytes()[0] = 'X'
			if tc.detach {
				require.Len(t, s.jobs, 1)
				require.Nil(t, s.jobs[0].en)
				require.True(t, s.jobs[0].kept)
				require.EqualValues(t, 1, s.Stats().DetachedJobs)
			} else {
				require.Empty(t, s.jobs)
			}
			require.EqualValues(t, 1, s.Stats().HookKeys)
			for tries := 0; !(s.open != nil && s.jobs[0].en != nil); tries++ {
				require.Less(t, tries, 100000)
				require.True(t, s.slice(time.Nanosecond))
			}
			j := s.jobs[0]
			key := j.en.Key
			b := e.DB(0).LookupWrite([]byte(key)).Bytes()
			b[0] = 'X' // the change in place, after the hook
			if tc.detach {
				require.Same(t, j, s.jobs[0], "the job is not finished by the hook")
				require.Nil(t, j.en)
				require.True(t, j.job.(*snapTestDetachJob).detached)
				require.EqualValues(t, 2, s.Stats().DetachedJobs)
				e.DB(0).LookupWrite([]byte(key)).Bytes()[1] = 'Y' // a second change: no second Detach
				require.EqualValues(t, 2, s.Stats().DetachedJobs)
			} else {
				require.NotContains(t, s.jobs, j, "finished by the hook")
				require.Zero(t, s.Stats().DetachedJobs)
			}
			e.Unlock()
			require.NoError(t, s.Wait())
			require.Empty(t, sink.dups)
			require.Equal(t, want, sink.got)
			require.Positive(t, s.Stats().CowBytes)
		})
	}
}

// snapTestOff's jobs (keys whose length is a multiple of 3) do their work off the lock
// (SnapshotOffLock): Stage copies one byte of the value, Work moves it to the output
// and checks that the engine's lock is free; Step writes what is left itself (a SAVE).
type snapTestOff struct {
	snapTestEnc
	e                     *Engine
	stages, works, locked *atomic.Int64
}

type snapTestOffJob struct {
	enc     snapTestOff
	db      int
	key     string
	o       *Object
	exp     int64
	next    int
	staged  []byte
	written []byte
}

func (c snapTestOff) BeginBig(dbID int, key string, o *Object, exp int64) SnapshotJob {
	if len(key)%3 != 0 {
		return nil
	}
	return &snapTestOffJob{enc: c, db: dbID, key: key, o: o, exp: exp}
}

func (j *snapTestOffJob) Stage() bool {
	if j.enc.e.TryLock() {
		j.enc.e.Unlock()
		j.enc.locked.Add(1 << 32) // Stage without the lock: counted apart
	}
	if j.staged != nil {
		return true
	}
	v := j.o.Bytes()
	if j.next == len(v) {
		return false
	}
	j.staged = []byte{v[j.next]}
	j.next++
	j.enc.stages.Add(1)
	return true
}

func (j *snapTestOffJob) Work() {
	if !j.enc.e.TryLock() {
		j.enc.locked.Add(1)
	} else {
		j.enc.e.Unlock()
	}
	j.written = append(j.written, j.staged...)
	j.staged = nil
	j.enc.works.Add(1)
}

func (j *snapTestOffJob) Step(dst []byte, _ time.Time) ([]byte, bool, error) {
	v := j.o.Bytes()
	j.written = append(append(j.written, j.staged...), v[j.next:]...)
	j.staged, j.next = nil, len(v)
	dst = binary.AppendUvarint(dst, uint64(j.db))
	dst = binary.AppendUvarint(dst, uint64(len(j.key)))
	dst = append(dst, j.key...)
	dst = binary.AppendUvarint(dst, uint64(len(j.written)))
	dst = append(dst, j.written...)
	return binary.AppendVarint(dst, j.exp), true, nil
}

// TestSnapshotOffLockWork: a background snapshot stages each SnapshotOffLock job under
// the lock and runs its Work with the lock free, Work after Work until Stage has nothing
// left, and the file is the dataset; a SAVE never stages (Step does it all).
func TestSnapshotOffLockWork(t *testing.T) {
	e := New(DefaultSettings(), NewTable())
	e.Lock()
	for i := 0; i < 300; i++ {
		e.DB(i%2).Add(fmt.Appendf(nil, "k%d", i*7), strObj(strings.Repeat(strconv.Itoa(i), 1+i%9)))
	}
	want := snapModel(e)
	for _, nice := range []int{0, -1} { // the encoder thread, or the walker's own
		enc := snapTestOff{e: e, stages: new(atomic.Int64), works: new(atomic.Int64), locked: new(atomic.Int64)}
		sink := &snapTestSink{}
		s, err := e.StartSnapshot(enc, sink, &SnapshotOptions{EncoderNice: nice})
		require.NoError(t, err)
		e.Unlock()
		require.NoError(t, s.Wait())
		e.Lock()
		require.Equal(t, want, sink.got)
		require.Positive(t, enc.stages.Load())
		require.Equal(t, enc.stages.Load(), enc.works.Load(), "every byte staged is worked, off the lock")
		require.Zero(t, enc.locked.Load(), "Work under the lock (low half) or Stage without it (high half)")
	}
	enc := snapTestOff{e: e, stages: new(atomic.Int64), works: new(atomic.Int64), locked: new(atomic.Int64)}
	sink := &snapTestSink{}
	_, err := e.SaveSnapshot(enc, sink, nil)
	require.NoError(t, err)
	e.Unlock()
	require.Equal(t, want, sink.got)
	require.Zero(t, enc.stages.Load()+enc.works.Load(), "a SAVE stages nothing")
}
