package persist_test

import (
	"bufio"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"io"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
	"github.com/redisctl/redisctl/server"
	"github.com/redisctl/redisctl/server/persist"
)

// discardSink is a snapshot sink that counts bytes.
type discardSink struct{ n int64 }

func (d *discardSink) Begin(*engine.SnapshotStart) error { return nil }
func (d *discardSink) Write(c *engine.SnapshotChunk) error {
	d.n += int64(len(c.Data))
	return nil
}
func (d *discardSink) End(err error) error { return err }

func benchEngine(b *testing.B, keys int) *engine.Engine {
	b.Helper()
	eng := engine.New(engine.DefaultSettings(), server.NewTable())
	var w resp.Writer
	w.Reset(io.Discard)
	eng.Lock()
	defer eng.Unlock()
	c := eng.NewClient(&w)
	c.Authenticated = true
	for i := 0; i < keys; i++ {
		k := []byte("key:" + strconv.Itoa(i))
		switch i % 4 {
		case 0:
			eng.Exec(c, [][]byte{[]byte("SET"), k, []byte("value-0123456789-abcdefghij-" + strconv.Itoa(i))})
		case 1:
			eng.Exec(c, [][]byte{[]byte("RPUSH"), k, []byte("a"), []byte("b"), []byte(strconv.Itoa(i))})
		case 2:
			eng.Exec(c, [][]byte{[]byte("HSET"), k, []byte("f1"), []byte("v1"), []byte("f2"), []byte(strconv.Itoa(i))})
		default:
			eng.Exec(c, [][]byte{[]byte("ZADD"), k, []byte("1.5"), []byte("m1"), []byte("2"), []byte(strconv.Itoa(i))})
		}
	}
	return eng
}

// BenchmarkRewriteSnapshot: the AOF base of 200k keys through the engine snapshot, RDB
// records (preamble) or commands, synchronous (lock held) and in the background (1 ms
// slices under the lock, as BGREWRITEAOF runs).
func BenchmarkRewriteSnapshot(b *testing.B) {
	eng := benchEngine(b, 200000)
	for _, form := range []string{"rdb", "commands"} {
		for _, mode := range []string{"sync", "background"} {
			b.Run(form+"/"+mode, func(b *testing.B) {
				enc := func() engine.SnapshotEncoder {
					if form == "rdb" {
						return persist.NewRDBEncoder(eng, true)
					}
					return persist.NewCommandEncoder()
				}
				b.ReportAllocs()
				var total int64
				for i := 0; i < b.N; i++ {
					sink := &discardSink{}
					eng.Lock()
					if mode == "sync" {
						if _, err := eng.SaveSnapshot(enc(), sink, nil); err != nil {
							b.Fatal(err)
						}
						eng.Unlock()
					} else {
						s, err := eng.StartSnapshot(enc(), sink, nil)
						eng.Unlock()
						if err != nil {
							b.Fatal(err)
						}
						if err := s.Wait(); err != nil {
							b.Fatal(err)
						}
					}
					total = sink.n
				}
				b.SetBytes(total)
			})
		}
	}
}

// BenchmarkRewriteFile: the AOF base of the dataset in the RDB file named by
// $PERSIST_BENCH_FILE (e.g. a bench/rdbgen mixed file; skipped when unset), through the
// background snapshot as BGREWRITEAOF runs it: RDB preamble with and without LZF, and
// commands. The output is framed (RDBWriter) and discarded.
func BenchmarkRewriteFile(b *testing.B) {
	path := os.Getenv("PERSIST_BENCH_FILE")
	if path == "" {
		b.Skip("PERSIST_BENCH_FILE not set")
	}
	eng := engine.New(engine.DefaultSettings(), server.NewTable())
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	eng.Lock()
	_, err = rdbobj.Load(eng, bufio.NewReaderSize(f, 1<<20), nil, nil)
	eng.Unlock()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	for _, form := range []string{"rdb-lzf", "rdb-raw", "commands"} {
		b.Run(form, func(b *testing.B) {
			b.ReportAllocs()
			var total int64
			for i := 0; i < b.N; i++ {
				var enc engine.SnapshotEncoder
				var sink engine.SnapshotSink
				c := &countWriter{}
				bw := bufio.NewWriterSize(c, 1<<20)
				if form == "commands" {
					enc, sink = persist.NewCommandEncoder(), &cmdSink{w: bw}
				} else {
					enc = persist.NewRDBEncoder(eng, form == "rdb-lzf")
					sink = persist.NewRDBWriter(bw, persist.HeaderOptions{AOFBase: true})
				}
				eng.Lock()
				s, err := eng.StartSnapshot(enc, sink, nil)
				eng.Unlock()
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Wait(); err != nil {
					b.Fatal(err)
				}
				bw.Flush()
				total = c.n
			}
			b.SetBytes(total)
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// cmdSink writes the chunks of a command-form base as they are.
type cmdSink struct{ w io.Writer }

func (s *cmdSink) Begin(*engine.SnapshotStart) error { return nil }
func (s *cmdSink) Write(c *engine.SnapshotChunk) error {
	_, err := s.w.Write(c.Data)
	return err
}
func (s *cmdSink) End(err error) error { return err }
