// Command bench runs redis-benchmark against the real redis-server and against
// `redisctl serve` in one sitting and prints requests per second side by side, with the
// ratio and each server's CPU time per request read from /proc/<pid>/stat.
//
//	go run ./server/bench                     # builds redisctl, 50 clients, -P 16 and -P 1
//	go run ./server/bench -n 200000 -P 16 -tests set,get
//
// Commands the engine does not implement yet show as "missing". Both servers run on
// loopback ports picked at run time, without persistence, and are stopped by PID.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redisctl/redisctl/internal/sidebyside"
)

func main() {
	var (
		n        = flag.Int("n", 100000, "requests per test (redis-benchmark -n)")
		clients  = flag.Int("c", 50, "parallel clients (redis-benchmark -c)")
		keyspace = flag.Int("r", 100000, "random keyspace size (redis-benchmark -r)")
		pipes    = flag.String("P", "16,1", "pipeline depths to run, comma separated")
		tests    = flag.String("tests", "set,get,incr,lpush,lpop,sadd,hset,zadd,lrange_100,mset", "redis-benchmark tests")
		redisBin = flag.String("redis-server", "redis-server", "the real redis-server")
		ours     = flag.String("redisctl", "", "the redisctl binary (default: go build ./cmd/redisctl)")
		rounds   = flag.Int("rounds", 1, "repeat each measurement and keep the best")
		timeout  = flag.Duration("timeout", 10*time.Minute, "overall time limit")
		mem      = flag.Bool("mem", false, "compare memory instead: RSS per key of 1M SET keys and 100k 10-field hashes")
	)
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if *mem {
		ours, cleanup, err := sidebyside.BuildOurs(ctx, *ours)
		if err == nil {
			err = runMem(ctx, *redisBin, ours)
			cleanup()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, *n, *clients, *keyspace, *pipes, *tests, *redisBin, *ours, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type server = sidebyside.Server

func start(ctx context.Context, name, bin string, args ...string) (*server, error) {
	return sidebyside.Start(ctx, name, bin, args...)
}

func redisCLI(ctx context.Context, port int, args ...string) (string, error) {
	a := append([]string{"-p", strconv.Itoa(port)}, args...)
	out, err := exec.CommandContext(ctx, "redis-cli", a...).Output()
	return string(out), err
}

// cpuTicks is utime+stime of a process in clock ticks (/proc/<pid>/stat fields 14, 15).
func cpuTicks(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, errors.New("bad stat")
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short stat")
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s, nil
}

const ticksPerSecond = 100 // sysconf(_SC_CLK_TCK) on Linux

type result struct {
	rps     float64
	p99     float64 // milliseconds, from redis-benchmark's CSV
	cpuUsec float64 // server CPU microseconds per request
	missing bool
}

// implemented reports whether the server knows every command a redis-benchmark test uses.
func implemented(ctx context.Context, port int, test string) bool {
	if x, ok := extraTests[test]; ok {
		return implementedAll(ctx, port, x.needs)
	}
	needs := map[string][]string{"lrange_100": {"lpush", "lrange"}, "mset": {"mset"}, "ping_mbulk": {"ping"}, "ping_inline": {"ping"}}
	cmds, ok := needs[test]
	if !ok {
		cmds = []string{test}
	}
	return implementedAll(ctx, port, cmds)
}

func implementedAll(ctx context.Context, port int, cmds []string) bool {
	for _, c := range cmds {
		out, err := redisCLI(ctx, port, "COMMAND", "INFO", c)
		if err != nil || strings.TrimSpace(out) == "" {
			return false
		}
	}
	return true
}

func measure(ctx context.Context, s *server, test string, n, clients, keyspace, pipe int) (result, error) {
	if !implemented(ctx, s.Port, test) {
		return result{missing: true}, nil
	}
	if _, err := redisCLI(ctx, s.Port, "FLUSHALL"); err != nil {
		return result{}, err
	}
	args := []string{"-p", strconv.Itoa(s.Port), "-c", strconv.Itoa(clients),
		"-r", strconv.Itoa(keyspace), "-n", strconv.Itoa(n), "-P", strconv.Itoa(pipe), "--csv"}
	if x, ok := extraTests[test]; ok {
		if x.setup != nil {
			if err := sendAll(ctx, s.Port, x.setup()); err != nil {
				return result{}, fmt.Errorf("setup of %s on %s: %w", test, s.Name, err)
			}
		}
		args = append(args, x.args...)
	} else {
		args = append(args, "-t", test)
	}
	before, err := cpuTicks(s.Cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	out, err := exec.CommandContext(ctx, "redis-benchmark", args...).Output()
	if err != nil {
		return result{}, fmt.Errorf("redis-benchmark %s on %s: %w", test, s.Name, err)
	}
	after, err := cpuTicks(s.Cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	rows, err := csv.NewReader(bufio.NewReader(bytes.NewReader(out))).ReadAll()
	if err != nil {
		return result{}, fmt.Errorf("parsing redis-benchmark output: %w", err)
	}
	var rps, p99 float64
	var reqs int
	for _, r := range rows {
		if len(r) < 2 || r[0] == "test" {
			continue
		}
		v, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			continue
		}
		reqs += n
		rps = v // the last row is the test itself (LRANGE runs an LPUSH first)
		if len(r) >= 7 {
			p99, _ = strconv.ParseFloat(r[6], 64) // test,rps,avg,min,p50,p95,p99,max
		}
	}
	if reqs == 0 {
		return result{}, fmt.Errorf("no result in %q", out)
	}
	cpu := float64(after-before) / ticksPerSecond * 1e6 / float64(reqs)
	return result{rps: rps, p99: p99, cpuUsec: cpu}, nil
}

func run(ctx context.Context, n, clients, keyspace int, pipes, tests, redisBin, ours string, rounds int) error {
	ours, cleanup, err := sidebyside.BuildOurs(ctx, ours)
	if err != nil {
		return err
	}
	defer cleanup()
	real, err := start(ctx, "redis", redisBin)
	if err != nil {
		return err
	}
	defer real.Stop()
	mine, err := start(ctx, "redisctl", ours, "serve")
	if err != nil {
		return err
	}
	defer mine.Stop()

	fmt.Printf("redis-benchmark -c %d -r %d -n %d, best of %d; CPU is the server process's user+sys time per request\n\n",
		clients, keyspace, n, rounds)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "test\tP\tredis rps\tredisctl rps\tratio\tredis cpu µs/req\tredisctl cpu µs/req\tcpu ratio\tredis p99 ms\tredisctl p99 ms\t")
	for _, ps := range strings.Split(pipes, ",") {
		pipe, err := strconv.Atoi(strings.TrimSpace(ps))
		if err != nil {
			return fmt.Errorf("bad -P %q", ps)
		}
		for _, test := range strings.Split(tests, ",") {
			test = strings.TrimSpace(test)
			var best [2]result
			for r := 0; r < rounds; r++ {
				// Alternate which server goes first to spread the machine's noise.
				order := []*server{real, mine}
				if r%2 == 1 {
					order = []*server{mine, real}
				}
				for _, s := range order {
					res, err := measure(ctx, s, test, n, clients, keyspace, pipe)
					if err != nil {
						return err
					}
					i := 0
					if s == mine {
						i = 1
					}
					if res.missing || res.rps > best[i].rps {
						best[i] = res
					}
				}
			}
			if best[1].missing {
				fmt.Fprintf(tw, "%s\t%d\t%.0f\tmissing\t-\t%.2f\t-\t-\t\n", test, pipe, best[0].rps, best[0].cpuUsec)
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.2fx\t%.2f\t%.2f\t%.2fx\t%.3f\t%.3f\t\n", test, pipe, best[0].rps, best[1].rps,
				best[1].rps/best[0].rps, best[0].cpuUsec, best[1].cpuUsec, best[1].cpuUsec/best[0].cpuUsec, best[0].p99, best[1].p99)
		}
	}
	return tw.Flush()
}
