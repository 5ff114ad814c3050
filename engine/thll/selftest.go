package thll

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/redisctl/redisctl/engine"
)

// SelfTest is PFSELFTEST's check, as hyperloglog.c runs it: random values written to and
// read back from every dense register, then ten million distinct elements added to a dense
// and a sparse HLL at once, checking at each power of ten that the sparse one stays sparse
// while it should, that both estimate the same, and that the error is within six standard
// errors. It returns "" on success or the TESTFAILED error text.
func SelfTest(rng *rand.Rand) string {
	dense := make([]byte, DenseSize)
	r := dense[HeaderSize:]
	var want [Registers]uint8
	for cycle := 0; cycle < 1000; cycle++ {
		for i := range want {
			v := uint8(rng.Uint32() & regMax)
			want[i] = v
			denseSetReg(r, i, v)
		}
		for i, v := range want {
			if got := denseGet(r, i); got != v {
				return "TESTFAILED Register " + strconv.Itoa(i) + " should be " + strconv.Itoa(int(v)) +
					" but is " + strconv.Itoa(int(got))
			}
		}
	}

	clear(r)
	copy(dense, "HYLL")
	sparse := NewEmpty()
	relerr := 1.04 / math.Sqrt(Registers)
	checkpoint := int64(1)
	seed := rng.Uint64()
	var ele [8]byte
	for j := int64(1); j <= 10_000_000; j++ {
		binary.LittleEndian.PutUint64(ele[:], uint64(j)^seed)
		Add(dense, ele[:])
		sparse, _ = Add(sparse, ele[:])
		if j != checkpoint {
			continue
		}
		if j < SparseMaxBytes()/2 && sparse[4] != EncSparse {
			return "TESTFAILED sparse encoding not used"
		}
		cd, _ := Count(dense)
		cs, err := Count(sparse)
		if err != nil || cd != cs {
			return "TESTFAILED dense/sparse disagree"
		}
		abserr := checkpoint - int64(cd)
		maxerr := uint64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			maxerr = 1
		}
		if abserr < 0 {
			abserr = -abserr
		}
		if abserr > int64(maxerr) {
			return "TESTFAILED Too big error. card:" + strconv.FormatInt(checkpoint, 10) +
				" abserr:" + strconv.FormatInt(abserr, 10)
		}
		checkpoint *= 10
	}
	return ""
}

func cmdPFSelfTest(x *engine.Ctx) {
	if msg := SelfTest(rand.New(rand.NewPCG(uint64(x.Now()), 0x5eed))); msg != "" {
		x.Error(msg)
		return
	}
	x.OK()
}
