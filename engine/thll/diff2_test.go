package thll_test

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/thll"
)

// setSparseMax sets hll-sparse-max-bytes on both sides for the test.
func setSparseMax(t *testing.T, p *enginetest.Pair, n int) {
	old := thll.SparseMaxBytes()
	thll.SetSparseMaxBytes(int64(n))
	p.O.Do("CONFIG", "SET", "hll-sparse-max-bytes", strconv.Itoa(n))
	t.Cleanup(func() { thll.SetSparseMaxBytes(old) })
}

// TestPromotionAgainstRedis adds elements one at a time until the sparse HLL turns dense,
// comparing the bytes, the encoding and the memory after every step, for the default
// threshold and a few others (including thresholds below the empty HLL's size).
func TestPromotionAgainstRedis(t *testing.T) {
	for _, max := range []int{3000, 0, 17, 18, 19, 25, 64, 200, 1000} {
		t.Run(strconv.Itoa(max), func(t *testing.T) {
			p := newPair(t)
			setSparseMax(t, p, max)
			for i := 0; ; i++ {
				e := "el" + strconv.Itoa(i)
				p.Check([]string{"PFADD", "h", e})
				p.Check([]string{"GET", "h"})
				p.Check([]string{"MEMORY", "USAGE", "h", "SAMPLES", "0"})
				if i%7 == 0 {
					p.Check([]string{"PFCOUNT", "h"})
				}
				enc := p.Check([]string{"PFDEBUG", "ENCODING", "h"})
				if string(enc.Str) == "dense" || i > 5000 || t.Failed() {
					break
				}
			}
			p.Check([]string{"PFCOUNT", "h"})
			p.Check([]string{"GET", "h"})
		})
	}
}

// TestSparseValPromotionAgainstRedis drives a register past 32 (the largest value a VAL
// opcode holds) with an element whose hash has a run of 32 zeros (found by brute force),
// promoting a small sparse HLL to dense; then the same through PFMERGE and on an embstr.
func TestSparseValPromotionAgainstRedis(t *testing.T) {
	const long = `\xba\x09\x9d\xba\x00\x00\x00\x00` // script escapes
	if _, c := thll.PatLen([]byte("\xba\x09\x9d\xba\x00\x00\x00\x00")); c <= 32 {
		t.Fatalf("run of %d", c)
	}
	p := newPair(t)
	p.Run(`
PFADD h a b c
PFDEBUG ENCODING h
MEMORY USAGE h SAMPLES 0
PFADD h "` + long + `"
PFDEBUG ENCODING h
GET h
MEMORY USAGE h SAMPLES 0
PFCOUNT h
PFADD s a
PFMERGE s h
PFDEBUG ENCODING s
GET s
PFADD n "` + long + `"
PFDEBUG ENCODING n
GET n
PFADD e
GET e
`)
	p.Check([]string{"SET", "emb", string(p.H.Do("GET", "e").Str)})
	p.Run(`
OBJECT ENCODING emb
PFADD emb x "` + long + `" y
OBJECT ENCODING emb
PFDEBUG ENCODING emb
MEMORY USAGE emb SAMPLES 0
GET emb
`)
}

func TestPFMergeAgainstRedis(t *testing.T) {
	p := newPair(t)
	var script []byte
	for k := 0; k < 3; k++ {
		script = append(script, "PFADD a"...)
		for i := 0; i < 40; i++ {
			script = append(script, " a"+strconv.Itoa(k*40+i)...)
		}
		script = append(script, '\n')
	}
	p.Run(string(script) + `
PFADD b x1 x2 x3 a1 a2
PFMERGE c a b
GET c
PFDEBUG ENCODING c
PFCOUNT c
PFCOUNT a b
PFMERGE b a
GET b
PFMERGE b b b
GET b
PFCOUNT b
PFADD d z
PFDEBUG TODENSE d
PFMERGE e a d
PFDEBUG ENCODING e
GET e
MEMORY USAGE e SAMPLES 0
PFMERGE a d
PFDEBUG ENCODING a
GET a
PFCOUNT a d e
PFMERGE f nokey nokey2
GET f
PFDEBUG ENCODING f
PFMERGE g d
GET g
SET emb abc
PFMERGE emb a
`)
}

func TestEmbstrAndCacheAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
PFADD h a b c
GET h
`)
	h := string(p.H.Do("GET", "h").Str)
	p.Check([]string{"SET", "copy", h})
	p.Run(`
OBJECT ENCODING copy
MEMORY USAGE copy SAMPLES 0
PFCOUNT copy
OBJECT ENCODING copy
MEMORY USAGE copy SAMPLES 0
GET copy
PFCOUNT copy
`)
	// An embstr with a valid cache: PFCOUNT still unshares it.
	p.Check([]string{"SET", "copy2", string(p.H.Do("GET", "copy").Str)})
	p.Run(`
