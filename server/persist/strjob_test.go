package persist

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/internal/redistest"
)

// strValue builds a test string: kind "text" LZF shrinks, "rand" it cannot, "randtext"
// is random bytes then text, "textrand" text then random bytes, "edge" random bytes with
// every 30th byte repeated, whose LZF output lands near the string's length.
func strValue(kind string, n int, seed uint64) []byte {
	b := make([]byte, 0, n)
	x := seed | 1
	next := func() byte {
		x = x*6364136223846793005 + 1442695040888963407
		return byte(x >> 56)
	}
	text := func(until int) {
		for i := 0; len(b) < until; i++ {
			b = append(b, "word "+strconv.Itoa(int(next())*31+i%97)+" again; "...)
		}
		b = b[:until]
	}
	rnd := func(until int) {
		for len(b) < until {
			b = append(b, next())
		}
	}
	switch kind {
	case "text":
		text(n)
	case "rand":
		rnd(n)
	case "randtext":
		rnd(n / 2)
		text(n)
	case "textrand":
		text(n / 2)
		rnd(n)
	case "edge":
		for len(b) < n {
			c := next()
			b = append(b, c)
			if len(b)%30 == 0 && len(b) < n {
				b = append(b, c, c, c)
			}
		}
		b = b[:n]
	}
	return b
}

// TestStrJob: a big string's record, written in blocks and steps, decodes to the string,
// detached at any step and its bytes then overwritten; it is the same bytes whatever the
// steps, and a string of one block gets the bytes of a single LZF call (AppendEntry on
// the rdbobj path). Raw when rdbcompression is off or LZF does not shrink it enough.
func TestStrJob(t *testing.T) {
	sizes := []int{renderBytes, strBlock, strBlock + 1, 3*strBlock + 17, 300_000}
	for _, kind := range []string{"text", "rand", "randtext", "textrand", "edge"} {
		for _, n := range sizes {
			for _, compress := range []bool{true, false} {
				t.Run(kind+"/"+strconv.Itoa(n)+"/compress="+strconv.FormatBool(compress), func(t *testing.T) {
					val := strValue(kind, n, uint64(n))
					head := []byte{0} // the type byte, and an empty key
					head = append(head, 0)
					whole := runJob(t, newStrJob(bytes.Clone(head), val, compress), nil)
					dec, _ := decodeRecord(t, whole).(redistest.Bytes)
					require.True(t, string(val) == string(dec), "decodes to %d bytes", len(dec))
					lzfRec := whole[2] == 0xC3
					if !compress {
						require.False(t, lzfRec)
					}
					if kind == "text" && compress {
						require.True(t, lzfRec, "text is written with LZF")
					}
					if kind == "rand" {
						require.False(t, lzfRec, "random bytes are written raw")
					}
					if n <= strBlock {
						// One block: a single call's bytes.
						o := engine.NewBytesObject(engine.TypeString, engine.EncRaw, val)
						enc := (&RDBEncoder{compress: compress}).DeferredEncoder()
						want, err := enc.AppendDeferred(nil, 0, "", &o, -1, 0)
						require.NoError(t, err)
						require.True(t, bytes.Equal(want, whole), "one block differs from one call")
					}
					// Steps as a SAVE runs them (Step alone), or as a BGSAVE's walker does
					// (Stage under the lock, then Work off it, until Stage has nothing
					// left), detached after some steps and the string then overwritten.
					for _, background := range []bool{false, true} {
						for _, at := range []int{0, 1, 2, 5, 9} {
							src := bytes.Clone(val)
							job := newStrJob(bytes.Clone(head), src, compress)
							var got []byte
							done := false
							step := func() {
								if background && job.Stage() {
									job.Work()
									return
								}
								var err error
								got, done, err = job.Step(got, time.Now())
								require.NoError(t, err)
							}
							for i := 0; i < at && !done; i++ {
								step()
							}
							require.NoError(t, job.Detach())
							copied, held := job.Copied()
							require.True(t, held)
							require.LessOrEqual(t, copied, int64(n))
							for i := range src {
								src[i] = 'X' // the change the detach was for
							}
							for !done {
								step()
							}
							require.True(t, bytes.Equal(whole, got), "background %v, detached after %d steps: other bytes", background, at)
						}
					}
				})
			}
		}
	}
}

