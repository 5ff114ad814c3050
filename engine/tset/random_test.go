package tset_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/tset"
	"github.com/redisctl/redisctl/engine/tstring"
	"github.com/redisctl/redisctl/internal/redistest"
	"github.com/redisctl/redisctl/resp"
)

// randomSide is one side of the random differential test.
type randomSide interface {
	Do(args ...string) resp.Value
}

// TestSetRandomAgainstRedis sends a seeded random sequence of set commands over a few
// colliding keys to redis-server and to the engine, under a small intset limit (many
// conversions) and under the default one. Deterministic replies must be identical
// (unordered ones as multisets); SPOP and SRANDMEMBER are checked by their properties, and
// after a random SPOP both sides are resynchronized with the oracle's remaining members.
func TestSetRandomAgainstRedis(t *testing.T) {
	o := enginetest.NewOracle(t, redistest.WithArgs("--enable-debug-command", "yes"))
	h := enginetest.New(t, tset.Commands(), tstring.Commands())
	h.RealClock()
	rng := rand.New(rand.NewPCG(20240601, 7))
	defer func() { t.Logf("%d exact comparisons", exactCount) }()
	for _, limit := range []int{6, 512} {
		h.E.Set.SetMaxIntsetEntries = limit
		o.Do("CONFIG", "SET", "set-max-intset-entries", strconv.Itoa(limit))
		o.Do("FLUSHALL")
		h.Do("FLUSHALL")
		r := &randomRun{t: t, o: o, h: h, rng: rng, limit: limit}
		for range 2500 {
			r.step()
			if t.Failed() {
				t.FailNow()
			}
		}
	}
}

type randomRun struct {
	t     *testing.T
	o     *enginetest.Oracle
	h     *enginetest.Harness
	rng   *rand.Rand
	limit int
}

var randomKeys = []string{"k0", "k1", "k2", "k3", "str"}

func (r *randomRun) key() string {
	if r.rng.IntN(30) == 0 {
		return "str"
	}
	return randomKeys[r.rng.IntN(4)]
}

func (r *randomRun) member() string {
	switch r.rng.IntN(10) {
	case 0, 1, 2, 3, 4:
		return strconv.Itoa(r.rng.IntN(24) - 4)
	case 5:
		return []string{"100000", "-70000", "5000000000", "9223372036854775807", "-9223372036854775808"}[r.rng.IntN(5)]
	case 6:
		return []string{"01", "-0", "", " 1", "+1", "9223372036854775808", "1.5"}[r.rng.IntN(7)]
	default:
		return string(rune('a'+r.rng.IntN(6))) + strings.Repeat("x", r.rng.IntN(3))
	}
}

func (r *randomRun) members(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = r.member()
	}
	return out
}

func (r *randomRun) keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = r.key()
	}
	return out
}

func cat(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			out = append(out, v)
		case []string:
			out = append(out, v...)
		}
	}
	return out
}