OBJECT ENCODING copy2
PFCOUNT copy2
OBJECT ENCODING copy2
MEMORY USAGE copy2 SAMPLES 0
PFADD copy2 x
MEMORY USAGE copy2 SAMPLES 0
`)
	// PFADD / PFDEBUG on an embstr.
	p.Check([]string{"SET", "copy3", h})
	p.Run(`
PFADD copy3 a
OBJECT ENCODING copy3
MEMORY USAGE copy3 SAMPLES 0
PFADD copy3 zz
MEMORY USAGE copy3 SAMPLES 0
GET copy3
`)
	p.Check([]string{"SET", "copy4", h})
	p.Run(`
PFDEBUG ENCODING copy4
OBJECT ENCODING copy4
MEMORY USAGE copy4 SAMPLES 0
`)
	// A cached cardinality forged with SETRANGE is believed.
	p.Run(`
PFADD forged a
PFCOUNT forged
SETRANGE forged 8 "\x39\x30\x00\x00\x00\x00\x00\x00"
PFCOUNT forged
SETRANGE forged 15 "\x7f"
PFCOUNT forged
SETRANGE forged 15 "\x80"
PFCOUNT forged
GET forged
`)
}

// TestCorruptedAgainstRedis runs the HLL commands over strings that pass (or fail) the
// header checks with broken bodies.
func TestCorruptedAgainstRedis(t *testing.T) {
	p := newPair(t)
	p.Run(`
SET a "HYLL"
PFADD a x
SET a "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
PFADD a x
PFCOUNT a
SET a "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
PFADD a x
PFCOUNT a
PFDEBUG DECODE a
PFDEBUG TODENSE a
PFDEBUG GETREG a
PFMERGE m a
PFCOUNT a a
SET a "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
PFADD a x
SET a "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
PFADD a x
PFCOUNT a
SET a "hyll\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
PFADD a x
SET a "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
PFADD a x
GET a
PFCOUNT a
PFADD b x
APPEND b "\x80"
PFADD b y
PFCOUNT b
PFMERGE c b
PFDEBUG DECODE b
SET d "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f"
PFDEBUG DECODE d
PFCOUNT d
PFADD d a b c d e
GET d
PFADD e a
PFDEBUG TODENSE e
APPEND e x
PFCOUNT e
PFADD e y
SETRANGE e 4 "\x01"
PFCOUNT e
SET f "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe\x80"
PFCOUNT f
PFADD f a b c
GET f
PFDEBUG GETREG f
SET g "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\xff"
PFCOUNT g
PFMERGE g2 g
PFCOUNT g nokey
`)
}

// TestHalfXZeroAgainstRedis: an XZERO cut in half by the end of the string reads its
// second byte from the terminator; splitting it writes the terminator, as Redis does.
func TestHalfXZeroAgainstRedis(t *testing.T) {
	p := newPair(t)
	var last, first string
	for i := 0; last == "" || first == ""; i++ {
		e := "e" + strconv.Itoa(i)
		switch idx, _ := thll.PatLen([]byte(e)); idx {
		case 16383:
			last = e
		case 0:
			first = e
		}
	}
	hdr := "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80"
	p.Run(`
