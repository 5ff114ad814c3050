package tstream_test

import (
	"fmt"
	"github.com/redisctl/redisctl/engine/enginetest"
	"math/rand"
	"strconv"
	"testing"
)

// TestRandomAgainstRedis sends a seeded random sequence of every stream command over a
// small key space to redis-server and to the engine, comparing every reply (times with
// tolerance), and periodically XINFO STREAM FULL, MEMORY USAGE and the node bytes.
func TestRandomAgainstRedis(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			p := newPair(t)
			if seed == 3 {
				p.O.Do("CONFIG", "SET", "stream-node-max-entries", "4")
				p.H.E.Lock()
				p.H.E.Set.StreamNodeMaxEntries = 4
				p.H.E.Unlock()
			}
			randomRun(t, p, seed, 3000)
		})
	}
}

func randomRun(t *testing.T, pp *enginetest.Pair, seed int64, ops int) {
	r := rand.New(rand.NewSource(seed))
	keys := []string{"s1", "s2", "str"}
	pp.Check([]string{"SET", "str", "x"})
	ids := map[string][]string{}
	ms := map[string]uint64{"s1": 1, "s2": 1}
	groups := []string{"g0", "g1", "g2"}
	consumers := []string{"c0", "c1", "c2", "c3"}
	key := func() string {
		if r.Intn(20) == 0 {
			return keys[2]
		}
		return keys[r.Intn(2)]
	}
	anyID := func(k string) string {
		l := ids[k]
		if len(l) == 0 || r.Intn(10) == 0 {
			return fmt.Sprintf("%d-%d", r.Intn(50), r.Intn(5))
		}
		return l[r.Intn(len(l))]
	}
	bound := func(k string, lo bool) string {
		switch r.Intn(6) {
		case 0:
			if lo {
				return "-"
			}
			return "+"
		case 1:
			return "(" + anyID(k)
		case 2:
			return strconv.Itoa(r.Intn(60))
		default:
			return anyID(k)
		}
	}
	check := func(args ...string) { checkTimed(t, pp, args) }
	for i := 0; i < ops; i++ {
		k := key()
		g := groups[r.Intn(len(groups))]
		c := consumers[r.Intn(len(consumers))]
		switch op := r.Intn(100); {
		case op < 30:
			if r.Intn(4) == 0 {
				ms[k] += uint64(1 + r.Intn(2))
			}
			args := []string{"XADD", k}
			if r.Intn(10) == 0 {
				args = append(args, "MAXLEN", []string{"~", "=", ""}[r.Intn(3)], strconv.Itoa(r.Intn(40)))
				if args[len(args)-2] == "" {
					args = append(args[:len(args)-2], args[len(args)-1])
				}
			} else if r.Intn(15) == 0 {
				args = append(args, "MINID", "~", anyID(k))
			}
			var id string
			if r.Intn(3) == 0 {
				id = fmt.Sprintf("%d-*", ms[k])
			} else {
				id = fmt.Sprintf("%d-%d", ms[k], r.Intn(4)+int(len(ids[k])))
			}
			args = append(args, id)
			nf := 1 + r.Intn(3)
			for j := 0; j < nf; j++ {
				args = append(args, []string{"f", "g", "h"}[j], strconv.Itoa(r.Intn(1000)))
			}
			v := pp.O.Do(args...)
			got := pp.H.Do(args...)
			if v.String() != got.String() {
				t.Errorf("%v\n  redis:    %s\n  redisctl: %s", args, v.String(), got.String())
			}
			if v.Str != nil {
				ids[k] = append(ids[k], string(v.Str))
			}
		case op < 35:
			check("XDEL", k, anyID(k), anyID(k))
		case op < 38:
			if r.Intn(2) == 0 {
				check("XTRIM", k, "MAXLEN", []string{"~", "="}[r.Intn(2)], strconv.Itoa(r.Intn(30)))
			} else {
				check("XTRIM", k, "MINID", []string{"~", "="}[r.Intn(2)], anyID(k))
			}
		case op < 43:
			args := []string{"XRANGE", k, bound(k, true), bound(k, false)}
			if r.Intn(2) == 0 {
				args[0] = "XREVRANGE"
				args[2], args[3] = bound(k, false), bound(k, true)
			}
			if r.Intn(2) == 0 {
				args = append(args, "COUNT", strconv.Itoa(r.Intn(5)))
			}
			check(args...)
		case op < 45:
			check("XLEN", k)
		case op < 49:
			args := []string{"XGROUP", "CREATE", k, g, []string{"$", "0", anyID(k)}[r.Intn(3)]}
			if r.Intn(3) == 0 {
				args = append(args, "MKSTREAM")
			}
			if r.Intn(3) == 0 {
				args = append(args, "ENTRIESREAD", strconv.Itoa(r.Intn(10)-1))
			}
			check(args...)
		case op < 51:
			args := []string{"XGROUP", "SETID", k, g, []string{"$", "0", anyID(k)}[r.Intn(3)]}
			if r.Intn(2) == 0 {
				args = append(args, "ENTRIESREAD", strconv.Itoa(r.Intn(10)-1))
			}
			check(args...)
		case op < 52:
			check("XGROUP", "DESTROY", k, g)
		case op < 54:
			check("XGROUP", "CREATECONSUMER", k, g, c)
		case op < 55:
			check("XGROUP", "DELCONSUMER", k, g, c)
		case op < 68:
			args := []string{"XREADGROUP", "GROUP", g, c}
			if r.Intn(2) == 0 {
				args = append(args, "COUNT", strconv.Itoa(r.Intn(4)))
			}
			if r.Intn(5) == 0 {
				args = append(args, "NOACK")
			}
			args = append(args, "STREAMS", k)
			if r.Intn(4) == 0 {
				args = append(args, anyID(k))
			} else {
				args = append(args, ">")
			}
			check(args...)
		case op < 71:
			check("XREAD", "COUNT", strconv.Itoa(r.Intn(4)), "STREAMS", "s1", "s2", anyID("s1"), anyID("s2"))
		case op < 76:
			check("XACK", k, g, anyID(k), anyID(k))
		case op < 80:
			if r.Intn(2) == 0 {
				check("XPENDING", k, g)
			} else {
				args := []string{"XPENDING", k, g, bound(k, true), bound(k, false), strconv.Itoa(r.Intn(6))}
				if r.Intn(2) == 0 {
					args = append(args, c)
				}
				check(args...)
			}
		case op < 85:
			args := []string{"XCLAIM", k, g, c, "0", anyID(k), anyID(k)}
			for _, o := range []string{"JUSTID", "FORCE"} {
				if r.Intn(3) == 0 {
					args = append(args, o)
				}
			}
			if r.Intn(4) == 0 {
				args = append(args, "RETRYCOUNT", strconv.Itoa(r.Intn(5)))
			}
			if r.Intn(6) == 0 {
				args = append(args, "LASTID", anyID(k))
			}
			check(args...)
		case op < 89:
			args := []string{"XAUTOCLAIM", k, g, c, "0", bound(k, true), "COUNT", strconv.Itoa(1 + r.Intn(4))}
			if r.Intn(3) == 0 {
				args = append(args, "JUSTID")
			}
			check(args...)
		case op < 92:
			check("XINFO", "GROUPS", k)
		case op < 95:
			check("XINFO", "CONSUMERS", k, g)
		case op < 98:
			check("XINFO", "STREAM", k)
		default:
			args := []string{"XSETID", k, anyID(k)}
			if r.Intn(2) == 0 {
				args = append(args, "ENTRIESADDED", strconv.Itoa(r.Intn(100)))
			}
			check(args...)
		}
		if i%100 == 99 {
			for _, k := range keys[:2] {
				check("XINFO", "STREAM", k, "FULL")
				check("MEMORY", "USAGE", k, "SAMPLES", "0")
				check("MEMORY", "USAGE", k)
				compareNodes(t, pp, k, fmt.Sprintf("seed %d op %d", seed, i))
			}
		}
		if t.Failed() {
			t.Fatalf("stopping at op %d", i)
		}
	}
}
