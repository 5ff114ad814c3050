package diff_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redisctl/redisctl/internal/difftest"
)

// Random sequences: fixed seeds, a fixed number of commands per protocol.
const (
	randomSeed     = 20260703
	randomCommands = 25000
)

// randomDirectives start both servers for the random runs: every command goes to the
// slow log, so SLOWLOG GET is a function of the commands sent, not of timing; DEBUG is
// allowed (Redis 7.0 refuses it by default), so its safe subset is really compared.
var randomDirectives = []string{"--slowlog-log-slower-than", "0", "--enable-debug-command", "yes"}

// envInt reads an integer override from the environment (exploration runs:
// DIFFTEST_SEED=n, DIFFTEST_COMMANDS=n); the committed test uses the constants.
func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

func testRandom(t *testing.T, proto int) {
	p := startPair(t, difftest.SourceRandom, randomDirectives...)
	seed := envInt("DIFFTEST_SEED", randomSeed) + int64(proto)
	rr, err := p.NewRandomRun(difftest.RandomConfig{
		Seed: seed, N: int(envInt("DIFFTEST_COMMANDS", randomCommands)), Proto: proto,
		Bin: bin, Directives: randomDirectives, Avoid: knownCrashes,
		StatsEvery: os.Getenv("DIFFTEST_STATS") == "1",
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	reports := rr.Run()
	t.Logf("seed %d RESP%d: %d commands over %d command names in %v, %d known differences met, %d avoided (known crashes), %d mismatches",
		seed, proto, rr.Ran, len(rr.Gen.Names()), time.Since(start).Round(time.Millisecond), rr.Known, rr.Avoided, len(reports))
	t.Logf("slowest commands: %s", rr.Slowest(12))
	for _, r := range reports {
		t.Errorf("%s", r)
	}
}
