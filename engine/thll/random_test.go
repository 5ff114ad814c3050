package thll_test

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// TestRandomAgainstRedis sends a fixed-seed random sequence of PFADD batches (random
// elements, binary and text, lengths 0..40) over a few keys, with PFCOUNT (one and several
// keys), PFMERGE and PFDEBUG in between, and compares after every command the reply and
// the raw bytes of the touched key (GET) with real Redis. The keys go through sparse,
// promotion (by size and by a lowered hll-sparse-max-bytes) and dense.
func TestRandomAgainstRedis(t *testing.T) {
	p := newPair(t)
	seed := uint64(20240611)
	if s := os.Getenv("THLL_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	n := 2500
	if testing.Short() {
		n = 800
	}
	keys := []string{"h0", "h1", "h2", "h3"}
	key := func() string { return keys[rng.IntN(len(keys))] }
	ele := func() string {
		b := make([]byte, rng.IntN(41))
		if rng.IntN(3) == 0 {
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
		} else {
			for i := range b {
				b[i] = "abcdefghijklmnop0123456789"[rng.IntN(26)]
			}
		}
		return string(b)
	}
	for i := 0; i < n && !t.Failed(); i++ {
		k := key()
		switch r := rng.IntN(100); {
		case r < 70:
			args := []string{"PFADD", k}
			for j := rng.IntN(40); j > 0; j-- {
				args = append(args, ele())
			}
			p.Check(args)
		case r < 80:
			p.Check([]string{"PFCOUNT", k})
		case r < 85:
			p.Check([]string{"PFCOUNT", k, key(), key()})
		case r < 90:
			p.Check([]string{"PFMERGE", k, key()})
		case r < 92:
			p.Check([]string{"PFDEBUG", "ENCODING", k})
		case r < 93:
			p.Check([]string{"PFDEBUG", "DECODE", k})
		case r < 94:
			p.Check([]string{"PFDEBUG", "TODENSE", k})
		case r < 95:
			p.Check([]string{"DEL", k})
		case r < 96:
			// Move the promotion threshold (on both sides) now and then.
			setSparseMax(t, p, []int{3000, 200, 800, 5000}[rng.IntN(4)])
		default:
			p.Check([]string{"MEMORY", "USAGE", k, "SAMPLES", "0"})
		}
		p.Check([]string{"GET", k})
	}
	for _, k := range keys {
		p.Check([]string{"PFCOUNT", k})
		p.Check([]string{"GET", k})
	}
	p.Check([]string{"PFCOUNT", "h0", "h1", "h2", "h3"})
}
