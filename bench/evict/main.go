// Command evict compares redisctl serve with the real redis-server on memory accounting
// and eviction, side by side on loopback ports picked at run time (both stopped by PID).
//
//	go run ./bench/evict -mode accuracy   # used_memory of the same datasets on both servers
//	go run ./bench/evict -mode evict      # maxmemory 100mb allkeys-lru: ~1 GB of writes,
//	                                      # then a Zipf read load (cache-aside); hit rates
//	                                      # and peak RSS of both
//
// The load is bounded (flags -keys, -value, -reads) and runs against one server at a time,
// so the two do not compete for CPU.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redisctl/redisctl/internal/sidebyside"
)

func main() {
	var (
		mode     = flag.String("mode", "accuracy", "accuracy | evict")
		redisBin = flag.String("redis-server", "redis-server", "the real redis-server")
		ours     = flag.String("redisctl", "", "the redisctl binary (default: go build ./cmd/redisctl)")
		maxmem   = flag.String("maxmemory", "100mb", "maxmemory for -mode evict")
		policy   = flag.String("policy", "allkeys-lru", "maxmemory-policy for -mode evict")
		keys     = flag.Int("keys", 1000000, "distinct keys written in -mode evict")
		value    = flag.Int("value", 1000, "value size in bytes in -mode evict")
		reads    = flag.Int("reads", 1000000, "Zipf reads in -mode evict")
		zipfS    = flag.Float64("zipf", 1.01, "Zipf exponent s (> 1) of the read load")
		only     = flag.String("only", "", "accuracy: run only datasets whose name contains this")
		timeout  = flag.Duration("timeout", 20*time.Minute, "overall time limit")
	)
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	bin, cleanup, err := sidebyside.BuildOurs(ctx, *ours)
	if err != nil {
		fmt.Fprintln(os.Stderr, "evict:", err)
		os.Exit(1)
	}
	defer cleanup()
	switch *mode {
	case "accuracy":
		err = runAccuracy(ctx, *redisBin, bin, *only)
	case "evict":
		err = runEvict(ctx, *redisBin, bin, *maxmem, *policy, *keys, *value, *reads, *zipfS)
	default:
		err = fmt.Errorf("unknown -mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "evict:", err)
		os.Exit(1)
	}
}

type server = sidebyside.Server

func start(ctx context.Context, name, bin string, args ...string) (*server, error) {
	return sidebyside.Start(ctx, name, bin, args...)
}

// procStatus reads a "Vm…" field of /proc/<pid>/status in bytes (0 when unreadable).
func procStatus(pid int, field string) int64 {
	n, _ := sidebyside.ProcStatus(pid, field)
	return n
}

// client is a minimal pipelining RESP2 client.
type client struct {
	c  net.Conn
	r  *bufio.Reader
	w  *bufio.Writer
	nb []byte
}

func dial(port int) (*client, error) {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &client{c: c, r: bufio.NewReaderSize(c, 1<<16), w: bufio.NewWriterSize(c, 1<<16)}, nil
}

func (c *client) close() { c.c.Close() }

func (c *client) send(args ...[]byte) {
	c.nb = append(c.nb[:0], '*')
	c.nb = strconv.AppendInt(c.nb, int64(len(args)), 10)
	c.nb = append(c.nb, '\r', '\n')
	c.w.Write(c.nb)
	for _, a := range args {
		c.nb = append(c.nb[:0], '$')
		c.nb = strconv.AppendInt(c.nb, int64(len(a)), 10)
		c.nb = append(c.nb, '\r', '\n')
		c.w.Write(c.nb)
		c.w.Write(a)
		c.w.WriteString("\r\n")
	}
}

// read reads one reply: simple strings, errors and integers as their text, bulk strings
// as their content (isNil for a null), arrays skipped element by element.
func (c *client) read() (string, bool, error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return "", false, err
	}
	if len(line) < 3 {
		return "", false, errors.New("short reply line")
	}
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', ':':
		return body, false, nil
	case '-':
		return "", false, errors.New(body)
	case '$':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return "", true, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return "", false, err
		}
		return string(buf[:n]), false, nil
	case '*':
		n, _ := strconv.Atoi(body)
		for i := 0; i < n; i++ {
			if _, _, err := c.read(); err != nil {
				return "", false, err
			}
		}
		return body, false, nil
	}
	return "", false, fmt.Errorf("unexpected reply %q", line)
}

