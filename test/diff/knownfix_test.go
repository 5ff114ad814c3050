package diff_test

import "strings"

// The written cases of the fixed known differences (HELLO option order, CLIENT
// INFO/LIST inside MULTI, CLIENT KILL, LATENCY HISTOGRAM of subcommands, the slow
// log of AUTH, DEBUG DIGEST/DIGEST-VALUE/LISTPACK/OBJECT/QUICKLIST-PACKED-THRESHOLD,
// SORT weights outside LIMIT, NOGROUP texts, RESTORE IDLETIME beyond 2^23): each case
// failed against redis-server before its fix.
func init() {
	groups = append(groups,
		group{name: "hello-order", script: helloOrderScript, resp3: true},
		group{name: "client-unblock-args", script: clientUnblockArgsScript},
		group{name: "nogroup-texts", script: noGroupTextsScript, resp3: true},
		group{name: "restore-idletime", script: restoreIdletimeScript()},
		group{name: "slowlog-redaction", script: slowlogRedactionScript},
		group{name: "latency-histogram-names", script: latencyHistogramNamesScript, resp3: true},
		group{name: "client-in-exec", script: clientInExecScript, resp3: true},
		group{name: "client-kill-frees", script: clientKillFreesScript},
		group{name: "debug-object-fields", script: debugObjectFieldsScript(),
			directives: []string{"--enable-debug-command", "yes"}},
		group{name: "debug-digest", script: debugDigestScript(), resp3: true,
			directives: []string{"--enable-debug-command", "yes"}},
		group{name: "debug-error-stats", script: debugErrorStatsScript, resp3: true,
			directives: []string{"--enable-debug-command", "yes"}},
		group{name: "debug-expired", script: debugExpiredScript,
			directives: []string{"--enable-debug-command", "yes"}},
		group{name: "xautoclaim-lookup", script: xautoclaimLookupScript},
		group{name: "config-set-unknown", script: configSetUnknownScript},
	)
}

// configSetUnknownScript: an unknown or empty name wins over every other failure, and the
// name is printed up to a NUL byte.
const configSetUnknownScript = `
CONFIG SET "" x
CONFIG SET "" x maxmemory 10
CONFIG SET maxmemory bogus "" x
CONFIG SET "no\x00such" 1
CONFIG SET daemonize yes nosuch 1
CONFIG SET nosuch 1 daemonize yes
CONFIG GET maxmemory
`

const helloOrderScript = `
HELLO 2 AUTH nobody x XX
HELLO 2 AUTH default x SETNAME "bad name"
HELLO 2 SETNAME first BOGUS
CLIENT GETNAME
HELLO 2 SETNAME second SETNAME "bad name"
CLIENT GETNAME
HELLO 2 SETNAME third AUTH nobody x
CLIENT GETNAME
HELLO 2 SETNAME fourth AUTH default x BOGUS
CLIENT GETNAME
HELLO 2 SETNAME "" SETNAME
CLIENT GETNAME
HELLO 2 BOG\x00US
CONFIG SET requirepass pw
@a HELLO 2 SETNAME early
@a AUTH pw
@a CLIENT GETNAME
@b HELLO 2 AUTH default wrong SETNAME x
@b HELLO 2 SETNAME y AUTH default pw BOGUS
@b CLIENT GETNAME
@b HELLO 3 AUTH default pw SETNAME "bad name"
@b CLIENT GETNAME
CONFIG SET requirepass ""
`

const clientUnblockArgsScript = `
CLIENT UNBLOCK 1 TIMEOUT extra
CLIENT unBlock 1 2 3 4
CLIENT UNBLOCK abc BOGUS
CLIENT UNBLOCK NX 2
CLIENT UNBLOCK abc error
CLIENT UNBLOCK abc
CLIENT UNBLOCK 999999 ERROR
CLIENT UNBLOCK 999999 timeout
`

