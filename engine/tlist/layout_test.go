package tlist_test

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

func elem(r *rand.Rand) string {
	switch k := r.Intn(10); {
	case k < 3:
		return strconv.Itoa(r.Intn(200) - 50)
	case k < 4:
		return strconv.FormatInt(r.Int63()-r.Int63(), 10)
	case k < 7:
		return "e" + strconv.Itoa(r.Intn(30))
	case k < 9:
		return strings.Repeat(string(rune('a'+r.Intn(26))), 20+r.Intn(200))
	default:
		b := make([]byte, 300+r.Intn(3000))
		for i := range b {
			b[i] = byte('a' + r.Intn(4))
		}
		return string(b)
	}
}

// TestLayoutFills builds lists under every fill setting and compression depth and
// compares node layout and MEMORY USAGE with Redis after pushes, inserts, sets and
// deletions.
func TestLayoutFills(t *testing.T) {
	d := newDuo(t)
	r := rand.New(rand.NewSource(7))
	type cfg struct{ fills, depths []int }
	for _, c := range []cfg{
		{[]int{-1, -2, -3, -5, 1, 2, 5, 128, 1000}, []int{0, 1, 2}},
		// Clamped and degenerate settings: fill 0 (one element per node), below -5,
		// above 32767; very deep compression.
		{[]int{0, -100, 100000}, []int{0, 3, 1000000}},
	} {
		for _, fill := range c.fills {
			for _, depth := range c.depths {
				d.config(fill, depth)
				t.Logf("fill %d depth %d", fill, depth)
				d.do("DEL", "k")
				for i := 0; i < 600; i++ {
					if i%2 == 0 {
						d.do("RPUSH", "k", elem(r))
					} else {
						d.do("LPUSH", "k", elem(r), elem(r))
					}
				}
				d.layout("k")
				t.Log("pushed")
				for i := 0; i < 150; i++ {
					n := d.do("LLEN", "k").Int
					idx := strconv.FormatInt(r.Int63n(n), 10)
					switch r.Intn(4) {
					case 0:
						pivot := d.do("LINDEX", "k", idx)
						d.do("LINSERT", "k", []string{"BEFORE", "AFTER"}[r.Intn(2)], string(pivot.Str), elem(r))
					case 1:
						d.do("LSET", "k", idx, elem(r))
					case 2:
						d.do("LSET", "k", "-"+strconv.FormatInt(r.Int63n(n)+1, 10), elem(r))
					case 3:
						d.do("LREM", "k", strconv.Itoa(r.Intn(5)-2), elem(r))
					}
				}
				d.layout("k")
				d.do("LTRIM", "k", "7", "-9")
				d.layout("k")
				d.do("LRANGE", "k", "0", "-1")
				d.do("LPOP", "k", "13")
				d.do("RPOP", "k", "27")
				d.layout("k")
			}
		}
	}
}

// TestLayoutPlain uses a small packed threshold so that PLAIN nodes appear.
func TestLayoutPlain(t *testing.T) {
	d := newDuo(t)
	d.threshold(100)
	r := rand.New(rand.NewSource(11))
	for _, depth := range []int{0, 1} {
		d.config(-2, depth)
		d.do("DEL", "k")
		for i := 0; i < 300; i++ {
			d.do([]string{"LPUSH", "RPUSH"}[r.Intn(2)], "k", elem(r))
		}
		d.layout("k")
		for i := 0; i < 200; i++ {
			n := d.do("LLEN", "k").Int
			idx := r.Int63n(n)
			if r.Intn(2) == 0 {
				idx = -idx - 1
			}
			switch r.Intn(3) {
			case 0:
				pivot := d.do("LINDEX", "k", strconv.FormatInt(idx, 10))
				d.do("LINSERT", "k", []string{"BEFORE", "AFTER"}[r.Intn(2)], string(pivot.Str), elem(r))
			case 1:
				d.do("LSET", "k", strconv.FormatInt(idx, 10), elem(r))
			case 2:
				d.do("LREM", "k", "1", string(d.do("LINDEX", "k", strconv.FormatInt(idx, 10)).Str))
			}
			d.layout("k")
		}
		d.do("LRANGE", "k", "0", "-1")
	}
}
