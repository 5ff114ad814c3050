package tsort_test

import (
	"cmp"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thash"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tsort"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/engine/tzset"
	"github.com/redisctl/redisctl/resp"
	"github.com/stretchr/testify/require"
)

func newHarness(t testing.TB) *enginetest.Harness {
	return enginetest.New(t, tsort.Commands(), tlist.Commands(), tset.Commands(),
		tzset.Commands(), thash.Commands(), tstring.Commands())
}

// TestPartialSortRange: whatever the input, PartialSort puts in lo..hi exactly what a full
// sort puts there (with a comparison without ties), and keeps the multiset.
func TestPartialSortRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 3000; iter++ {
		n := rng.IntN(120)
		v := rng.Perm(n + 1)[:n]
		if iter%3 == 0 { // sorted and reversed inputs too
			slices.Sort(v)
			if iter%2 == 0 {
				slices.Reverse(v)
			}
		}
		want := slices.Clone(v)
		slices.Sort(want)
		lo, hi := 0, n-1
		if n > 0 {
			lo = rng.IntN(n)
			hi = lo - 1 + rng.IntN(n-lo+1)
		}
		got := slices.Clone(v)
		tsort.PartialSort(got, func(a, b *int) int { return cmp.Compare(*a, *b) }, lo, hi)
		require.Equal(t, want[max(lo, 0):hi+1], got[max(lo, 0):hi+1], "n=%d lo=%d hi=%d", n, lo, hi)
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		require.Equal(t, want, sorted)
	}
}

// TestSortHarness: table tests on the engine alone.
func TestSortHarness(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ cmd, want string }{
		{"SADD s c a b", "(integer) 3"},
		{"SORT s ALPHA", `1) "a" | 2) "b" | 3) "c"`},
		{"RPUSH l 3 1 2", "(integer) 3"},
		{"SORT l DESC", `1) "3" | 2) "2" | 3) "1"`},
		{"SORT l STORE l", "(integer) 3"},
		{"LRANGE l 0 -1", `1) "1" | 2) "2" | 3) "3"`},
		{"SORT l BY nosort DESC LIMIT 0 2", `1) "3" | 2) "2"`},
		{"SORT_RO l STORE x", "(error) ERR syntax error"},
		{"RPUSH e 1e-400", "(integer) 1"},
		{"SORT e", "(error) " + tsort.ErrScores},
		{"SORT e ALPHA", `1) "1e-400"`},
		{"ZADD z 1 a", "(integer) 1"},
		{"OBJECT ENCODING z", `"listpack"`},
		{"SORT_RO z", "(error) " + tsort.ErrScores},
		{"OBJECT ENCODING z", `"skiplist"`},
	} {
		args, _ := splitWords(tc.cmd)
		require.Equal(t, tc.want, oneLine(h.Do(args...).String()), tc.cmd)
	}
	// From a script, a set sorted BY a constant is sorted ALPHA (replies must replicate).
	h.C.Flags |= engine.ClientScript
	require.Equal(t, `1) "a" | 2) "b" | 3) "c"`, oneLine(h.Do("SORT", "s", "BY", "nosort").String()))
}

func splitWords(s string) ([]string, error) {
	var out []string
	cur := ""
	for _, c := range s {
		if c == ' ' {
			if cur != "" {
				out = append(out, cur)
			}
			cur = ""
			continue
		}
		cur += string(c)
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out, nil
}

func oneLine(s string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, " | "...)
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

func benchList(b *testing.B, n int, alpha bool) *enginetest.Harness {
	h := newHarness(b)
	rng := rand.New(rand.NewPCG(3, 4))
	args := []string{"RPUSH", "l"}
	for i := 0; i < n; i++ {
		if alpha {
			args = append(args, "member:"+strconv.Itoa(rng.IntN(1_000_000)))
		} else {
			args = append(args, strconv.FormatFloat(rng.Float64()*1000, 'f', 3, 64))
		}
	}
	h.Do(args...)
	return h
}

// cpuTime is the process's user+system CPU time: on a shared machine wall time per op
// says little, so benchmarks also report "cpu-ns/op".
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func bench(b *testing.B, h *enginetest.Harness, args ...string) {
	cmd := make([][]byte, len(args))
	for i, a := range args {
		cmd[i] = []byte(a)
	}
	// A client whose replies go nowhere: the harness would parse them, which costs more
	// than the sort.
	w := resp.NewWriter(io.Discard)
	h.E.Lock()
	c := h.E.NewClient(w)
	c.Authenticated = true
	h.E.Unlock()
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		h.E.Lock()
		h.E.Exec(c, cmd)
		h.E.Unlock()
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkSortNumeric1000(b *testing.B) {
	bench(b, benchList(b, 1000, false), "SORT", "l", "LIMIT", "0", "10")
}

func BenchmarkSortAlpha1000(b *testing.B) {
	bench(b, benchList(b, 1000, true), "SORT", "l", "ALPHA", "LIMIT", "0", "10")
}

func BenchmarkSortStore1000(b *testing.B) {
	bench(b, benchList(b, 1000, false), "SORT", "l", "STORE", "dst")
}

func BenchmarkSortByLimit1000(b *testing.B) {
	h := newHarness(b)
	args := []string{"RPUSH", "l"}
	for i := 0; i < 1000; i++ {
		args = append(args, strconv.Itoa(i))
		h.Do("SET", "w_"+strconv.Itoa(i), strconv.Itoa((i*7919)%1000))
	}
	h.Do(args...)
	bench(b, h, "SORT", "l", "BY", "w_*", "LIMIT", "0", "10")
}

func BenchmarkSortByGet1000(b *testing.B) {
	h := newHarness(b)
	args := []string{"RPUSH", "l"}
	for i := 0; i < 1000; i++ {
		args = append(args, strconv.Itoa(i))
		h.Do("SET", "w_"+strconv.Itoa(i), strconv.Itoa((i*7919)%1000))
		h.Do("HSET", "h_"+strconv.Itoa(i), "f", "value"+strconv.Itoa(i))
	}
	h.Do(args...)
	bench(b, h, "SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->f")
}