// noGroupTextsScript: Redis prints the key and group names of NOGROUP errors with %s,
// cut at a NUL byte; other bytes (0xff, invalid UTF-8) stay as they are.
const noGroupTextsScript = `
XADD "s\x00t" 1-1 f v
XADD s2 1-1 f v
XPENDING "s\x00t" "\x00\xff"
XPENDING s2 "g\xff\x00x"
XPENDING s2 "g\xfe"
XCLAIM s2 "a\x00b" c 0 1-1
XAUTOCLAIM s2 "a\x00b" c 0 0
XREADGROUP GROUP "a\x00b" c STREAMS "s\x00t" >
XREADGROUP GROUP "a\xffb" c STREAMS nokey\x00x >
XACK s2 "a\x00b" 1-1
XGROUP SETID s2 "a\x00b" 0
XGROUP SETID "s\x00t" "a\xff" 0
XGROUP CREATECONSUMER s2 "a\x00b" c
XGROUP DELCONSUMER s2 "a\x00b" c
XINFO CONSUMERS s2 "a\x00b"
XINFO CONSUMERS "s\x00t" "a\xff\x00"
`

// restoreIdletimeScript: RESTORE ... IDLETIME n sets the 24-bit LRU clock to now-n,
// wrapped once by LRU_CLOCK_MAX and then cut to 24 bits (OBJECT IDLETIME answers n mod
// 2^24 near the wrap, other values beyond it).
func restoreIdletimeScript() string {
	var b strings.Builder
	b.WriteString("SET src v\n")
	for _, n := range []string{"8388607", "8388608", "16777214", "16777215", "16777216", "20000000",
		"50000000", "100000000", "9223372036854775", "9223372036854775807"} {
		b.WriteString("EVAL \"return redis.call('restore', KEYS[1], 0, redis.call('dump', 'src'), 'REPLACE', 'IDLETIME', ARGV[1])\" 1 d " + n + "\n")
		b.WriteString("OBJECT IDLETIME d\n")
	}
	return b.String()
}

// slowlogRedactionScript: a command redacts its secrets only once it got that far (AUTH
// with its arity right, HELLO's AUTH pairs met by its in-order walk, CONFIG SET with an
// even argument count); the rest is logged in clear.
const slowlogRedactionScript = `
CONFIG SET slowlog-log-slower-than 0
SLOWLOG RESET
AUTH x
AUTH a b c
AUTH a b
HELLO 2 BOGUS AUTH a b
HELLO 2 SETNAME AUTH a b
HELLO x AUTH a b
HELLO 4 AUTH a b
HELLO 2 AUTH a b
HELLO 2 SETNAME "x y" AUTH a b
HELLO 2 AUTH default x AUTH c d
HELLO 2 AUTH nobody x AUTH c d
HELLO 2 AUTH a
CONFIG SET requirepass x y
CONFIG SET masteruser u masterauth p
CONFIG SET bogus 1 requirepass ""
CONFIG SET slowlog-log-slower-than 10000
SLOWLOG GET 20
`

// latencyHistogramNamesScript: LATENCY HISTOGRAM reports the names in the order given
// (twice when given twice), "parent|sub" names a subcommand, a container its
// subcommands.
const latencyHistogramNamesScript = `
CONFIG RESETSTAT
CLIENT ID
CLIENT GETNAME
CONFIG GET port
SET k v
GET k
LATENCY HISTOGRAM client|id
LATENCY HISTOGRAM CLIENT|ID config|get
LATENCY HISTOGRAM set set get
LATENCY HISTOGRAM config|get|x get| |get client| client||id
LATENCY HISTOGRAM client
LATENCY HISTOGRAM get client config|get
`

// clientInExecScript: while EXEC runs its commands the client is still in its
// transaction for CLIENT INFO/LIST (flags=x, multi=<queued count>).
const clientInExecScript = `
MULTI
CLIENT INFO
EXEC
MULTI
SET a b
CLIENT INFO
GET a
CLIENT LIST TYPE normal
EXEC
CLIENT INFO
MULTI
INCR a
CLIENT INFO
EXEC
@b CLIENT INFO
MULTI
DISCARD
CLIENT INFO
`

