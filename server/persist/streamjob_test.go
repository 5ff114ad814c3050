package persist

import (
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tstream"
)

// BenchmarkStreamStep is the longest hold of the lock a stream of 1M entries costs in a
// BGSAVE (rdbcompression yes and no): "whole" writes its record at once (AppendEntry), as
// before streamJob; "steps" is streamJob's longest Step with the walker's 50 µs budget;
// "detach" is what a change to the stream costs its client before the walker is done
// (Detach: the listpacks copied and the tail rendered), where the client waited for the
// whole record before; "commands" is the same for a command base. Compare max-lock-µs.
func BenchmarkStreamStep(b *testing.B) {
	h := enginetest.New(b, tstream.Commands())
	for i := 1; i <= 1_000_000; i++ {
		h.Do("XADD", "st", strconv.Itoa(i)+"-0", "field", "value "+strconv.Itoa(i%1000), "n", strconv.Itoa(i))
	}
	h.Do("XGROUP", "CREATE", "st", "g", "0")
	h.Do("XREADGROUP", "GROUP", "g", "c", "COUNT", "1000", "STREAMS", "st", ">")
	e := h.E
	e.Lock()
	defer e.Unlock()
	o := e.DB(0).LookupReadNoTouch([]byte("st"))
	for _, compress := range []bool{true, false} {
		enc := NewRDBEncoder(e, compress)
		lzf := "lzf=" + strconv.FormatBool(compress)
		b.Run("whole/"+lzf, func(b *testing.B) {
			var dst []byte
			benchMaxLock(b, func() (err error) {
				dst, err = enc.AppendEntry(dst[:0], 0, "st", o, -1)
				return err
			})
		})
		newJob := func() engine.SnapshotJob {
			hdr := *o
			return enc.BeginBig(0, "st", &hdr, -1)
		}
		b.Run("steps/"+lzf, func(b *testing.B) { benchStepMaxLock(b, newJob, false) })
		if compress {
			b.Run("detach", func(b *testing.B) {
				benchMaxLock(b, func() error { return newJob().(engine.SnapshotDetacher).Detach() })
			})
		}
	}
	// A command base (aof-use-rdb-preamble no): XADD per entry (cmdStreamJob).
	cmd := NewCommandEncoder().(*cmdEncoder)
	b.Run("whole/commands", func(b *testing.B) {
		var dst []byte
		benchMaxLock(b, func() (err error) {
			dst, err = cmd.AppendEntry(dst[:0], 0, "st", o, -1)
			return err
		})
	})
	b.Run("steps/commands", func(b *testing.B) {
		benchStepMaxLock(b, func() engine.SnapshotJob {
			hdr := *o
			return cmd.BeginBig(0, "st", &hdr, -1)
		}, false)
	})
}
