package difftest

import (
	"math/big"
	"strings"

	"github.com/redisctl/redisctl/engine"
)

// The random sequences send the blocking commands (BLPOP … BZMPOP, XREAD/XREADGROUP
// BLOCK) with tiny timeouts only: a random run has one client, so nothing can wake a
// blocked command and it must time out quickly on both servers (redisctl after the
// timeout, Redis at its next timeout check, ~100 ms later: the reply is the same null).
// boundBlocking runs after the mutations, which may have put another value where the
// timeout is read.

// timeoutIndex is where a blocking command reads its timeout in out (the command words
// included), or -1.
func timeoutIndex(name string, out []string) int {
	switch name {
	case "blpop", "brpop", "bzpopmin", "bzpopmax":
		return len(out) - 1
	case "blmove":
		return 5
	case "brpoplpush":
		return 3
	case "blmpop", "bzmpop":
		return 1
	case "xread", "xreadgroup":
		for i := 1; i+1 < len(out); i++ {
			if strings.EqualFold(out[i], "streams") {
				break
			}
			if strings.EqualFold(out[i], "block") {
				return i + 1
			}
		}
	}
	return -1
}

// boundBlocking replaces a timeout that a server would accept as "forever" or as more
// than a second by a tiny one; timeouts the servers refuse (negative, not a number) stay.
func boundBlocking(name string, out []string) {
	i := timeoutIndex(name, out)
	if i < 1 || i >= len(out) {
		return
	}
	if name == "xread" || name == "xreadgroup" {
		if v, ok := engine.ParseInt([]byte(out[i])); ok && (v == 0 || v > 1000) {
			out[i] = "10"
		}
		return
	}
	f, ok := engine.ParseLongDouble([]byte(out[i]))
	if !ok || f.IsInf() {
		return
	}
	ms := new(big.Float).Mul(f, big.NewFloat(1000))
	if ms.Cmp(big.NewFloat(1)) < 0 && ms.Cmp(big.NewFloat(-1)) > 0 || ms.Cmp(big.NewFloat(1000)) > 0 {
		out[i] = "0.01" // rounds to 0 ms (forever), or longer than a second
	}
}