// clientKillFreesScript: CLIENT KILL frees another client at once, so the CLIENT LIST,
// PUBSUB NUMSUB and INFO right after it no longer see it.
const clientKillFreesScript = `
@v1 CLIENT SETNAME v1
@v2 CLIENT SETNAME v2
CLIENT KILL ID @v1
CLIENT LIST
// Inside EXEC the killed clients' connections cannot have closed yet: only an immediate
// free keeps them out of the list.
@s1 SUBSCRIBE ch
PUBSUB NUMSUB ch
MULTI
CLIENT KILL TYPE pubsub
CLIENT LIST
PUBSUB NUMSUB ch
INFO clients
EXEC
@w WATCH k
MULTI
CLIENT KILL TYPE normal SKIPME yes
CLIENT LIST
INFO clients
EXEC
CLIENT INFO
`

// debugObjectFieldsScript: DEBUG OBJECT's serializedlength is the RDB length of the value
// (LZF included under rdbcompression), quicklists add ql_nodes, ql_avg_node,
// ql_listpack_max, ql_compressed and ql_uncompressed_size; DEBUG
// QUICKLIST-PACKED-THRESHOLD is applied (0 restores the default), DEBUG HELP takes no
// arguments.
func debugObjectFieldsScript() string {
	return `
DEBUG HELP x
DEBUG help a b
SET s1 v
SET s2 12345
SET s3 -7
SET s4 123456789012
SET s5 "` + strings.Repeat("abc", 30) + `"
SET s6 "` + seq("q", 0, 40) + `"
APPEND s7 "` + strings.Repeat("x", 70) + `"
SETRANGE s8 20000 y
DEBUG OBJECT s1
DEBUG OBJECT s2
DEBUG OBJECT s3
DEBUG OBJECT s4
DEBUG OBJECT s5
DEBUG OBJECT s6
DEBUG OBJECT s7
DEBUG OBJECT s8
CONFIG SET rdbcompression no
DEBUG OBJECT s5
DEBUG OBJECT s8
CONFIG SET rdbcompression yes
RPUSH l1 a b c 1 2 3
DEBUG OBJECT l1
RPUSH l2 ` + seq("e", 0, 500) + `
DEBUG OBJECT l2
CONFIG SET list-compress-depth 1
CONFIG SET list-max-listpack-size 5
RPUSH l3 ` + seq("elem", 0, 60) + `
DEBUG OBJECT l3
LPUSH l3 x
DEBUG OBJECT l3
CONFIG SET list-compress-depth 0
CONFIG SET list-max-listpack-size -2
DEBUG QUICKLIST-PACKED-THRESHOLD 1
RPUSH l4 a b c
DEBUG OBJECT l4
MEMORY USAGE l4
LRANGE l4 0 -1
DEBUG QUICKLIST-PACKED-THRESHOLD 0
RPUSH l5 a b c
DEBUG OBJECT l5
MEMORY USAGE l5
DEBUG QUICKLIST-PACKED-THRESHOLD 100
RPUSH l6 a "` + strings.Repeat("z", 150) + `" b
DEBUG OBJECT l6
DEBUG QUICKLIST-PACKED-THRESHOLD 4gb
DEBUG QUICKLIST-PACKED-THRESHOLD 4095mb
DEBUG QUICKLIST-PACKED-THRESHOLD -1
DEBUG QUICKLIST-PACKED-THRESHOLD abc
DEBUG QUICKLIST-PACKED-THRESHOLD 0
SADD set1 1 2 3
SADD set2 a b c
SADD set3 ` + seq("m", 0, 200) + `
DEBUG OBJECT set1
DEBUG OBJECT set2
DEBUG OBJECT set3
ZADD z1 1 a 2.5 b
ZADD z2 ` + scoreSeq("m", 0, 200) + `
DEBUG OBJECT z1
DEBUG OBJECT z2
HSET h1 f v g 1
HSET h2 ` + seq("f", 0, 300) + `
DEBUG OBJECT h1
DEBUG OBJECT h2
XADD x1 1-1 f v
XADD x1 2-1 f v g w
DEBUG OBJECT x1
XGROUP CREATE x1 g 0
XREADGROUP GROUP g c1 STREAMS x1 >
DEBUG OBJECT x1
`
}

