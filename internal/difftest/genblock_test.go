package difftest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBoundBlocking(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"blpop", "BLPOP k 0", "BLPOP k 0.01"},
		{"blpop", "BLPOP k 0.02", "BLPOP k 0.02"},
		{"blpop", "BLPOP k 5", "BLPOP k 0.01"},
		{"blpop", "BLPOP k -0.0001", "BLPOP k 0.01"},
		{"blpop", "BLPOP k -1", "BLPOP k -1"},
		{"blpop", "BLPOP k abc", "BLPOP k abc"},
		{"blpop", "BLPOP k inf", "BLPOP k inf"},
		{"blmove", "BLMOVE a b LEFT RIGHT 0", "BLMOVE a b LEFT RIGHT 0.01"},
		{"brpoplpush", "BRPOPLPUSH a b 0x10", "BRPOPLPUSH a b 0.01"},
		{"blmpop", "BLMPOP 0 1 k LEFT", "BLMPOP 0.01 1 k LEFT"},
		{"bzmpop", "BZMPOP 2 1 k MIN", "BZMPOP 0.01 1 k MIN"},
		{"xread", "XREAD COUNT 1 BLOCK 0 STREAMS s $", "XREAD COUNT 1 BLOCK 10 STREAMS s $"},
		{"xread", "XREAD BLOCK 5000 STREAMS s $", "XREAD BLOCK 10 STREAMS s $"},
		{"xread", "XREAD BLOCK 10 STREAMS s $", "XREAD BLOCK 10 STREAMS s $"},
		{"xread", "XREAD STREAMS block 0", "XREAD STREAMS block 0"},
		{"xreadgroup", "XREADGROUP GROUP g c BLOCK 0 STREAMS s >", "XREADGROUP GROUP g c BLOCK 10 STREAMS s >"},
		{"blpop", "BLPOP", "BLPOP"},
	} {
		out := strings.Fields(tc.in)
		boundBlocking(tc.name, out)
		assert.Equal(t, tc.want, strings.Join(out, " "), tc.in)
	}
}
