package diff_test

import "github.com/redisctl/redisctl/internal/difftest"

// knownDiffs are differences found in code this harness does not own (engine core,
// families, server). Each is skipped, counted as "known" in the coverage report (never
// as a pass), and listed there with its reason and how often it was met. Patterns are
// regular expressions on the arguments, on each side's reply (redis-cli rendering) and
// on the rule's explanation; an entry matches only a real mismatch.
var knownDiffs = []*difftest.KnownDiff{
	{Command: "info", Why: infoKnownWhy,
		Reason: "statistics that follow from the known differences: GETEX with bad options does not count its key lookup in keyspace_hits/keyspace_misses (see getex), DEBUG DIGEST-VALUE/OBJECT lookups differ, the commands whose errors differ (getex, hello, debug, client|unblock, the stream NOGROUP texts) show it in their cmdstat failed_calls and in the errorstat counts, and DEBUG ERROR replies are counted in errorstats by redisctl only (Redis exempts them)"},
	{Command: "sort", Args: `(?i)LIMIT`, Redis: `One or more scores can't be converted into double`, Ours: `^\(empty array\)$`,
		Reason: "engine/tsort: SORT k LIMIT 8 1 GET * DESC answered an empty array where Redis converts every weight first and fails with 'ERR One or more scores can't be converted into double' (random seed 62, RESP2, index 10337; reproduced by replaying its 3000 preceding commands, not by the simple LIMIT cases of the keys script)"},
	{Command: "sort_ro", Args: `(?i)LIMIT`, Redis: `One or more scores can't be converted into double`, Ours: `^\(empty array\)$`, Reason: "as sort"},
	{Command: "dump", Why: `^payloads differ for encoding "stream" \(redis\) / "stream" \(redisctl\)$`,
		Reason: "not a difference of format: a stream payload carries its consumers' seen times and its PEL delivery times in ms, taken from each process's clock, so two payloads made a millisecond apart differ in those bytes; engine/rdbobj's stream tests compare DUMP bytes with those fields masked (times within 10 s) and byte for byte for streams without consumers"},
	{Command: "config|set", Redis: `Unknown option or number of arguments for CONFIG SET - ''`, Ours: `CONFIG SET failed \(possibly related to argument ''\)`,
		Reason: "server CONFIG SET with an empty parameter name: Redis answers \"ERR Unknown option or number of arguments for CONFIG SET - ''\", redisctl \"ERR CONFIG SET failed (possibly related to argument '')\""},
	{Command: "object|idletime", Why: `^differ by [3-9] \(tolerance 2\)$`,
		Reason: "an occasional 3-second difference after long random sequences (redisctl 0, Redis 3): some command refreshes a key's LRU clock on one side only; it did not reproduce on fresh servers (timing), and single-command checks of TYPE, EXISTS, TTL, OBJECT, DEBUG OBJECT, MEMORY USAGE, DUMP, COPY, RENAME, MOVE, SWAPDB and the read commands of every type agree"},
}

// infoKnownWhy accepts INFO differences made only of the known statistics drifts: the
// keyspace hit/miss counts, and the cmdstat/errorstat counts of the commands whose
// errors are known to differ.
var infoKnownWhy = func() string {
	cmds := `(getex|hello|debug|client\|unblock|x[a-z|]+)`
	stats := `# Stats: only redis \[(keyspace_(hits|misses)=\d+ ?)+\], only redisctl \[(keyspace_(hits|misses)=\d+ ?)+\]`
	cmdstats := `# Commandstats: only redis \[(cmdstat_` + cmds + `,[^ \]]* ?)+\], only redisctl \[(cmdstat_` + cmds + `,[^ \]]* ?)+\]`
	errstats := `# Errorstats: only redis \[(errorstat_[A-Za-z]+=count=\d+ ?)*\], only redisctl \[(errorstat_[A-Za-z]+=count=\d+ ?)*\]`
	return `^((` + stats + `|` + cmdstats + `|` + errstats + `)(; |$))+$`
}()

// knownCrashes are invocations the random sequences must not send because they crash or
// wedge redisctl (a difference no comparison can survive). They were found by the
// random runs and are listed in the coverage report.
var knownCrashes = []*difftest.KnownDiff{}

// knownRawDiffs are protocol cases (by name) whose difference is known, with the reason.
var knownRawDiffs = map[string]string{}

func knownRaw(name string) string { return knownRawDiffs[name] }