func (r *randomRun) step() {
	if r.rng.IntN(100) == 0 {
		r.both("SET", "str", "x")
	}
	k := r.key()
	switch r.rng.IntN(22) {
	case 0, 1, 2:
		r.exact(cat("SADD", k, r.members(1+r.rng.IntN(5))))
	case 3:
		r.exact(cat("SREM", k, r.members(1+r.rng.IntN(3))))
	case 4:
		r.exact(cat("SCARD", k))
		r.exact(cat("SISMEMBER", k, r.member()))
	case 5:
		r.exact(cat("SMISMEMBER", k, r.members(1+r.rng.IntN(3))))
	case 6:
		r.unordered(cat("SMEMBERS", k))
	case 7:
		r.exact(cat("SMOVE", k, r.key(), r.member()))
	case 8:
		r.unordered(cat("SINTER", r.keys(1+r.rng.IntN(3))))
	case 9:
		r.unordered(cat("SUNION", r.keys(1+r.rng.IntN(3))))
	case 10:
		r.unordered(cat("SDIFF", r.keys(1+r.rng.IntN(3))))
	case 11:
		n := 1 + r.rng.IntN(3)
		args := cat("SINTERCARD", strconv.Itoa(n), r.keys(n))
		if r.rng.IntN(2) == 0 {
			args = append(args, "LIMIT", strconv.Itoa(r.rng.IntN(4)))
		}
		r.exact(args)
	case 12:
		r.exact(cat("SINTERSTORE", k, r.keys(1+r.rng.IntN(3))))
	case 13:
		r.exact(cat("SUNIONSTORE", k, r.keys(1+r.rng.IntN(3))))
	case 14:
		r.exact(cat("SDIFFSTORE", k, r.keys(1+r.rng.IntN(3))))
	case 15:
		r.exact(cat("OBJECT", "ENCODING", k))
		r.memory(k)
	case 16:
		r.scan(k)
	case 17:
		r.pop(k)
	case 18:
		r.randmember(k)
	case 19:
		// SPOP of at least the whole set is deterministic.
		r.unordered(cat("SPOP", k, strconv.Itoa(50+r.rng.IntN(3))))
	case 20:
		r.exact(cat("SADD", k, r.ints(1+r.rng.IntN(12))))
	default:
		r.exact(cat("EXISTS", k))
	}
}

func (r *randomRun) ints(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(r.rng.IntN(40))
	}
	return out
}

func (r *randomRun) both(args ...string) (want, got resp.Value) {
	return r.o.Do(args...), r.h.Do(args...)
}

var exactCount int

func (r *randomRun) exact(args []string) {
	exactCount++
	want, got := r.both(args...)
	if want.String() != got.String() {
		r.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "), want, got)
	}
}

func sortedElems(v resp.Value) string {
	parts := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		parts[i] = e.String()
	}
	slices.Sort(parts)
	return v.Type.String() + strings.Join(parts, ",")
}

func (r *randomRun) unordered(args []string) {
	want, got := r.both(args...)
	if want.IsError() || got.IsError() || len(want.Elems)+len(got.Elems) == 0 {
		if want.String() != got.String() {
			r.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "), want, got)
		}
		return
	}
	if sortedElems(want) != sortedElems(got) {
		r.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "), want, got)
	}
}

// scan compares a full SSCAN (one call with a large COUNT returns everything).
func (r *randomRun) scan(k string) {
	args := []string{"SSCAN", k, "0", "COUNT", "1000"}
	if r.rng.IntN(3) == 0 {
		args = append(args, "MATCH", []string{"*1*", "a*", "-*", "?"}[r.rng.IntN(4)])
	}
	want, got := r.both(args...)
	if want.IsError() || got.IsError() {
		if want.String() != got.String() {
			r.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "), want, got)
		}
		return
	}
	if len(want.Elems) != 2 || len(got.Elems) != 2 || string(want.Elems[0].Str) != string(got.Elems[0].Str) ||
		sortedElems(want.Elems[1]) != sortedElems(got.Elems[1]) {
		r.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "), want, got)
	}
}

// memory compares MEMORY USAGE SAMPLES 0 unless one of the hashtables is mid-rehash: how
// many rehash steps finish a table depends on where the hash puts the members.
func (r *randomRun) memory(k string) {
	enc := r.h.Do("OBJECT", "ENCODING", k)
	if string(enc.Str) == "hashtable" {
		st := r.o.Do("DEBUG", "HTSTATS-KEY", k)
		if strings.Contains(string(st.Str), "rehashing target") {
			return
		}
		r.h.E.Lock()
		obj := r.h.E.DB(0).LookupReadNoTouch([]byte(k))
		rehashing := obj != nil && tset.Hashtable(obj).IsRehashing()
		r.h.E.Unlock()
		if rehashing {
			return
		}
	}
	r.exact([]string{"MEMORY", "USAGE", k, "SAMPLES", "0"})
}

func (r *randomRun) smembers(side randomSide, k string) map[string]bool {
	v := side.Do("SMEMBERS", k)
	m := map[string]bool{}
	for _, e := range v.Elems {
		m[string(e.Str)] = true
	}
	return m
}

