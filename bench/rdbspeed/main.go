// Command rdbspeed measures redisctl's RDB codec on a file: decode to a discarding consumer
// (every record visited, nothing kept) and transcode (decode + encode to a discarding
// writer), in MB/s of the input, best of -runs, by the wall clock and per CPU-second.
//
//	go run ./bench/rdbspeed -runs 3 /tmp/mixed.rdb
//	go run ./bench/rdbspeed -decode-only -cpuprofile /tmp/dec.prof /tmp/mixed.rdb
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/rdb/rdbconv"
)

func main() {
	runs := flag.Int("runs", 3, "repetitions; the best is reported")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the decode runs to this file")
	decodeOnly := flag.Bool("decode-only", false, "skip the transcode measurement")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: rdbspeed [-runs N] FILE")
		os.Exit(2)
	}
	path := flag.Arg(0)
	st, err := os.Stat(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mb := float64(st.Size()) / (1 << 20)
	// best returns the best wall-clock MB/s of the runs and the best MB/s
	// per CPU-second of the process (user+system, every goroutine): the
	// latter moves much less when other work shares the machine.
	best := func(fn func(f *os.File) error) (wall, cpu float64) {
		bw, bc := time.Duration(1<<62), time.Duration(1<<62)
		for i := 0; i < *runs; i++ {
			f, err := os.Open(path)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			c0 := cpuTime()
			start := time.Now()
			if err := fn(f); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			bw = min(bw, time.Since(start))
			bc = min(bc, cpuTime()-c0)
			f.Close()
		}
		return mb / bw.Seconds(), mb / bc.Seconds()
	}
	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	dec, decCPU := best(func(f *os.File) error {
		d := rdb.NewDecoder(f, nil)
		n := 0
		for d.Next() {
			n++
		}
		return d.Err()
	})
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if *decodeOnly {
		fmt.Printf("%s: %.0f MB, decode %.0f MB/s (%.0f MB/s per CPU-second)\n", path, mb, dec, decCPU)
		return
	}
	tr, trCPU := best(func(f *os.File) error {
		enc, err := rdb.NewEncoder(io.Discard, &rdb.EncoderOptions{TempDir: os.TempDir()})
		if err != nil {
			return err
		}
		_, err = rdbconv.Transcode(rdb.NewDecoder(f, nil), enc)
		return err
	})
	fmt.Printf("%s: %.0f MB, decode %.0f MB/s (%.0f MB/s per CPU-second), decode+encode %.0f MB/s (%.0f per CPU-second)\n",
		path, mb, dec, decCPU, tr, trCPU)
}
