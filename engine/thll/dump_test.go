package thll_test

import (
	"strconv"
	"testing"

	"github.com/redisctl/redisctl/engine/enginetest"
	"github.com/redisctl/redisctl/engine/rdbobj"
)

// TestDumpRestoreAgainstRedis moves HLLs between the two servers with DUMP/RESTORE in both
// directions (sparse, dense, embstr-sized, with a valid and an invalid cache) and checks
// that they keep working identically: same DUMP payload, same bytes, same counts, same
// encodings and memory after further PFADDs.
func TestDumpRestoreAgainstRedis(t *testing.T) {
	p := enginetest.NewPair(t, append(families(), rdbobj.Commands())...)
	var script []byte
	for i := 0; i < 3000; i += 100 {
		script = append(script, "PFADD dense"...)
		for j := i; j < i+100; j++ {
			script = append(script, " e"+strconv.Itoa(j)...)
		}
		script = append(script, '\n')
	}
	p.Run(string(script) + `
PFADD sparse a b c d e f g h i j k l m n o p q r s t u v w x y z
PFADD tiny
PFADD cached x y
PFCOUNT cached
PFDEBUG ENCODING dense
PFDEBUG ENCODING sparse
`)
	for _, k := range []string{"dense", "sparse", "tiny", "cached"} {
		p.Check([]string{"DUMP", k})
		// Real Redis's payload restored on our side, ours on Redis's side.
		theirs := p.O.Do("DUMP", k)
		ours := p.H.Do("DUMP", k)
		if string(theirs.Str) != string(ours.Str) {
			t.Errorf("%s: DUMP payloads differ", k)
		}
		p.O.Do("RESTORE", k+"-r", "0", string(ours.Str))
		p.H.Do("RESTORE", k+"-r", "0", string(theirs.Str))
		for _, c := range [][]string{
			{"GET", k + "-r"},
			{"OBJECT", "ENCODING", k + "-r"},
			{"MEMORY", "USAGE", k + "-r", "SAMPLES", "0"},
			{"PFCOUNT", k + "-r"},
			{"OBJECT", "ENCODING", k + "-r"},
			{"PFADD", k + "-r", "new1", "new2", "new3"},
			{"MEMORY", "USAGE", k + "-r", "SAMPLES", "0"},
			{"PFCOUNT", k + "-r"},
			{"PFCOUNT", k + "-r", k},
			{"GET", k + "-r"},
			{"DUMP", k + "-r"},
		} {
			p.Check(c)
		}
	}
}