// pop runs a random SPOP (single or with a count below the size), checks each side's reply
// against its own state, then resynchronizes the key from the oracle.
func (r *randomRun) pop(k string) {
	before := r.smembers(r.o, k)
	var args []string
	count := -1
	if r.rng.IntN(3) == 0 {
		args = []string{"SPOP", k}
	} else {
		count = 1 + r.rng.IntN(max(1, len(before)))
		args = []string{"SPOP", k, strconv.Itoa(count)}
	}
	want, got := r.both(args...)
	if want.IsError() || got.IsError() || want.IsNull() || got.IsNull() {
		if want.String() != got.String() {
			r.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "), want, got)
		}
		return
	}
	for _, side := range []struct {
		name  string
		v     resp.Value
		s     randomSide
		cardB int
	}{{"redis", want, r.o, len(before)}, {"redisctl", got, r.h, len(before)}} {
		var popped []string
		if count < 0 {
			popped = []string{string(side.v.Str)}
		} else {
			for _, e := range side.v.Elems {
				popped = append(popped, string(e.Str))
			}
		}
		seen := map[string]bool{}
		for _, m := range popped {
			if !before[m] || seen[m] {
				r.t.Errorf("%s (%s): popped %q not a distinct member of %v", strings.Join(args, " "), side.name, m, before)
			}
			seen[m] = true
		}
		wantN := 1
		if count >= 0 {
			wantN = min(count, len(before))
		}
		if len(popped) != wantN {
			r.t.Errorf("%s (%s): popped %d members, want %d", strings.Join(args, " "), side.name, len(popped), wantN)
		}
		after := r.smembers(side.s, k)
		if len(after)+len(popped) != len(before) {
			r.t.Errorf("%s (%s): %d left after popping %d of %d", strings.Join(args, " "), side.name, len(after), len(popped), len(before))
		}
		// The rebuild strategy makes a new set, which is an intset when what remains allows.
		if count >= 0 && len(after) > 0 && len(after)*5 <= count {
			allInt := len(after) <= r.limit
			for m := range after {
				if _, ok := tset.IntsetValue([]byte(m)); !ok {
					allInt = false
				}
			}
			enc := string(side.s.Do("OBJECT", "ENCODING", k).Str)
			if (enc == "intset") != allInt {
				r.t.Errorf("%s (%s): rebuilt set %v is %s", strings.Join(args, " "), side.name, after, enc)
			}
		}
	}
	// Resynchronize: both sides rebuild the key from the oracle's members, in its order.
	rest := r.o.Do("SMEMBERS", k)
	r.both("DEL", k)
	if len(rest.Elems) > 0 {
		args := []string{"SADD", k}
		for _, e := range rest.Elems {
			args = append(args, string(e.Str))
		}
		r.both(args...)
	}
}

// randmember checks SRANDMEMBER's shape and that it returns members (distinct ones for a
// positive count).
func (r *randomRun) randmember(k string) {
	var args []string
	count := 0
	single := r.rng.IntN(4) == 0
	if single {
		args = []string{"SRANDMEMBER", k}
	} else {
		count = r.rng.IntN(30) - 10
		args = []string{"SRANDMEMBER", k, strconv.Itoa(count)}
	}
	want, got := r.both(args...)
	if want.IsError() || got.IsError() || want.IsNull() || got.IsNull() {
		if want.String() != got.String() {
			r.t.Errorf("%s\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "), want, got)
		}
		return
	}
	if want.Type != got.Type || len(want.Elems) != len(got.Elems) {
		r.t.Errorf("%s: shapes differ\n  redis:    %s\n  redisctl: %s", strings.Join(args, " "), want, got)
	}
	members := r.smembers(r.h, k)
	var picked []string
	if single {
		picked = []string{string(got.Str)}
	} else {
		for _, e := range got.Elems {
			picked = append(picked, string(e.Str))
		}
	}
	seen := map[string]bool{}
	for _, m := range picked {
		if !members[m] || (count > 0 && seen[m]) {
			r.t.Errorf("%s: %q is not a (distinct) member", strings.Join(args, " "), m)
		}
		seen[m] = true
	}
}
