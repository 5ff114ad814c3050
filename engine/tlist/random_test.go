package tlist_test

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

var randKeys = []string{"a", "b", "c", "s"}

func randKey(r *rand.Rand) string { return randKeys[r.Intn(len(randKeys))] }

func randVal(r *rand.Rand) string {
	switch k := r.Intn(20); {
	case k < 8:
		return "v" + strconv.Itoa(r.Intn(6))
	case k < 12:
		return strconv.Itoa(r.Intn(10) - 3)
	case k < 13:
		return "9223372036854775807"
	case k < 17:
		return strings.Repeat("x", r.Intn(90)) + strconv.Itoa(r.Intn(3))
	default:
		return strings.Repeat("y", 100+r.Intn(900))
	}
}

func randIdx(r *rand.Rand) string {
	switch r.Intn(10) {
	case 0:
		return "-9223372036854775808"
	case 1:
		return "9223372036854775807"
	case 2:
		return "x"
	}
	return strconv.Itoa(r.Intn(400) - 200)
}

func randEnd(r *rand.Rand) string {
	return []string{"LEFT", "RIGHT", "left", "Right"}[r.Intn(4)]
}

func randCommand(r *rand.Rand) []string {
	k := randKey(r)
	switch r.Intn(20) {
	case 0, 1:
		args := []string{"LPUSH", k}
		for n := 1 + r.Intn(16); n > 0; n-- {
			args = append(args, randVal(r))
		}
		return args
	case 2, 3:
		args := []string{"RPUSH", k}
		for n := 1 + r.Intn(16); n > 0; n-- {
			args = append(args, randVal(r))
		}
		return args
	case 4:
		return []string{[]string{"LPUSHX", "RPUSHX"}[r.Intn(2)], k, randVal(r), randVal(r)}
	case 5:
		if r.Intn(2) == 0 {
			return []string{[]string{"LPOP", "RPOP"}[r.Intn(2)], k}
		}
		return []string{[]string{"LPOP", "RPOP"}[r.Intn(2)], k, strconv.Itoa(r.Intn(6) - 1)}
	case 6:
		return []string{"LLEN", k}
	case 7:
		return []string{"LINDEX", k, randIdx(r)}
	case 8:
		return []string{"LSET", k, randIdx(r), randVal(r)}
	case 9, 10:
		return []string{"LRANGE", k, randIdx(r), randIdx(r)}
	case 11:
		if r.Intn(4) == 0 {
			return []string{"LTRIM", k, strconv.Itoa(r.Intn(6) - 2), strconv.Itoa(r.Intn(40) - 3)}
		}
		return []string{"LTRIM", k, strconv.Itoa(r.Intn(6)), strconv.Itoa(-1 - r.Intn(6))}
	case 12:
		return []string{"LINSERT", k, []string{"BEFORE", "AFTER", "after", "x"}[r.Intn(4)], randVal(r), randVal(r)}
	case 13:
		return []string{"LREM", k, strconv.Itoa(r.Intn(7) - 3), randVal(r)}
	case 14:
		args := []string{"LPOS", k, randVal(r)}
		for n := r.Intn(3); n > 0; n-- {
			switch r.Intn(4) {
			case 0:
				args = append(args, "RANK", strconv.Itoa(r.Intn(7)-3))
			case 1:
				args = append(args, "COUNT", strconv.Itoa(r.Intn(4)))
			case 2:
				args = append(args, "MAXLEN", strconv.Itoa(r.Intn(10)))
			case 3:
				args = append(args, "COUNT")
			}
		}
		return args
	case 15:
		return []string{"RPOPLPUSH", k, randKey(r)}
	case 16:
		return []string{"LMOVE", k, randKey(r), randEnd(r), randEnd(r)}
	case 17:
		n := 1 + r.Intn(3)
		args := []string{"LMPOP", strconv.Itoa(n)}
		for i := 0; i < n; i++ {
			args = append(args, randKey(r))
		}
		args = append(args, randEnd(r))
		if r.Intn(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(r.Intn(5)))
		}
		return args
	case 18:
		switch r.Intn(20) {
		case 0:
			return []string{"SET", "s", "str"}
		case 1:
			return []string{"DEL", k}
		}
		return []string{"LPOS", k, randVal(r), "RANK", "-1", "COUNT", "0"}
	default:
		return []string{"LRANGE", k, "0", "-1"}
	}
}

// TestRandomAgainstRedis runs a seeded random sequence of list commands on a small key
// space against Redis, under several fill/compression settings and both protocols, and
// checks the node layout of every key from time to time.
func TestRandomAgainstRedis(t *testing.T) {
	d := newDuo(t)
	r := rand.New(rand.NewSource(2024))
	configs := []struct{ fill, depth int }{{-2, 0}, {4, 1}, {-1, 2}, {3, 0}}
	for ci, c := range configs {
		d.config(c.fill, c.depth)
		if ci == 1 {
			d.threshold(200)
		}
		if ci == 2 {
			d.threshold(0)
		}
		proto := 2 + ci%2
		d.h.SetProto(proto)
		d.o.Do("HELLO", strconv.Itoa(proto))
		for i := 0; i < 1500; i++ {
			d.do(randCommand(r)...)
			if i%100 == 99 {
				for _, k := range randKeys[:3] {
					d.layout(k)
				}
			}
		}
		t.Logf("fill %d depth %d: LLEN a=%d b=%d c=%d", c.fill, c.depth, d.do("LLEN", "a").Int,
			d.do("LLEN", "b").Int, d.do("LLEN", "c").Int)
	}
}
