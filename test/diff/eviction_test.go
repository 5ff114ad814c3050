package diff_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/internal/difftest"
	"github.com/redisctl/redisctl/resp"
)

// Eviction and memory accounting against redis-server 7.0.15: the OOM refusals (texts,
// which commands, MULTI and EXEC), which keys each policy may evict where the victim is
// certain, OBJECT FREQ/IDLETIME under each kind of policy, the INFO memory fields, and
// used_memory of the same dataset (engine/memory.go models it): strings and small
// encodings within about 1%, sampled containers within 10%.

const evictOOMScript = `
FLUSHALL
CONFIG SET maxmemory-policy noeviction
SET k v
RPUSH l a b
CONFIG SET maxmemory 1
SET k2 v
GET k
EXISTS k
LRANGE l 0 -1
INCR n
APPEND k more
LPUSH l c
SADD s a
HSET h f v
ZADD z 1 a
SETEX e 100 v
MSET a 1 b 2
SETRANGE k 0 x
EXPIRE k 100
TTL k
PERSIST k
LPOP l
OBJECT FREQ k
OBJECT IDLETIME k  #type
MULTI
GET k
SET a b
DISCARD
MULTI
EXEC
CONFIG SET maxmemory 0
MULTI
SET a b
@other CONFIG SET maxmemory 1
EXEC
@other CONFIG SET maxmemory 0
EXISTS a
DEL k l
// volatile policies with no key holding a TTL: nothing to evict, writes refused.
SET k v
CONFIG SET maxmemory-policy volatile-lru
CONFIG SET maxmemory 1
SET x y
GET k
CONFIG SET maxmemory-policy volatile-ttl
SET x y
CONFIG SET maxmemory 0
// allkeys-random with a limit under the baseline: every key goes, then OOM.
SET a 1
SET b 2
CONFIG SET maxmemory-policy allkeys-random
CONFIG SET maxmemory 1
DBSIZE
GET a
SET c 3
CONFIG SET maxmemory 0
DBSIZE
// volatile-lru evicts only the key with a TTL.
SET keep v
SET go v EX 1000
CONFIG SET maxmemory-policy volatile-lru
CONFIG SET maxmemory 1
EXISTS go
EXISTS keep
CONFIG SET maxmemory 0
// LFU: OBJECT FREQ answers, IDLETIME refuses.
CONFIG SET maxmemory-policy allkeys-lfu
SET f v
OBJECT FREQ f
OBJECT IDLETIME f
OBJECT FREQ nokey
CONFIG SET maxmemory-policy allkeys-lru
OBJECT FREQ f
OBJECT IDLETIME f  #type
CONFIG SET maxmemory-samples 0
CONFIG SET maxmemory-samples 10
CONFIG SET maxmemory-eviction-tenacity 101
CONFIG SET maxmemory-eviction-tenacity 100
CONFIG GET maxmemory-eviction-tenacity
CONFIG SET lfu-log-factor -1
CONFIG SET lfu-decay-time 2
CONFIG GET lfu-*
CONFIG SET maxmemory 100mb
CONFIG GET maxmemory
CONFIG SET maxmemory 0
CONFIG SET maxmemory-policy noeviction
// No eviction while clients are paused (isSafeToPerformEvictions); it resumes after.
FLUSHALL
SET pk v
CONFIG SET maxmemory-policy allkeys-random
CLIENT PAUSE 100000 WRITE
CONFIG SET maxmemory 1
GET pk
DBSIZE
CLIENT UNPAUSE
GET pk
DBSIZE
CONFIG SET maxmemory 0
CONFIG SET maxmemory-policy noeviction
// MEMORY: the help and the report of an instance under 5 MB are texts; STATS and
// MALLOC-STATS are measurements (compared by type).
MEMORY HELP
MEMORY DOCTOR
MEMORY STATS  #type
MEMORY MALLOC-STATS  #type
MEMORY PURGE
MEMORY NOSUCH
MEMORY STATS extra
`

// infoMemoryFields are the INFO fields an eviction-aware client reads.
var infoMemoryFields = []string{"used_memory", "used_memory_human", "used_memory_rss",
	"used_memory_peak", "used_memory_peak_human", "used_memory_peak_perc", "used_memory_overhead",
	"used_memory_startup", "used_memory_dataset", "used_memory_dataset_perc", "maxmemory",
	"maxmemory_human", "maxmemory_policy", "mem_fragmentation_ratio", "mem_not_counted_for_evict",
	"mem_clients_normal"}

func infoFields(v resp.Value) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(v.Str), "\r\n") {
		if k, val, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			m[k] = val
		}
	}
	return m
}