// FuzzStrJob: whatever the string's bytes (repeated to a few blocks), the record decodes
// to them, detached at any step (at/2), written as a SAVE or a BGSAVE does (at's low bit).
func FuzzStrJob(f *testing.F) {
	f.Add([]byte("abc"), uint16(5000), uint8(2), true)
	f.Add([]byte{0, 1, 2, 3, 250, 251}, uint16(33000), uint8(0), true)
	f.Add(strValue("edge", 4000, 7), uint16(40000), uint8(3), true)
	f.Add(strValue("rand", 3000, 9), uint16(65000), uint8(1), false)
	f.Fuzz(func(t *testing.T, seed []byte, extra uint16, at uint8, compress bool) {
		if len(seed) == 0 {
			return
		}
		n := renderBytes + int(extra)
		val := make([]byte, n)
		for i := range val {
			val[i] = seed[i%len(seed)] + byte(i/len(seed)) // repeats that drift
		}
		src := bytes.Clone(val)
		job := newStrJob([]byte{0, 0}, src, compress)
		var got []byte
		for done, i := false, 0; !done; i++ {
			if i == int(at>>1) {
				require.NoError(t, job.Detach())
				clear(src)
			}
			if at&1 == 1 && job.Stage() {
				job.Work()
				continue
			}
			var err error
			got, done, err = job.Step(got, time.Now())
			require.NoError(t, err)
		}
		dec, _ := decodeRecord(t, got).(redistest.Bytes)
		require.True(t, string(val) == string(dec), "decodes to %d bytes, want %d", len(dec), n)
	})
}

// BenchmarkStrJobStep is the longest hold of the engine lock a big string's record costs
// (its LZF): "whole" compresses it in one call, as the record's first step did before
// strJob; "steps" is strJob's longest Step with the walker's 50 µs step budget, as a SAVE
// runs it; "staged" its longest Stage or Step, as a BGSAVE runs it (Work, the LZF, off
// the lock, is not timed). Compare max-lock-µs.
func BenchmarkStrJobStep(b *testing.B) {
	for _, n := range []int{1 << 20, 16 << 20} {
		val := strValue("text", n, 1)
		o := engine.NewBytesObject(engine.TypeString, engine.EncRaw, val)
		enc := (&RDBEncoder{compress: true}).DeferredEncoder()
		mb := strconv.Itoa(n>>20) + "MB"
		b.Run("whole/"+mb, func(b *testing.B) {
			var dst []byte
			benchMaxLock(b, func() (err error) {
				dst, err = enc.AppendDeferred(dst[:0], 0, "k", &o, -1, 0)
				return err
			})
		})
		newJob := func() engine.SnapshotJob { return newStrJob([]byte{0, 1, 'k'}, val, true) }
		b.Run("steps/"+mb, func(b *testing.B) { benchStepMaxLock(b, newJob, false) })
		b.Run("staged/"+mb, func(b *testing.B) { benchStepMaxLock(b, newJob, true) })
	}
}

// BenchmarkBigElementStep is the longest hold of the lock the record of a hash of 4 fields
// of 4 MB of text costs: "whole" writes it at once (AppendEntry), as the walker did for a
// hash of fewer than 256 fields before elemQueue; "steps" is the longest Step of its job
// now, with the walker's 50 µs step budget. Compare max-lock-µs.
func BenchmarkBigElementStep(b *testing.B) {
	h := enginetest.New(b, thash.Commands())
	for i := 0; i < 4; i++ {
		h.Do("HSET", "fat", "f"+strconv.Itoa(i), string(strValue("text", 4<<20, uint64(i))))
	}
	e := h.E
	enc := NewRDBEncoder(e, true)
	e.Lock()
	defer e.Unlock()
	o := e.DB(0).LookupReadNoTouch([]byte("fat"))
	b.Run("whole", func(b *testing.B) {
		var dst []byte
		benchMaxLock(b, func() (err error) {
			dst, err = enc.AppendEntry(dst[:0], 0, "fat", o, -1)
			return err
		})
	})
	b.Run("steps", func(b *testing.B) {
		benchStepMaxLock(b, func() engine.SnapshotJob {
			hdr := *o
			return enc.BeginBig(0, "fat", &hdr, -1)
		}, false)
	})
}

// benchMaxLock runs call in b.Loop and reports the longest call as max-lock-µs.
func benchMaxLock(b *testing.B, call func() error) {
	var worst time.Duration
	for b.Loop() {
		t0 := time.Now()
		err := call()
		worst = max(worst, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(worst.Microseconds()), "max-lock-µs")
}

// benchStepMaxLock runs a job from newJob to its end in each b.Loop, in steps of the
// walker's 50 µs budget (staged: Stage and Work first, as a BGSAVE), and reports its
// longest Step or Stage as max-lock-µs.
func benchStepMaxLock(b *testing.B, newJob func() engine.SnapshotJob, staged bool) {
	dst := make([]byte, 0, 96<<10)
	var worst time.Duration
	for b.Loop() {
		job := newJob()
		off, _ := job.(engine.SnapshotOffLock)
		for done := false; !done; {
			t0 := time.Now()
			if staged && off != nil && off.Stage() {
				worst = max(worst, time.Since(t0))
				off.Work()
				continue
			}
			var err error
			dst, done, err = job.Step(dst[:0], t0.Add(50*time.Microsecond))
			worst = max(worst, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(worst.Microseconds()), "max-lock-µs")
}
