package tsort_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestSortTiesAgainstRedis: equal sort keys keep the order Redis leaves them in: glibc's
// stable merge sort without LIMIT, Redis's pqsort with BY and a LIMIT. Lists and intsets
// have a deterministic element order, so both sides must agree element for element.
func TestSortTiesAgainstRedis(t *testing.T) {
	p := newPair(t)
	rng := rand.New(rand.NewPCG(7, 11))
	for _, n := range []int{5, 7, 8, 40, 41, 60, 300} {
		p.Check([]string{"FLUSHALL"})
		list := []string{"RPUSH", "l"}
		set := []string{"SADD", "s"}
		for i := 0; i < n; i++ {
			e := strconv.Itoa(rng.IntN(3 * n))
			list = append(list, e)
			set = append(set, e)
			switch rng.IntN(4) {
			case 0: // missing BY key
			case 1:
				p.Check([]string{"SET", "w_" + e, "same"})
			default:
				p.Check([]string{"SET", "w_" + e, string(rune('a' + rng.IntN(3)))})
			}
			if rng.IntN(2) == 0 {
				p.Check([]string{"HSET", "h_" + e, "f", strconv.Itoa(rng.IntN(4))})
			}
		}
		p.Check(list)
		p.Check(set)
		for _, key := range []string{"l", "s"} {
			for _, by := range []string{"w_*", "h_*->f"} {
				for _, extra := range [][]string{
					nil, {"DESC"}, {"LIMIT", "0", "5"}, {"LIMIT", "3", "7"}, {"LIMIT", "1", "-1"},
					{"LIMIT", strconv.Itoa(n / 2), "4"}, {"LIMIT", strconv.Itoa(n - 3), "10"},
					{"LIMIT", "0", "0"}, {"LIMIT", strconv.Itoa(n), "1"}, {"LIMIT", "2", "5", "DESC"},
				} {
					for _, st := range [][]string{nil, {"STORE", "dst"}} {
						args := append([]string{"SORT", key, "BY", by, "ALPHA"}, extra...)
						args = append(args, st...)
						p.Check(args)
						if st != nil {
							p.Check([]string{"LRANGE", "dst", "0", "-1"})
						}
						// Numeric BY: ties are broken by the element, so only missing or
						// equal keys tie, and equal elements are indistinguishable.
						num := append([]string{"SORT", key, "BY", by}, extra...)
						if by == "h_*->f" {
							p.Check(append(num, "GET", "#", "GET", by))
						}
					}
				}
			}
		}
	}
}

// TestSortNULAgainstRedis: values with NUL bytes. strcoll (ALPHA without STORE) and strtod
// see C strings, cut at the first NUL; STORE compares whole values; patterns are C strings
// for finding '*', "->" and "#".
func TestSortNULAgainstRedis(t *testing.T) {
	p := newPair(t)
	for _, args := range [][]string{
		{"RPUSH", "l", "b\x00z", "b\x00a", "b", "a\x00\x01", "a", "b\x00a", "\x00c", ""},
		{"SORT", "l", "ALPHA"},
		{"SORT", "l", "ALPHA", "DESC"},
		{"SORT", "l", "ALPHA", "STORE", "dst"},
		{"LRANGE", "dst", "0", "-1"},
		{"SORT", "l", "ALPHA", "DESC", "STORE", "dst"},
		{"LRANGE", "dst", "0", "-1"},
		{"SORT", "l", "ALPHA", "LIMIT", "1", "3"},
		{"RPUSH", "n", "3\x00junk", "1", "2\x00", "\x00", "-1"},
		{"SORT", "n"},
		{"SORT", "n", "DESC"},
		{"RPUSH", "k", "1", "2", "3"},
		{"MSET", "w_1", "c", "w_2", "b\x00z", "w_3", "b\x00a", "v\x00_1", "x", "v_1", "y"},
		{"SORT", "k", "BY", "w_*", "ALPHA"},
		{"SORT", "k", "BY", "w_*", "ALPHA", "STORE", "dst"},
		{"LRANGE", "dst", "0", "-1"},
		{"SORT", "k", "BY", "w_*", "ALPHA", "LIMIT", "0", "2"},
		{"SORT", "k", "BY", "v\x00_*"},
		{"SORT", "k", "BY", "v\x00_*", "DESC"},
		{"SORT", "k", "GET", "v\x00_*"},
		{"SORT", "k", "GET", "#\x00x"},
		{"SORT", "k", "GET", "#x"},
		{"HSET", "h_1", "f\x00g", "fg1", "f", "f1"},
		{"HSET", "h_2", "f\x00g", "fg2"},
		{"SORT", "k", "GET", "h_*->f\x00g"},
		{"SORT", "k", "GET", "h_*->\x00g"},
		{"SORT", "k", "GET", "h_*-\x00>f"},
		{"SET", "h_1->\x00g", "literal"},
		{"SORT", "k", "GET", "h_*->\x00g"},
	} {
		p.Check(args)
	}
}
