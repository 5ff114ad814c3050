// Command latprobe is a SET load that says when its slow requests happened and which
// connections they held, where redis-benchmark gives a run's distribution only: -c
// connections send SETs of 64-byte values to random keys (key:000000001234, as
// redis-benchmark -r names them) one at a time, and every -every -burst new connections
// connect at once and send PING. Each request slower than -slow is printed with its start (unix
// ns, to match bench/stallprobe's lines), its connection and its latency; the end prints
// p50/p99/p999/max and the count over 10 ms, for the open connections' SETs and for the
// new connections' first replies apart.
//
//	latprobe -p 6379 -d 60s > slow.txt
//
// Its loops allocate nothing per request: a client's own garbage collection would show as
// a stall of every connection at once (a first version, which formatted each key, did).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	port := flag.Int("p", 6379, "server port (127.0.0.1)")
	dur := flag.Duration("d", 30*time.Second, "how long to run")
	clients := flag.Int("c", 20, "connections sending SETs")
	every := flag.Duration("every", 50*time.Millisecond, "new connections this often (0: none)")
	burst := flag.Int("burst", 1, "new connections at a time, each sending PING (redis-benchmark opens its -c at once)")
	keys := flag.Int("r", 5000000, "random keys")
	slow := flag.Duration("slow", 5*time.Millisecond, "print requests slower than this")
	flag.Parse()
	addr := fmt.Sprintf("127.0.0.1:%d", *port)
	end := time.Now().Add(*dur)
	out := make(chan string, 4096)
	var printed sync.WaitGroup
	printed.Add(1)
	go func() {
		defer printed.Done()
		for line := range out {
			fmt.Print(line)
		}
	}()
	report := func(kind string, id int, t time.Time, d time.Duration) {
		select {
		case out <- fmt.Sprintf("%s conn=%d %.2f ms start=%d\n", kind, id, float64(d)/1e6, t.UnixNano()):
		default:
		}
	}

	const maxSamples = 1 << 20 // per connection: enough for minutes at this rate
	lat := make([][]time.Duration, *clients)
	var fresh []time.Duration
	var wg sync.WaitGroup
	errs := make(chan error, *clients+1)
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer nc.Close()
			r := bufio.NewReader(nc)
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			req := []byte("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n$64\r\n")
			const digits = 23 // offset of the key's 12 digits
			for range 64 {
				req = append(req, 'x')
			}
			req = append(req, "\r\n"...)
			mine := make([]time.Duration, 0, maxSamples)
			for time.Now().Before(end) {
				n := rng.IntN(*keys)
				for i := digits + 11; i >= digits; i-- {
					req[i] = byte('0' + n%10)
					n /= 10
				}
				t := time.Now()
				if _, err := nc.Write(req); err != nil {
					errs <- err
					return
				}
				line, err := r.ReadSlice('\n')
				if err != nil || len(line) == 0 || line[0] != '+' {
					errs <- fmt.Errorf("SET: %q %v", line, err)
					return
				}
				d := time.Since(t)
				if len(mine) < cap(mine) {
					mine = append(mine, d)
				}
				if d > *slow {
					report("set", c, t, d)
				}
			}
			lat[c] = mine
		}()
	}
	if *every > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mu sync.Mutex
			for id := *clients; time.Now().Add(*every).Before(end); id += *burst {
				time.Sleep(*every)
				var bw sync.WaitGroup
				for k := range *burst {
					bw.Add(1)
					go func() {
						defer bw.Done()
						d, t, err := pingNew(addr)
						if err != nil {
							errs <- err
							return
						}
						mu.Lock()
						fresh = append(fresh, d)
						mu.Unlock()
						if d > *slow {
							report("new", id+k, t, d)
						}
					}()
				}
				bw.Wait()
			}
		}()
	}
	wg.Wait()
	close(out)
	printed.Wait()
	select {
	case err := <-errs:
		fmt.Fprintln(os.Stderr, "latprobe:", err)
		os.Exit(1)
	default:
	}
	fmt.Println(summary("# open connections' SETs", slices.Concat(lat...)))
	fmt.Println(summary("# new connections' first replies (connect + PING)", fresh))
}

// pingNew connects and sends PING: the time to the reply, from before the connect.
func pingNew(addr string) (time.Duration, time.Time, error) {
	t := time.Now()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, t, err
	}
	defer nc.Close()
	buf := make([]byte, 64)
	if _, err = nc.Write([]byte("*1\r\n$4\r\nPING\r\n")); err == nil {
		_, err = nc.Read(buf)
	}
	return time.Since(t), t, err
}

func summary(name string, xs []time.Duration) string {
	if len(xs) == 0 {
		return name + ": none"
	}
	slices.Sort(xs)
	over := len(xs) - func() int { i, _ := slices.BinarySearch(xs, 10*time.Millisecond+1); return i }()
	ms := func(q float64) float64 { return float64(xs[min(len(xs)-1, int(q*float64(len(xs))))]) / 1e6 }
	return fmt.Sprintf("%s: n=%d p50=%.3f p99=%.3f p999=%.3f max=%.2f ms, over 10 ms: %d",
		name, len(xs), ms(0.5), ms(0.99), ms(0.999), float64(xs[len(xs)-1])/1e6, over)
}