func (c *client) do(args ...string) (string, error) {
	c.send(bargs(args...)...)
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	v, _, err := c.read()
	return v, err
}

func (c *client) info(section, field string) (int64, error) {
	s, err := c.do("INFO", section)
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(s, "\r\n") {
		if strings.HasPrefix(l, field+":") {
			return strconv.ParseInt(l[len(field)+1:], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in INFO %s", field, section)
}

// pipeline sends cmds in batches and checks every reply.
func (c *client) pipeline(cmds [][][]byte) error {
	const batch = 256
	for i := 0; i < len(cmds); i += batch {
		j := min(i+batch, len(cmds))
		for _, a := range cmds[i:j] {
			c.send(a...)
		}
		if err := c.w.Flush(); err != nil {
			return err
		}
		for k := i; k < j; k++ {
			if _, _, err := c.read(); err != nil {
				return fmt.Errorf("%s: %w", cmds[k][0], err)
			}
		}
	}
	return nil
}

func bargs(s ...string) [][]byte {
	b := make([][]byte, len(s))
	for i, a := range s {
		b[i] = []byte(a)
	}
	return b
}

func val(r *rand.Rand, n int) string {
	const abc = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = abc[r.IntN(len(abc))]
	}
	return string(b)
}

type dataset struct {
	name string
	gen  func(r *rand.Rand) [][][]byte
}

var datasets = []dataset{
	{"strings 200k x 10B", func(r *rand.Rand) (c [][][]byte) {
		for i := 0; i < 200000; i++ {
			c = append(c, bargs("SET", "key:"+strconv.Itoa(i), val(r, 10)))
		}
		return
	}},
	{"strings 100k x 100B, half with TTL", func(r *rand.Rand) (c [][][]byte) {
		for i := 0; i < 100000; i++ {
			if i%2 == 0 {
				c = append(c, bargs("SET", "session:"+strconv.Itoa(i), val(r, 100), "EX", "3600"))
			} else {
				c = append(c, bargs("SET", "session:"+strconv.Itoa(i), val(r, 100)))
			}
		}
		return
	}},
	{"integers 100k", func(r *rand.Rand) (c [][][]byte) {
		for i := 0; i < 100000; i++ {
			c = append(c, bargs("SET", "n:"+strconv.Itoa(i), strconv.Itoa(r.IntN(1000000))))
		}
		return
	}},
	{"strings 2k x 10KB", func(r *rand.Rand) (c [][][]byte) {
		v := val(r, 10000)
		for i := 0; i < 2000; i++ {
			c = append(c, bargs("SET", "blob:"+strconv.Itoa(i), v))
		}
		return
	}},
	{"hashes 10k x 20 fields (listpack)", func(r *rand.Rand) (c [][][]byte) {
		for i := 0; i < 10000; i++ {
			a := []string{"HSET", "user:" + strconv.Itoa(i)}
			for f := 0; f < 20; f++ {
				a = append(a, "field"+strconv.Itoa(f), val(r, 8))
			}
			c = append(c, bargs(a...))
		}
		return
	}},
	{"hashes 100 x 1000 fields (hashtable)", func(r *rand.Rand) (c [][][]byte) {
		for i := 0; i < 100; i++ {
			for f := 0; f < 1000; f += 100 {
				a := []string{"HSET", "big:" + strconv.Itoa(i)}
				for k := f; k < f+100; k++ {
					a = append(a, "field:"+strconv.Itoa(k), val(r, 12))
				}
				c = append(c, bargs(a...))
			}
		}
		return
	}},
	{"sets 5k x 100 ints (intset) + 100 x 1000 strings", func(r *rand.Rand) (c [][][]byte) {
		for i := 0; i < 5000; i++ {
			a := []string{"SADD", "ints:" + strconv.Itoa(i)}
			for k := 0; k < 100; k++ {
				a = append(a, strconv.Itoa(r.IntN(1<<30)))
			}
			c = append(c, bargs(a...))
		}
		for i := 0; i < 100; i++ {
			a := []string{"SADD", "strs:" + strconv.Itoa(i)}
			for k := 0; k < 1000; k++ {
				a = append(a, "member:"+strconv.Itoa(k))
			}
			c = append(c, bargs(a...))
		}
		return
	}},
	{"zsets 5k x 50 (listpack) + 100 x 1000 (skiplist)", func(r *rand.Rand) (c [][][]byte) {
		for i := 0; i < 5000; i++ {
			a := []string{"ZADD", "zs:" + strconv.Itoa(i)}
			for k := 0; k < 50; k++ {
				a = append(a, strconv.Itoa(r.IntN(100000)), "m"+strconv.Itoa(k))
			}
			c = append(c, bargs(a...))
		}
		for i := 0; i < 100; i++ {
			a := []string{"ZADD", "zb:" + strconv.Itoa(i)}
			for k := 0; k < 1000; k++ {
				a = append(a, strconv.Itoa(r.IntN(100000)), "member:"+strconv.Itoa(k))
			}
			c = append(c, bargs(a...))
		}
		return
	}},
	{"lists 1k x 1000 x 16B (quicklist)", func(r *rand.Rand) (c [][][]byte) {
		for i := 0; i < 1000; i++ {
			for f := 0; f < 1000; f += 100 {
				a := []string{"RPUSH", "list:" + strconv.Itoa(i)}
				for k := 0; k < 100; k++ {
					a = append(a, val(r, 16))
				}
				c = append(c, bargs(a...))
			}
		}
		return
	}},
}

func runAccuracy(ctx context.Context, redisBin, ours, only string) error {
	rs, err := start(ctx, "redis", redisBin)
	if err != nil {
		return err
	}
	defer rs.Stop()
	us, err := start(ctx, "redisctl", ours, "serve")
	if err != nil {
		return err
	}
	defer us.Stop()
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "dataset\tredis used_memory\tredisctl used_memory\tdiff\tredis dataset Δ\tredisctl dataset Δ\tdiff Δ\t")
	for _, ds := range datasets {
		if only != "" && !strings.Contains(ds.name, only) {
			continue
		}
		var used, delta [2]int64
		for i, s := range []*server{rs, us} {
			c, err := dial(s.Port)
			if err != nil {
				return err
			}
			if _, err := c.do("FLUSHALL"); err != nil {
				return err
			}
			base, err := c.info("memory", "used_memory")
			if err != nil {
				return err
			}
			if err := c.pipeline(ds.gen(rand.New(rand.NewPCG(1, 2)))); err != nil {
				return fmt.Errorf("%s on %s: %w", ds.name, s.Name, err)
			}
			u, err := c.info("memory", "used_memory")
			if err != nil {
				return err
			}
			used[i], delta[i] = u, u-base
			c.close()
		}
		pct := func(a, b int64) string {
			return strconv.FormatFloat(float64(b-a)*100/float64(a), 'f', 1, 64) + "%"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%s\t\n", ds.name, used[0], used[1], pct(used[0], used[1]),
			delta[0], delta[1], pct(delta[0], delta[1]))
	}
	return tw.Flush()
}

type outcome struct {
	hits, misses      int64
	peakRSS, finalRSS int64
	used, evicted     int64
	writeDur, readDur time.Duration
}

// runEvict writes nkeys distinct keys of vsize bytes (every key once, in a shuffled
// order), then runs nreads cache-aside reads (GET; SET on a miss) whose keys follow a Zipf
// popularity scattered over the keyspace, on each server in turn with the same seeds.
func runEvict(ctx context.Context, redisBin, ours, maxmem, policy string, nkeys, vsize, nreads int, s float64) error {
	var res [2]outcome
	sides := []struct {
		name, bin string
		pre       []string
	}{{"redis", redisBin, nil}, {"redisctl", ours, []string{"serve"}}}
	for i, side := range sides {
		a := append(side.pre, "--maxmemory", maxmem, "--maxmemory-policy", policy)
		srv, err := start(ctx, side.name, side.bin, a...)
		if err != nil {
			return err
		}
		o, err := evictLoad(srv, nkeys, vsize, nreads, s)
		srv.Stop()
		if err != nil {
			return fmt.Errorf("%s: %w", side.name, err)
		}
		res[i] = o
	}
	limit, _ := parseMem(maxmem)
	fmt.Printf("maxmemory %s (%d bytes), %s, %d keys x %d B written (%.0f MB), %d Zipf(s=%.2f) cache-aside reads\n",
		maxmem, limit, policy, nkeys, vsize, float64(nkeys)*float64(vsize)/1e6, nreads, s)
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\thit rate\tpeak RSS\tpeak RSS / maxmemory\tfinal RSS\tused_memory\tevicted_keys\twrite s\tread s\t")
	for i, side := range sides {
		o := res[i]
		fmt.Fprintf(tw, "%s\t%.2f%%\t%.1f MB\t%.2f\t%.1f MB\t%.1f MB\t%d\t%.1f\t%.1f\t\n", side.name,
			float64(o.hits)*100/float64(o.hits+o.misses), float64(o.peakRSS)/1e6,
			float64(o.peakRSS)/float64(limit), float64(o.finalRSS)/1e6, float64(o.used)/1e6, o.evicted,
			o.writeDur.Seconds(), o.readDur.Seconds())
	}
	return tw.Flush()
}

func evictLoad(srv *server, nkeys, vsize, nreads int, s float64) (outcome, error) {
	var o outcome
	c, err := dial(srv.Port)
	if err != nil {
		return o, err
	}
	defer c.close()
	pid := srv.Cmd.Process.Pid
	r := rand.New(rand.NewPCG(7, 11))
	v := []byte(val(r, vsize))
	perm := r.Perm(nkeys)
	key := func(k int) []byte { return []byte("key:" + strconv.Itoa(perm[k])) }
	set, get := []byte("SET"), []byte("GET")
	const batch = 128
	t0 := time.Now()
	for k := 0; k < nkeys; k += batch {
		j := min(k+batch, nkeys)
		for x := k; x < j; x++ {
			c.send(set, key(x), v)
		}
		c.w.Flush()
		for x := k; x < j; x++ {
			if _, _, err := c.read(); err != nil {
				return o, fmt.Errorf("SET: %w", err)
			}
		}
		if (k/batch)%64 == 0 {
			o.peakRSS = max(o.peakRSS, procStatus(pid, "VmRSS"))
		}
	}
	o.writeDur = time.Since(t0)
	z := rand.NewZipf(rand.New(rand.NewPCG(3, 5)), s, 1, uint64(nkeys-1))
	t1 := time.Now()
	ranks := make([]int, batch)
	var misses []int
	for n := 0; n < nreads; n += batch {
		m := min(batch, nreads-n)
		for x := 0; x < m; x++ {
			ranks[x] = int(z.Uint64())
			c.send(get, key(ranks[x]))
		}
		c.w.Flush()
		misses = misses[:0]
		for x := 0; x < m; x++ {
			_, isNil, err := c.read()
			if err != nil {
				return o, fmt.Errorf("GET: %w", err)
			}
			if isNil {
				o.misses++
				misses = append(misses, ranks[x])
			} else {
				o.hits++
			}
		}
		for _, k := range misses {
			c.send(set, key(k), v)
		}
		c.w.Flush()
		for range misses {
			if _, _, err := c.read(); err != nil {
				return o, fmt.Errorf("SET: %w", err)
			}
		}
		if (n/batch)%64 == 0 {
			o.peakRSS = max(o.peakRSS, procStatus(pid, "VmRSS"))
		}
	}
	o.readDur = time.Since(t1)
	o.peakRSS = max(o.peakRSS, procStatus(pid, "VmHWM"))
	o.finalRSS = procStatus(pid, "VmRSS")
	o.used, _ = c.info("memory", "used_memory")
	o.evicted, _ = c.info("stats", "evicted_keys")
	return o, nil
}

func parseMem(s string) (int64, error) {
	s = strings.ToLower(s)
	mul := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3}} {
		if strings.HasSuffix(s, u.suf) {
			mul = u.m
			s = strings.TrimSuffix(s, u.suf)
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mul, err
}