// testEviction is TestDiff's "eviction" part.
func testEviction(t *testing.T) {
	p := startPair(t, difftest.SourceWritten)
	t.Run("oom-and-policies", func(t *testing.T) {
		p.Run(t, evictOOMScript)
	})
	main, err := p.Link("main")
	if err != nil {
		t.Fatal(err)
	}
	both := func(args ...string) (r, o resp.Value) {
		t.Helper()
		r, o, err := p.Both(main, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return r, o
	}
	t.Run("info-fields", func(t *testing.T) {
		both("CONFIG", "SET", "maxmemory", "200mb", "maxmemory-policy", "allkeys-lru")
		defer both("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction")
		r, o := both("INFO", "memory")
		rf, of := infoFields(r), infoFields(o)
		for _, f := range infoMemoryFields {
			if _, ok := rf[f]; !ok {
				t.Errorf("redis has no %s", f)
			}
			if _, ok := of[f]; !ok {
				t.Errorf("redisctl has no %s", f)
			}
		}
		for _, f := range []string{"maxmemory", "maxmemory_human", "maxmemory_policy"} {
			if rf[f] != of[f] {
				t.Errorf("%s: redis %q, redisctl %q", f, rf[f], of[f])
			}
		}
		r, o = both("INFO", "stats")
		for _, f := range []string{"evicted_keys", "total_eviction_exceeded_time", "current_eviction_exceeded_time"} {
			if _, ok := infoFields(o)[f]; !ok {
				t.Errorf("redisctl INFO stats has no %s", f)
			}
			if _, ok := infoFields(r)[f]; !ok {
				t.Errorf("redis INFO stats has no %s", f)
			}
		}
	})
	t.Run("used-memory", func(t *testing.T) {
		// Datasets of different shapes: used_memory grows by the same amount on both.
		// tol is the accepted difference in percent: 3 where the model is exact (Redis's
		// own used_memory moves by some 50 KB with its query buffer after a pipeline), 15
		// for zsets, measured with 5 samples as MEMORY USAGE (the first members, by score,
		// are not typical of the rest).
		shapes := []struct {
			name string
			cmds func(i int) []string
			n    int
			tol  float64
		}{
			{"strings", func(i int) []string { return []string{"SET", "s:" + strconv.Itoa(i), strings.Repeat("x", i%200)} }, 100000, 3},
			{"ttl-ints", func(i int) []string {
				return []string{"SET", "n:" + strconv.Itoa(i), strconv.Itoa(i * 7919), "EX", "1000"}
			}, 100000, 3},
			{"hashes", func(i int) []string {
				return []string{"HSET", "h:" + strconv.Itoa(i%500), "f" + strconv.Itoa(i), strings.Repeat("v", 10)}
			}, 100000, 3},
			{"sets", func(i int) []string {
				return []string{"SADD", "set:" + strconv.Itoa(i%20), "member:" + strconv.Itoa(i)}
			}, 100000, 3},
			{"zsets", func(i int) []string {
				return []string{"ZADD", "z:" + strconv.Itoa(i%20), strconv.Itoa(i), "m:" + strconv.Itoa(i)}
			}, 100000, 15},
			{"lists", func(i int) []string {
				return []string{"RPUSH", "l:" + strconv.Itoa(i%50), strings.Repeat("e", 20)}
			}, 100000, 3},
		}
		for _, sh := range shapes {
			t.Run(sh.name, func(t *testing.T) {
				both("FLUSHALL")
				r0, o0 := both("INFO", "memory")
				for i := 0; i < sh.n; i++ {
					for s := range main.C {
						if err := main.C[s].Send(bytesOf(sh.cmds(i))); err != nil {
							t.Fatal(err)
						}
					}
				}
				for s := range main.C {
					for i := 0; i < sh.n; i++ {
						v, err := main.C[s].Read()
						if err != nil {
							t.Fatal(err)
						}
						if v.Type == resp.TypeError {
							t.Fatalf("side %d: %s", s, v.Str)
						}
					}
				}
				r1, o1 := both("INFO", "memory")
				num := func(v resp.Value) int64 {
					n, _ := strconv.ParseInt(infoFields(v)["used_memory"], 10, 64)
					return n
				}
				dr, do := num(r1)-num(r0), num(o1)-num(o0)
				diff := float64(do-dr) / float64(dr) * 100
				t.Logf("%s: redis +%d, redisctl +%d (%+.1f%%)", sh.name, dr, do, diff)
				if diff > sh.tol || diff < -sh.tol {
					t.Errorf("%s: used_memory grew by %d on redis, %d on redisctl (%+.1f%%)", sh.name, dr, do, diff)
				}
			})
		}
		both("FLUSHALL")
	})
}

func bytesOf(s []string) [][]byte {
	b := make([][]byte, len(s))
	for i, a := range s {
		b[i] = []byte(a)
	}
	return b
}