// debugDigestScript: DEBUG DIGEST and DIGEST-VALUE over every type and encoding, with
// expiry times, integers in every container, several databases; DEBUG LISTPACK and
// QUICKLIST answer by encoding.
func debugDigestScript() string {
	return `
DEBUG DIGEST
DEBUG DIGEST-VALUE
DEBUG DIGEST-VALUE nokey
SET s1 hello
SET s2 12345
SET s3 "` + strings.Repeat("abc", 30) + `"
DEBUG DIGEST-VALUE s1 s2 s3 nokey
DEBUG DIGEST
RPUSH l1 a 1 -5 b 123456789012 ""
RPUSH l2 ` + seq("e", 0, 300) + `
DEBUG DIGEST-VALUE l1 l2
SADD set1 1 2 3 -7
SADD set2 a b c 5
SADD set3 ` + seq("m", 0, 200) + `
DEBUG DIGEST-VALUE set1 set2 set3
ZADD z1 1 a 2.5 b 0.1 c -inf d inf e 7 12
ZADD z2 ` + scoreSeq("m", 0, 200) + `
ZADD z2 1e300 big 3.14159 pi -0.000001 tiny
DEBUG DIGEST-VALUE z1 z2
HSET h1 f v g 1 10 20
HSET h2 ` + seq("f", 0, 300) + `
DEBUG DIGEST-VALUE h1 h2
XADD x1 1-1 f v
XADD x1 2-1 f v g 10
XADD x1 2-2 n 123 o -4
XADD x2 5-0 a b
XDEL x2 5-0
DEBUG DIGEST-VALUE x1 x2
XGROUP CREATE x1 g 0
DEBUG DIGEST-VALUE x1
DEBUG DIGEST
PEXPIRE s1 100000
EXPIRE l1 1000
DEBUG DIGEST-VALUE s1 l1 s2
DEBUG DIGEST
SELECT 3
SET s1 hello
DEBUG DIGEST
SELECT 0
FLUSHDB
DEBUG DIGEST
SELECT 3
DEBUG DIGEST
SELECT 0
HSET h1 f v
RPUSH l1 a
ZADD z1 1 a
DEBUG LISTPACK h1
DEBUG LISTPACK z1
DEBUG LISTPACK l1
DEBUG LISTPACK nokey
DEBUG QUICKLIST l1
DEBUG QUICKLIST l1 1
DEBUG QUICKLIST h1
DEBUG QUICKLIST nokey
DEBUG DIGEST a
`
}

// debugErrorStatsScript: DEBUG ERROR writes "-<argument>" raw (CR/LF as spaces), which
// the error statistics do not see.
const debugErrorStatsScript = `
CONFIG RESETSTAT
DEBUG ERROR "FOO bar"
DEBUG ERROR "x\ny\rz"
DEBUG ERROR "-dash"
DEBUG ERROR "ERR boom"
INFO errorstats
MULTI
DEBUG ERROR "BAR baz"
EXEC
INFO errorstats
`

// debugExpiredScript: DEBUG OBJECT, DIGEST and DIGEST-VALUE find keys with dictFind, so
// a logically expired key is still seen (and not deleted); DEBUG LISTPACK looks up as
// OBJECT does and expires it.
const debugExpiredScript = `
DEBUG SET-ACTIVE-EXPIRE 0
SET k v PX 1
HSET h a 1
PEXPIRE h 1
SLEEP 50
DEBUG OBJECT k
DEBUG DIGEST-VALUE k h
DEBUG DIGEST
DBSIZE
DEBUG LISTPACK h
DEBUG DIGEST-VALUE h
DBSIZE
DEBUG SET-ACTIVE-EXPIRE 1
`

// xautoclaimLookupScript: XAUTOCLAIM looks its key up before it checks its arguments, so
// the lookup counts in keyspace_hits/keyspace_misses even when an argument fails.
const xautoclaimLookupScript = `
CONFIG RESETSTAT
XAUTOCLAIM nokey g c abc 0
XAUTOCLAIM nokey g c 0 bad
XAUTOCLAIM nokey g c 0 0 COUNT 0
XAUTOCLAIM nokey g c 0 0 BOGUS
INFO stats
XADD x 1-1 f v
XGROUP CREATE x g 0
XAUTOCLAIM x g c abc 0
XAUTOCLAIM x g c 0 0 COUNT -1
XAUTOCLAIM x g c 0 0 JUSTID BOGUS
XAUTOCLAIM x nogroup c 0 0
SET str v
XAUTOCLAIM str g c abc 0
XAUTOCLAIM str g c 0 0
INFO stats
`
