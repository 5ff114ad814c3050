package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redisctl/redisctl/internal/sidebyside"
	"github.com/redisctl/redisctl/resp"
)

// extraTest is a benchmark of a command redis-benchmark has no -t test for: setup commands
// run on a fresh (flushed) server, then redis-benchmark runs args as a custom command.
// __rand_int__ in args is redis-benchmark's placeholder (replaced per request within -r).
type extraTest struct {
	needs []string // commands the server must implement
	setup func() [][]string
	args  []string
}

var extraTests = map[string]extraTest{
	"xadd": {needs: []string{"xadd"}, args: []string{"XADD", "bench:stream", "*", "field", "__rand_int__"}},
	"xrange_100": {needs: []string{"xadd", "xrange"}, setup: func() [][]string {
		var cmds [][]string
		for i := 1; i <= 1000; i++ {
			cmds = append(cmds, []string{"XADD", "bench:stream", strconv.Itoa(i) + "-1", "field", "value-" + strconv.Itoa(i)})
		}
		return cmds
	}, args: []string{"XRANGE", "bench:stream", "-", "+", "COUNT", "100"}},
	"pfadd": {needs: []string{"pfadd"}, args: []string{"PFADD", "bench:hll", "__rand_int__"}},
	"pfcount": {needs: []string{"pfadd", "pfcount"}, setup: func() [][]string {
		var cmds [][]string
		for i := 0; i < 100; i++ {
			c := []string{"PFADD", "bench:hll"}
			for j := 0; j < 1000; j++ {
				c = append(c, "element:"+strconv.Itoa(i*1000+j))
			}
			cmds = append(cmds, c)
		}
		return cmds
	}, args: []string{"PFCOUNT", "bench:hll"}},
	"evalsha": {needs: []string{"evalsha", "script"}, setup: func() [][]string {
		return [][]string{{"SCRIPT", "LOAD", benchScript}}
	}, args: []string{"EVALSHA", benchScriptSHA, "1", "bench:counter:__rand_int__"}},
	"geosearch": {needs: []string{"geoadd", "geosearch"}, setup: func() [][]string {
		var cmds [][]string
		c := []string{"GEOADD", "bench:geo"}
		for i := 0; i < 10000; i++ {
			// A deterministic spread over about 2° around (13.36, 38.11).
			lon := 12.36 + float64((i*7919)%10000)/5000
			lat := 37.11 + float64((i*104729)%10000)/5000
			c = append(c, strconv.FormatFloat(lon, 'f', 6, 64), strconv.FormatFloat(lat, 'f', 6, 64), "m"+strconv.Itoa(i))
		}
		return append(cmds, c)
	}, args: []string{"GEOSEARCH", "bench:geo", "FROMLONLAT", "13.361389", "38.115556", "BYRADIUS", "10", "km", "ASC", "COUNT", "10"}},
}

// benchScript is the 3-call script of the scripting benchmark.
const benchScript = "redis.call('INCR', KEYS[1]); redis.call('GET', KEYS[1]); return redis.call('EXPIRE', KEYS[1], 100)"

// benchScriptSHA is SHA1(benchScript), what SCRIPT LOAD answers.
var benchScriptSHA = fmt.Sprintf("%x", sha1.Sum([]byte(benchScript)))

// sendAll sends commands to a server on one pipelined connection and checks no reply is an
// error. Bounded by ctx and a per-read deadline.
func sendAll(ctx context.Context, port int, cmds [][]string) error {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	defer nc.Close()
	bw := bufio.NewWriterSize(nc, 1<<16)
	rr := resp.NewReplyReader(nc)
	const batch = 1000
	var buf []byte
	for start := 0; start < len(cmds); start += batch {
		end := min(start+batch, len(cmds))
		for _, c := range cmds[start:end] {
			buf = resp.AppendArrayLen(buf[:0], len(c))
			for _, a := range c {
				buf = resp.AppendBulkString(buf, a)
			}
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		_ = nc.SetReadDeadline(time.Now().Add(30 * time.Second))
		for i := start; i < end; i++ {
			v, err := rr.ReadValue()
			if err != nil {
				return fmt.Errorf("reply to %s: %w", cmds[i][0], err)
			}
			if v.Type == resp.TypeError {
				return fmt.Errorf("%s: %s", cmds[i][0], v.String())
			}
		}
	}
	return nil
}

// rssBytes is the resident set size of a process.
func rssBytes(pid int) (int64, error) { return sidebyside.ProcStatus(pid, "VmRSS") }

// memDataset is one dataset of the memory comparison.
type memDataset struct {
	name string
	n    int
	gen  func(i int) []string
}

var memDatasets = []memDataset{
	{"1M SET key:%06d <16 bytes>", 1000000, func(i int) []string {
		return []string{"SET", fmt.Sprintf("key:%06d", i), fmt.Sprintf("value-%010d", i)}
	}},
	{"100k 10-field hashes", 100000, func(i int) []string {
		c := []string{"HSET", fmt.Sprintf("hash:%06d", i)}
		for f := 0; f < 10; f++ {
			c = append(c, "field"+strconv.Itoa(f), fmt.Sprintf("value-%06d", i+f))
		}
		return c
	}},
}

// runMem starts a fresh pair of servers per dataset, loads it into both and prints the RSS
// each server grew by, per key.
func runMem(ctx context.Context, redisBin, ours string) error {
	fmt.Println("memory: RSS growth of a fresh server after loading the dataset (VmRSS, /proc/<pid>/status)")
	fmt.Println()
	for _, ds := range memDatasets {
		var per [2]float64
		var used [2]int64
		for i, spec := range []struct{ name, bin, sub string }{{"redis", redisBin, ""}, {"redisctl", ours, "serve"}} {
			var s *server
			var err error
			if spec.sub == "" {
				s, err = start(ctx, spec.name, spec.bin)
			} else {
				s, err = start(ctx, spec.name, spec.bin, spec.sub)
			}
			if err != nil {
				return err
			}
			before, err := rssBytes(s.Cmd.Process.Pid)
			if err == nil {
				cmds := make([][]string, 0, 10000)
				for k := 0; k < ds.n && err == nil; k++ {
					cmds = append(cmds, ds.gen(k))
					if len(cmds) == cap(cmds) || k == ds.n-1 {
						err = sendAll(ctx, s.Port, cmds)
						cmds = cmds[:0]
					}
				}
			}
			var after int64
			if err == nil {
				time.Sleep(500 * time.Millisecond) // let a GC cycle settle
				after, err = rssBytes(s.Cmd.Process.Pid)
			}
			if err == nil {
				out, e := redisCLI(ctx, s.Port, "INFO", "memory")
				err = e
				for _, l := range strings.Split(out, "\n") {
					if v, ok := strings.CutPrefix(strings.TrimSpace(l), "used_memory:"); ok {
						used[i], _ = strconv.ParseInt(v, 10, 64)
					}
				}
			}
			s.Stop()
			if err != nil {
				return fmt.Errorf("%s on %s: %w", ds.name, spec.name, err)
			}
			per[i] = float64(after-before) / float64(ds.n)
		}
		fmt.Printf("%-28s redis %7.1f B/key (used_memory %d)  redisctl %7.1f B/key (used_memory %d)  ratio %.2fx\n",
			ds.name, per[0], used[0], per[1], used[1], per[1]/per[0])
	}
	return nil
}