SET h "` + hdr + `\x7f\xfe@"
PFCOUNT h
PFADD h ` + last + `
GET h
PFDEBUG DECODE h
PFCOUNT h
PFADD h ` + last + `
GET h
SET h "` + hdr + `\x7f\xfe@"
PFADD h ` + first + `
GET h
PFADD h ` + last + `
GET h
PFDEBUG DECODE h
SET h "` + hdr + `@\x00\x7f"
PFADD h ` + last + ` ` + first + `
GET h
PFADD h ` + last + ` ` + first + `
GET h
PFDEBUG DECODE h
`)
}

// TestCorruptedRandomAgainstRedis builds random sparse bodies (random opcodes, some
// covering exactly 16384 registers, most not; some ending in half an XZERO) and compares
// every command's reply and the resulting bytes.
func TestCorruptedRandomAgainstRedis(t *testing.T) {
	p := newPair(t)
	seed := uint64(11)
	if v := os.Getenv("THLL_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 12))
	n := 600
	if testing.Short() {
		n = 200
	}
	hdr := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
	for i := 0; i < n; i++ {
		var body []byte
		if rng.IntN(2) == 0 {
			// A plausible body: opcodes until 16384 registers, sometimes one off.
			left := 16384 + rng.IntN(3) - 1
			for left > 0 {
				switch rng.IntN(4) {
				case 0:
					l := 1 + rng.IntN(min(64, left))
					body = append(body, byte(l-1))
					left -= l
				case 1:
					l := 1 + rng.IntN(min(16384, left))
					body = append(body, 0x40|byte((l-1)>>8), byte(l-1))
					left -= l
				default:
					l := 1 + rng.IntN(min(4, left))
					body = append(body, 0x80|byte(rng.IntN(32))<<2|byte(l-1))
					left -= l
				}
			}
		} else {
			body = make([]byte, rng.IntN(12))
			for j := range body {
				body[j] = byte(rng.IntN(256))
			}
		}
		if i == 0 || rng.IntN(3) == 0 {
			p.Check([]string{"SET", "k", hdr + string(body)})
		} else if rng.IntN(4) == 0 {
			p.Check([]string{"APPEND", "k", string(body[:min(len(body), 2)])})
		}
		switch rng.IntN(6) {
		case 0:
			p.Check([]string{"PFCOUNT", "k"})
		case 1:
			p.Check([]string{"PFCOUNT", "k", "nokey"})
		case 2:
			p.Check([]string{"PFMERGE", "dst", "k"})
			p.Check([]string{"GET", "dst"})
			p.Check([]string{"DEL", "dst"})
		case 3:
			p.Check([]string{"PFDEBUG", "DECODE", "k"})
			p.Check([]string{"PFDEBUG", "TODENSE", "k"})
		default:
			args := []string{"PFADD", "k"}
			for j := rng.IntN(20); j >= 0; j-- {
				args = append(args, strconv.Itoa(rng.IntN(100000)))
			}
			p.Check(args)
		}
		p.Check([]string{"GET", "k"})
		p.Check([]string{"MEMORY", "USAGE", "k", "SAMPLES", "0"})
		if t.Failed() {
			t.Logf("body %q", body)
			return
		}
	}
}

func TestRESP3AgainstRedis(t *testing.T) {
	p := newPair(t)
	p.SetProto(3)
	p.Run(`
PFADD h a b c
PFCOUNT h
PFCOUNT h nokey
PFMERGE m h
PFDEBUG ENCODING m
PFDEBUG DECODE m
PFDEBUG TODENSE m
PFDEBUG DECODE m
PFDEBUG GETREG m
PFDEBUG FOO m
PFCOUNT nokey
SET s x
PFADD s a
`)
}

// TestLargeCardinalityAgainstRedis grows one HLL to 300k elements in batches, comparing
// PFCOUNT (the estimator over a wide range of register histograms) and the union count
// with a second HLL after every batch.
func TestLargeCardinalityAgainstRedis(t *testing.T) {
	p := newPair(t)
	n := 300_000
	if testing.Short() {
		n = 60_000
	}
	batch := 2000
	for i := 0; i < n && !t.Failed(); i += batch {
		args := []string{"PFADD", "big"}
		for j := i; j < i+batch; j++ {
			args = append(args, "m"+strconv.Itoa(j*7919))
		}
		p.Check(args)
		p.Check([]string{"PFCOUNT", "big"})
		p.Check([]string{"PFADD", "other", "o" + strconv.Itoa(i)})
		p.Check([]string{"PFCOUNT", "big", "other"})
	}
	p.Check([]string{"GET", "big"})
	p.Check([]string{"PFMERGE", "all", "big", "other"})
	p.Check([]string{"PFCOUNT", "all"})
}

// TestForeignDenseAgainstRedis stores dense HLLs whose registers were written directly
// (values up to 63, including 51 = Q+1 which only the tau term reads, and values past it
// that no hash can produce) and compares the estimates, the union and PFMERGE.
func TestForeignDenseAgainstRedis(t *testing.T) {
	p := newPair(t)
	rng := rand.New(rand.NewPCG(5, 6))
	hdr := "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
	for round := 0; round < 40 && !t.Failed(); round++ {
		var regs [16384]uint8
		mode := round % 4
		for i := range regs {
			switch mode {
			case 0:
				regs[i] = uint8(rng.IntN(64))
			case 1:
				if rng.IntN(4) == 0 {
					regs[i] = 51
				}
			case 2:
				regs[i] = uint8(45 + rng.IntN(7))
			default:
				if rng.IntN(50) == 0 {
					regs[i] = uint8(1 + rng.IntN(20))
				}
			}
		}
		body := make([]byte, 12288)
		for i, v := range regs {
			bit := i * 6
			body[bit/8] |= v << (bit % 8)
			if bit%8 > 2 {
				body[bit/8+1] |= v >> (8 - bit%8)
			}
		}
		p.Check([]string{"SET", "d", hdr + string(body)})
		p.Check([]string{"PFCOUNT", "d"})
		p.Check([]string{"PFCOUNT", "d", "nokey"})
		p.Check([]string{"PFADD", "s", "x" + strconv.Itoa(round)})
		p.Check([]string{"PFMERGE", "s", "d"})
		p.Check([]string{"PFCOUNT", "s"})
		p.Check([]string{"GET", "s"})
		p.Check([]string{"PFDEBUG", "GETREG", "d"})
	}
}
