package difftest

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/redisctl/redisctl/resp"
)

// Rule is one written-down way a reply of redisctl may differ from Redis's and still
// count as the same, with the reason. Every comparison that is not exact names its
// rule in the Result; the coverage report prints this list.
type Rule struct {
	Name     string
	Commands string
	How      string
	Why      string
}

// Rules are all the normalizations the harness applies. A command not listed is
// compared exactly: same RESP types, same bytes, same order.
var Rules = []Rule{
	{"multiset", "SUNION SINTER SDIFF KEYS PUBSUB CHANNELS/SHARDCHANNELS, COMMAND LIST",
		"array/set compared as a multiset of elements",
		"Redis builds these from dict iteration, whose order depends on a per-process hash seed"},
	{"hashtable-order", "SMEMBERS HKEYS HVALS HGETALL",
		"exact first; on a difference, if OBJECT ENCODING says hashtable on both sides, compared as a multiset (HGETALL: of field => value pairs)",
		"a hashtable's order depends on the hash seed; listpack and intset orders are deterministic and stay exact"},
	{"sort-nosort", "SORT SORT_RO",
		"exact first; on a difference, if the key is a set or a zset and a BY pattern is given, compared as a multiset (with LIMIT, by length only: equal weights make the window a different subset)",
		"SORT loads a set, and a zset sorted BY a pattern, in dict order (the hash seed); BY nosort returns that order, and elements whose BY weights are equal (or all missing) keep it through Redis's pqsort"},
	{"dump-hashtable", "DUMP",
		"exact first; on a difference, if the value is a hashtable-encoded set or hash, only both being bulk strings is required",
		"RDB serialization of a dict follows its iteration order"},
	{"memory-sampled", "MEMORY USAGE",
		"exact first; on a difference, if the value is a skiplist-encoded zset, or hashtable-encoded with SAMPLES not 0, only both being integers is required",
		"Redis estimates a dict from its first SAMPLES entries in iteration order, which depends on the hash seed; a skiplist node's size depends on its random level"},
	{"monitor-mask", "MONITOR feed",
		"in each line the timestamp and the client address are masked",
		"wall clock and ports"},
	{"scan-iteration", "SCAN SSCAN HSCAN ZSCAN",
		"errors exact; otherwise each reply must be [cursor, array]; with cursor 0 both sides are then iterated to the end with the same options and the union of what they return (keys, members, field=>value, member=>score) must be equal; a non-zero starting cursor is compared by shape only",
		"cursors encode positions in a dict whose layout depends on the hash seed"},
	{"ttl-tolerance", "TTL EXPIRETIME OBJECT IDLETIME (±2), PTTL PEXPIRETIME (±2000)",
		"negative replies exact; non-negative integers may differ by the tolerance",
		"the two servers set and read the expiry at slightly different wall-clock times; the LRU clock has a 1 s resolution"},
	{"random-pick", "SRANDMEMBER HRANDFIELD ZRANDMEMBER RANDOMKEY SPOP",
		"same reply type and count (and distinct elements for a positive count); every element picked by either side must be a member on both sides afterwards (SMISMEMBER / HMGET / ZMSCORE / EXISTS), with the same value or score; after SPOP both sides are resynced to Redis's result (SADD the union of the pops, SREM Redis's pops)",
		"the pick is random"},
	{"volatile-time", "TIME LASTSAVE",
		"shape only: TIME two bulk strings of digits, LASTSAVE an integer",
		"wall-clock values"},
	{"client-id", "CLIENT ID, the id field of HELLO, the id=/addr=/laddr=/fd=/age=/idle=/buffer and memory fields of CLIENT LIST and CLIENT INFO, CLIENT LIST ID <ids>",
		"masked; CLIENT LIST lines compared as a multiset; CLIENT LIST with ID filters compared by shape only",
		"connection ids, ports, ages and buffer sizes belong to the process"},
	{"info-shape", "INFO",
		"same sections in the same order and the same field names in each; values compared only for fields that are a function of the commands sent (see infoExact) and the keyspace lines' keys= and expires=",
		"most INFO values are measurements of the process (memory, CPU, uptime, ports, run ids)"},
	{"config-instance", "CONFIG GET",
		"compared as a set of parameter => value pairs, with the values of dir, port, pidfile, logfile masked",
		"each server runs on its own port and directory; CONFIG GET's order is dict order"},
	{"restricted-table", "COMMAND, COMMAND INFO, COMMAND DOCS (whole table), COMMAND LIST, COMMAND COUNT, containers' subcommand lists",
		"Redis's reply is filtered to what redisctl implements, then compared as a multiset; COMMAND COUNT must be 240 on Redis and the length of COMMAND LIST on redisctl",
		"redisctl's COMMAND describes what it implements (engine/cmdspec Restrict); Redis's whole-table order is dict order"},
	{"slowlog-mask", "SLOWLOG GET",
		"each entry's timestamp, duration and client address masked; ids, arguments and client names exact",
		"timings and ports"},
	{"latency-histogram", "LATENCY HISTOGRAM",
		"per command only the calls count is compared; the bucket counts are masked",
		"timings"},
	{"debug-object", "DEBUG OBJECT",
		"the Value at:, lru: and lru_seconds_idle: fields masked",
		"pointer and clock values"},
	{"stream-times", "XPENDING (extended form), XINFO CONSUMERS, XINFO STREAM FULL",
		"the idle, seen-time, active-time and inactive fields and the delivery times of pending entries are masked",
		"they are the wall clock at delivery, or measured from it (the random sequences never send XADD *, and claim with a minimum idle time of 0 or 10^11 ms, so what is claimed never depends on timing)"},
	{"lex-mixed-scores", "ZRANGEBYLEX ZREVRANGEBYLEX ZLEXCOUNT ZREMRANGEBYLEX, ZRANGE/ZRANGESTORE ... BYLEX",
		"exact first; on a difference, if the zset is skiplist-encoded on both sides and its members do not all have the same score, only the reply type is compared (and a random run deletes the keys on both sides afterwards)",
		"Redis documents lex ranges as unspecified when scores differ; on a skiplist the answer then depends on the nodes' random levels (it differs between two runs of Redis itself)"},
	{"exec-elements", "EXEC",
		"each element compared by the rule of the queued command it answers, without probes (hashtable-order becomes multiset, random-pick and scan-iteration become shape)",
		"no probe command can run between MULTI and EXEC"},
}

// call is one comparison in progress.
type call struct {
	p      *Pair
	l      *Link
	name   string
	args   [][]byte
	r, o   resp.Value
	probe  bool // extra commands may be sent (not inside MULTI, not in RESP2 pub/sub)
	queued [][][]byte
	known  *KnownDiff // set by execElements when an element's difference is known
	resync bool       // the rule accepted a write whose effect may differ
}

type checker func(c *call) (ok bool, rule, why string)

var checkers map[string]checker

func init() {
	checkers = map[string]checker{
		"sunion": multiset, "sinter": multiset, "sdiff": multiset, "keys": multiset,
		"pubsub|channels": multiset, "pubsub|shardchannels": multiset,
		"smembers": hashtableOrder, "hkeys": hashtableOrder, "hvals": hashtableOrder,
		"hgetall": hashtableOrder,
		"sort":    sortNosort, "sort_ro": sortNosort,
		"dump":         dumpHashtable,
		"memory|usage": memorySampled,
		"scan":         scanIteration, "sscan": scanIteration, "hscan": scanIteration, "zscan": scanIteration,
		"ttl": tolerance(2), "expiretime": tolerance(2), "object|idletime": tolerance(2),
		"pttl": tolerance(2000), "pexpiretime": tolerance(2000),
		"srandmember": randomPick, "hrandfield": randomPick, "zrandmember": randomPick,
		"randomkey": randomPick, "spop": randomPick,
		"time": volatileTime, "lastsave": volatileTime,
		"client|id": clientID, "hello": helloID,
		"client|list": clientList, "client|info": clientList,
		"info":       infoShape,
		"config|get": configGet,
		"command":    commandTable, "command|info": commandTable, "command|docs": commandTable,
		"command|list": commandTable, "command|count": commandTable,
		"slowlog|get":       slowlogGet,
		"latency|histogram": latencyHistogram,
		"debug":             debugObject,
		"exec":              execElements,
		"zrangebylex":       lexMixed, "zrevrangebylex": lexMixed, "zlexcount": lexMixed,
		"zremrangebylex": lexMixed, "zrange": lexMixed, "zrangestore": lexMixed,
		"xpending": streamTimes, "xinfo|consumers": streamTimes, "xinfo|stream": streamTimes,
	}
}

// compare applies the command's rule. Errors are always compared exactly (a rule never
// excuses a different error), except that EXEC's elements follow their own rules.
func compare(c *call) (bool, string, string) {
	if c.r.Equal(c.o) {
		return true, "", ""
	}
	if c.r.IsError() || c.o.IsError() {
		return false, "", "different replies"
	}
	if ck := checkers[c.name]; ck != nil {
		return ck(c)
	}
	return false, "", "different replies"
}

func multiset(c *call) (bool, string, string) {
	if sameMultiset(c.r, c.o) {
		return true, "multiset", ""
	}
	return false, "multiset", "different elements"
}

func sameMultiset(r, o resp.Value) bool {
	if r.Type != o.Type || r.Null != o.Null || len(r.Elems) != len(o.Elems) {
		return false
	}
	if r.Type == resp.TypeMap {
		a, _ := pairCanon(r.Elems)
		b, _ := pairCanon(o.Elems)
		return equalStrings(a, b)
	}
	return equalStrings(sortedCanon(r.Elems), sortedCanon(o.Elems))
}

func samePairs(r, o resp.Value) bool {
	if r.Type != o.Type || len(r.Elems) != len(o.Elems) {
		return false
	}
	a, ok1 := pairCanon(r.Elems)
	b, ok2 := pairCanon(o.Elems)
	return ok1 && ok2 && equalStrings(a, b)
}

// encodings probes OBJECT ENCODING key on both sides.
func (c *call) encodings(key []byte) (string, string) {
	r, o, err := c.p.bothBytes(c.l, [][]byte{[]byte("OBJECT"), []byte("ENCODING"), key})
	if err != nil {
		return "", ""
	}
	return string(r.Str), string(o.Str)
}

func hashtableOrder(c *call) (bool, string, string) {
	const rule = "hashtable-order"
	same := sameMultiset(c.r, c.o)
	if c.name == "hgetall" {
		same = samePairs(c.r, c.o)
	}
	if !same {
		return false, rule, "different elements"
	}
	if !c.probe {
		return true, rule, ""
	}
	re, oe := c.encodings(c.args[1])
	if re == "hashtable" && oe == "hashtable" {
		return true, rule, ""
	}
	return false, rule, fmt.Sprintf("same elements in another order, but the encodings are %q (redis) and %q (redisctl): the order must be exact", re, oe)
}

func sortNosort(c *call) (bool, string, string) {
	const rule = "sort-nosort"
	limit := false
	for i := 2; i < len(c.args); i++ {
		if strings.EqualFold(string(c.args[i]), "limit") {
			limit = true
		}
	}
	sameLen := c.r.Type == c.o.Type && len(c.r.Elems) == len(c.o.Elems)
	if !(sameMultiset(c.r, c.o) || limit && sameLen) {
		return false, rule, "different elements"
	}
	by := false
	for i := 2; i+1 < len(c.args); i++ {
		if strings.EqualFold(string(c.args[i]), "by") {
			by = true
		}
	}
	if !by {
		return false, rule, "same elements in another order, but the sort is by value"
	}
	if !c.probe {
		return true, rule, ""
	}
	r, _, err := c.p.bothBytes(c.l, [][]byte{[]byte("TYPE"), c.args[1]})
	if err == nil && (string(r.Str) == "set" || string(r.Str) == "zset") {
		return true, rule, ""
	}
	return false, rule, "same elements in another order, but the source is a list (its order is its own)"
}

func dumpHashtable(c *call) (bool, string, string) {
	const rule = "dump-hashtable"
	if c.r.Type != resp.TypeBulk || c.o.Type != resp.TypeBulk || c.r.Null || c.o.Null {
		return false, rule, "different replies"
	}
	if !c.probe {
		return true, rule, ""
	}
	re, oe := c.encodings(c.args[1])
	if re == "hashtable" && oe == "hashtable" {
		return true, rule, ""
	}
	return false, rule, fmt.Sprintf("payloads differ for encoding %q (redis) / %q (redisctl)", re, oe)
}

func memorySampled(c *call) (bool, string, string) {
	const rule = "memory-sampled"
	if c.r.Type != resp.TypeInteger || c.o.Type != resp.TypeInteger {
		return false, rule, "different replies"
	}
	samples := "5"
	for i := 3; i+1 < len(c.args); i++ {
		if strings.EqualFold(string(c.args[i]), "samples") {
			samples = string(c.args[i+1])
		}
	}
	if !c.probe {
		return true, rule, ""
	}
	re, oe := c.encodings(c.args[2])
	switch {
	case re == "skiplist" && oe == "skiplist":
		return true, rule, "" // node sizes follow random skiplist levels
	case re == "hashtable" && oe == "hashtable" && samples != "0":
		return true, rule, ""
	}
	return false, rule, fmt.Sprintf("encoding %q (redis) / %q (redisctl) with SAMPLES %s is exact", re, oe, samples)
}

func tolerance(tol int64) checker {
	return func(c *call) (bool, string, string) {
		const rule = "ttl-tolerance"
		if c.r.Type != resp.TypeInteger || c.o.Type != resp.TypeInteger {
			return false, rule, "different replies"
		}
		if c.r.Int < 0 || c.o.Int < 0 {
			return false, rule, "negative replies are exact"
		}
		d := c.r.Int - c.o.Int
		if d < 0 {
			d = -d
		}
		if d <= tol {
			return true, rule, ""
		}
		return false, rule, fmt.Sprintf("differ by %d (tolerance %d)", d, tol)
	}
}

func volatileTime(c *call) (bool, string, string) {
	const rule = "volatile-time"
	if c.name == "lastsave" {
		if c.r.Type == resp.TypeInteger && c.o.Type == resp.TypeInteger {
			return true, rule, ""
		}
		return false, rule, "not both integers"
	}
	digits := func(v resp.Value) bool {
		if v.Type != resp.TypeArray || len(v.Elems) != 2 {
			return false
		}
		for _, e := range v.Elems {
			if e.Type != resp.TypeBulk || len(e.Str) == 0 {
				return false
			}
			for _, ch := range e.Str {
				if ch < '0' || ch > '9' {
					return false
				}
			}
		}
		return true
	}
	if digits(c.r) && digits(c.o) {
		return true, rule, ""
	}
	return false, rule, "TIME must be two bulk strings of digits"
}

func clientID(c *call) (bool, string, string) {
	if c.r.Type == resp.TypeInteger && c.o.Type == resp.TypeInteger && c.o.Int > 0 {
		return true, "client-id", ""
	}
	return false, "client-id", "CLIENT ID must be a positive integer"
}

// helloID masks the value of the "id" field of HELLO's map (RESP3) or flat array.
func helloID(c *call) (bool, string, string) {
	mask := func(v resp.Value) resp.Value {
		if !isAggregate(v) {
			return v
		}
		v.Elems = append([]resp.Value(nil), v.Elems...)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			if string(v.Elems[i].Str) == "id" && v.Elems[i+1].Type == resp.TypeInteger {
				v.Elems[i+1].Int = 0
			}
		}
		return v
	}
	if mask(c.r).Equal(mask(c.o)) {
		return true, "client-id", ""
	}
	return false, "client-id", "different replies beyond the id field"
}

// clientVolatile are the CLIENT LIST fields that belong to the process.
var clientVolatile = map[string]bool{"id": true, "addr": true, "laddr": true, "fd": true,
	"age": true, "idle": true, "qbuf": true, "qbuf-free": true, "argv-mem": true,
	"multi-mem": true, "rbs": true, "rbp": true, "obl": true, "oll": true, "omem": true,
	"tot-mem": true}

// NormalizeClientLine masks the volatile fields of one CLIENT LIST line.
func NormalizeClientLine(line string) string {
	fields := strings.Fields(line)
	for i, f := range fields {
		k, _, ok := strings.Cut(f, "=")
		if ok && clientVolatile[k] {
			fields[i] = k + "=*"
		}
	}
	return strings.Join(fields, " ")
}

func clientList(c *call) (bool, string, string) {
	const rule = "client-id"
	if (c.r.Type != resp.TypeBulk && c.r.Type != resp.TypeVerbatim) || c.r.Type != c.o.Type {
		return false, rule, "different reply types"
	}
	if c.name == "client|list" {
		for i := 2; i < len(c.args); i++ {
			if strings.EqualFold(string(c.args[i]), "id") {
				return true, rule, "" // ids differ between the processes
			}
		}
	}
	lines := func(v resp.Value) []string {
		var out []string
		for _, l := range strings.Split(strings.TrimRight(string(v.Str), "\n"), "\n") {
			out = append(out, NormalizeClientLine(l))
		}
		sort.Strings(out)
		return out
	}
	a, b := lines(c.r), lines(c.o)
	if equalStrings(a, b) {
		return true, rule, ""
	}
	return false, rule, fmt.Sprintf("normalized lines differ:\n    redis:    %q\n    redisctl: %q", a, b)
}

// infoExact are the INFO fields whose values depend only on the commands sent, so they
// are compared exactly. Everything else is compared by name only.
var infoExact = map[string]bool{
	"redis_version": true, "redis_mode": true, "arch_bits": true, "role": true,
	"connected_slaves": true, "cluster_enabled": true, "loading": true, "aof_enabled": true,
	"rdb_bgsave_in_progress": true, "aof_rewrite_in_progress": true,
	"connected_clients": true, "blocked_clients": true, "pubsub_channels": true,
	"pubsub_patterns": true, "maxmemory": true, "maxmemory_policy": true,
	"evicted_keys": true, "keyspace_hits": true, "keyspace_misses": true,
}

type infoSection struct {
	name   string
	fields []string // "name" or "name=value"
}

// ParseInfo splits an INFO reply into sections of fields, values kept only for
// infoExact fields and the keys=/expires= parts of keyspace lines.
func ParseInfo(text string) []infoSection {
	var out []infoSection
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "# ") {
			out = append(out, infoSection{name: line[2:]})
			continue
		}
		if len(out) == 0 {
			out = append(out, infoSection{name: "(none)"})
		}
		k, v, _ := strings.Cut(line, ":")
		f := k
		switch {
		case infoExact[k]:
			f = k + "=" + v
		case strings.HasPrefix(k, "db") && strings.Contains(v, "keys="):
			var kept []string
			for _, part := range strings.Split(v, ",") {
				if strings.HasPrefix(part, "keys=") || strings.HasPrefix(part, "expires=") {
					kept = append(kept, part)
				}
			}
			f = k + "=" + strings.Join(kept, ",")
		case strings.HasPrefix(k, "cmdstat_"):
			// calls= is a function of the commands sent; the times are not.
			for _, part := range strings.Split(v, ",") {
				if strings.HasPrefix(part, "calls=") || strings.HasPrefix(part, "failed_calls=") ||
					strings.HasPrefix(part, "rejected_calls=") {
					f += "," + part
				}
			}
		case strings.HasPrefix(k, "errorstat_"):
			f = k + "=" + v
		}
		out[len(out)-1].fields = append(out[len(out)-1].fields, f)
	}
	return out
}

func infoShape(c *call) (bool, string, string) {
	const rule = "info-shape"
	if c.r.Type != c.o.Type || (c.r.Type != resp.TypeBulk && c.r.Type != resp.TypeVerbatim) {
		return false, rule, "different reply types"
	}
	a, b := ParseInfo(string(c.r.Str)), ParseInfo(string(c.o.Str))
	var diffs []string
	na, nb := sectionNames(a), sectionNames(b)
	if !equalStrings(na, nb) {
		diffs = append(diffs, fmt.Sprintf("sections %v vs %v", na, nb))
	}
	bm := map[string][]string{}
	for _, s := range b {
		bm[s.name] = s.fields
	}
	for _, s := range a {
		of, ok := bm[s.name]
		if !ok {
			continue
		}
		d := listDiff(s.fields, of)
		if d == "same fields in another order" && unorderedSections[s.name] {
			d = ""
		}
		if d != "" {
			diffs = append(diffs, "# "+s.name+": "+d)
		}
	}
	if len(diffs) == 0 {
		return true, rule, ""
	}
	return false, rule, strings.Join(diffs, "; ")
}

// unorderedSections list commands in dict order in Redis.
var unorderedSections = map[string]bool{"Commandstats": true, "Latencystats": true, "Errorstats": true}

func sectionNames(s []infoSection) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i].name
	}
	return out
}

// listDiff describes how two lists differ: what only one has, and order.
func listDiff(a, b []string) string {
	if equalStrings(a, b) {
		return ""
	}
	ina, inb := map[string]bool{}, map[string]bool{}
	for _, x := range a {
		ina[x] = true
	}
	for _, x := range b {
		inb[x] = true
	}
	var onlyA, onlyB []string
	for _, x := range a {
		if !inb[x] {
			onlyA = append(onlyA, x)
		}
	}
	for _, x := range b {
		if !ina[x] {
			onlyB = append(onlyB, x)
		}
	}
	if len(onlyA) == 0 && len(onlyB) == 0 {
		return "same fields in another order"
	}
	return fmt.Sprintf("only redis %v, only redisctl %v", onlyA, onlyB)
}

// configMasked are the parameters whose values belong to the instance.
var configMasked = map[string]bool{"dir": true, "port": true, "pidfile": true, "logfile": true}

func configGet(c *call) (bool, string, string) {
	const rule = "config-instance"
	norm := func(v resp.Value) ([]string, bool) {
		if !isAggregate(v) || len(v.Elems)%2 != 0 {
			return nil, false
		}
		var out []string
		for i := 0; i < len(v.Elems); i += 2 {
			k, val := string(v.Elems[i].Str), string(v.Elems[i+1].Str)
			if configMasked[k] {
				val = "*"
			}
			out = append(out, k+" = "+val)
		}
		sort.Strings(out)
		return out, true
	}
	a, ok1 := norm(c.r)
	b, ok2 := norm(c.o)
	if !ok1 || !ok2 || c.r.Type != c.o.Type {
		return false, rule, "different reply shapes"
	}
	if d := listDiff(a, b); d != "" && d != "same fields in another order" {
		return false, rule, d
	}
	return true, rule, ""
}

// commandTable applies the restricted-table rule.
func commandTable(c *call) (bool, string, string) {
	const rule = "restricted-table"
	impl := c.p.Implemented
	if c.name == "command|count" {
		if c.r.Type == resp.TypeInteger && c.o.Type == resp.TypeInteger && c.r.Int == 240 &&
			int(c.o.Int) == countTop(impl) {
			return true, rule, ""
		}
		return false, rule, fmt.Sprintf("COMMAND COUNT must be 240 on Redis and %d (COMMAND LIST's top-level commands) on redisctl", countTop(impl))
	}
	if c.name == "command|list" {
		if !isAggregate(c.r) || !isAggregate(c.o) {
			return false, rule, "different reply shapes"
		}
		r := filterElems(c.r, func(e resp.Value) bool { return impl[strings.ToLower(string(e.Str))] })
		if sameMultiset(r, c.o) {
			return true, rule, ""
		}
		return false, rule, "different command names after filtering Redis's list to what redisctl implements"
	}
	wholeTable := c.name == "command" || len(c.args) == 2
	if !isAggregate(c.r) || !isAggregate(c.o) || c.r.Type != c.o.Type {
		return false, rule, "different reply shapes"
	}
	isDocs := c.name == "command|docs"
	r := filterCommandEntries(c.r, impl, isDocs, wholeTable)
	o := filterCommandEntries(c.o, impl, isDocs, false)
	if isDocs {
		if samePairs(r, o) {
			return true, rule, ""
		}
	} else if wholeTable && sameMultiset(r, o) || !wholeTable && r.Equal(o) {
		return true, rule, ""
	}
	return false, rule, "different entries after filtering Redis's table to what redisctl implements"
}

func countTop(impl map[string]bool) int {
	n := 0
	for k := range impl {
		if !strings.Contains(k, "|") {
			n++
		}
	}
	return n
}

func filterElems(v resp.Value, keep func(resp.Value) bool) resp.Value {
	out := v
	out.Elems = nil
	for _, e := range v.Elems {
		if keep(e) {
			out.Elems = append(out.Elems, e)
		}
	}
	return out
}

// filterCommandEntries drops, from a COMMAND / COMMAND INFO reply (array of entries) or a
// COMMAND DOCS reply (map name => doc), the commands and subcommands redisctl does not
// implement (when drop is true) and sorts subcommand lists, whose order is dict order.
func filterCommandEntries(v resp.Value, impl map[string]bool, docs, drop bool) resp.Value {
	out := v
	out.Elems = nil
	if docs {
		for i := 0; i+1 < len(v.Elems); i += 2 {
			name := strings.ToLower(string(v.Elems[i].Str))
			if drop && !impl[name] {
				continue
			}
			out.Elems = append(out.Elems, v.Elems[i], docSubs(v.Elems[i+1], impl))
		}
		return out
	}
	for _, e := range v.Elems {
		if e.IsNull() || !isAggregate(e) || len(e.Elems) < 10 {
			out.Elems = append(out.Elems, e)
			continue
		}
		name := strings.ToLower(string(e.Elems[0].Str))
		if drop && !impl[name] {
			continue
		}
		e.Elems = append([]resp.Value(nil), e.Elems...)
		subs := filterElems(e.Elems[9], func(s resp.Value) bool {
			return isAggregate(s) && len(s.Elems) > 0 && impl[strings.ToLower(string(s.Elems[0].Str))]
		})
		sort.Slice(subs.Elems, func(i, j int) bool {
			return string(subs.Elems[i].Elems[0].Str) < string(subs.Elems[j].Elems[0].Str)
		})
		e.Elems[9] = subs
		out.Elems = append(out.Elems, e)
	}
	return out
}

// docSubs filters and sorts the "subcommands" map of one COMMAND DOCS entry.
func docSubs(doc resp.Value, impl map[string]bool) resp.Value {
	if !isAggregate(doc) {
		return doc
	}
	doc.Elems = append([]resp.Value(nil), doc.Elems...)
	for i := 0; i+1 < len(doc.Elems); i += 2 {
		if string(doc.Elems[i].Str) != "subcommands" {
			continue
		}
		subs := doc.Elems[i+1]
		var pairs [][2]resp.Value
		for j := 0; j+1 < len(subs.Elems); j += 2 {
			if impl[strings.ToLower(string(subs.Elems[j].Str))] {
				pairs = append(pairs, [2]resp.Value{subs.Elems[j], subs.Elems[j+1]})
			}
		}
		sort.Slice(pairs, func(a, b int) bool { return string(pairs[a][0].Str) < string(pairs[b][0].Str) })
		subs.Elems = nil
		for _, pr := range pairs {
			subs.Elems = append(subs.Elems, pr[0], pr[1])
		}
		doc.Elems[i+1] = subs
	}
	return doc
}

// scanCommands take a cursor argument the slow log records as sent.
var scanCommands = map[string]int{"scan": 1, "sscan": 2, "hscan": 2, "zscan": 2}

func slowlogGet(c *call) (bool, string, string) {
	const rule = "slowlog-mask"
	mask := func(v resp.Value) resp.Value {
		if !isAggregate(v) {
			return v
		}
		v.Elems = append([]resp.Value(nil), v.Elems...)
		for i, e := range v.Elems {
			if !isAggregate(e) || len(e.Elems) < 6 {
				continue
			}
			e.Elems = append([]resp.Value(nil), e.Elems...)
			e.Elems[1], e.Elems[2] = resp.Value{Type: resp.TypeInteger}, resp.Value{Type: resp.TypeInteger}
			e.Elems[4] = resp.Value{Type: resp.TypeBulk}
			// The harness follows SCAN cursors on each side (scan-iteration): the cursors
			// it sent are the server's own.
			if args := e.Elems[3]; isAggregate(args) && len(args.Elems) > 0 {
				if at, ok := scanCommands[strings.ToLower(string(args.Elems[0].Str))]; ok && at < len(args.Elems) {
					args.Elems = append([]resp.Value(nil), args.Elems...)
					args.Elems[at] = resp.Value{Type: resp.TypeBulk, Str: []byte("<cursor>")}
					e.Elems[3] = args
				}
			}
			v.Elems[i] = e
		}
		return v
	}
	mr, mo := mask(c.r), mask(c.o)
	if mr.Equal(mo) {
		return true, rule, ""
	}
	if len(mr.Elems) != len(mo.Elems) {
		return false, rule, fmt.Sprintf("%d vs %d entries", len(mr.Elems), len(mo.Elems))
	}
	for i := range mr.Elems {
		if !mr.Elems[i].Equal(mo.Elems[i]) {
			return false, rule, fmt.Sprintf("entry %d (masked): %s vs %s", i+1, Show(mr.Elems[i]), Show(mo.Elems[i]))
		}
	}
	return false, rule, "different entries beyond timestamps, durations and addresses"
}

func latencyHistogram(c *call) (bool, string, string) {
	const rule = "latency-histogram"
	norm := func(v resp.Value) []string {
		var out []string
		for i := 0; i+1 < len(v.Elems); i += 2 {
			calls := ""
			h := v.Elems[i+1]
			for j := 0; j+1 < len(h.Elems); j += 2 {
				if string(h.Elems[j].Str) == "calls" {
					calls = Canon(h.Elems[j+1])
				}
			}
			out = append(out, string(v.Elems[i].Str)+" calls="+calls)
		}
		sort.Strings(out)
		return out
	}
	if c.r.Type != c.o.Type {
		return false, rule, "different reply types"
	}
	if d := listDiff(norm(c.r), norm(c.o)); d != "" && d != "same fields in another order" {
		return false, rule, d
	}
	return true, rule, ""
}

func debugObject(c *call) (bool, string, string) {
	const rule = "debug-object"
	if len(c.args) < 2 || !strings.EqualFold(string(c.args[1]), "object") {
		return false, "", "different replies"
	}
	mask := func(s []byte) string {
		f := strings.Fields(string(s))
		for i, x := range f {
			k, _, ok := strings.Cut(x, ":")
			if ok && (k == "lru" || k == "lru_seconds_idle") {
				f[i] = k + ":*"
			}
			if x == "at:" && i+1 < len(f) {
				f[i+1] = "*"
			}
			if strings.HasPrefix(x, "at:0x") {
				f[i] = "at:*"
			}
		}
		return strings.Join(f, " ")
	}
	if c.r.Type == c.o.Type && mask(c.r.Str) == mask(c.o.Str) {
		return true, rule, ""
	}
	return false, rule, "different fields beyond the pointer and LRU"
}

// execElements compares EXEC's reply element by element with the queued commands' rules.
func execElements(c *call) (bool, string, string) {
	const rule = "exec-elements"
	if !isAggregate(c.r) || !isAggregate(c.o) || len(c.r.Elems) != len(c.o.Elems) ||
		len(c.r.Elems) != len(c.queued) || c.r.Type != c.o.Type {
		return false, rule, "different replies"
	}
	for i, q := range c.queued {
		sub := &call{p: c.p, l: c.l, name: CommandName(q), args: q, r: c.r.Elems[i], o: c.o.Elems[i]}
		ok, _, why := compare(sub)
		if ok {
			continue
		}
		// A known difference of a queued command makes EXEC's difference known too.
		res := &Result{Name: sub.name, Args: q, R: sub.r, O: sub.o, Why: why}
		if k := c.p.matchKnown(res); k != nil {
			c.known = k
			continue
		}
		return false, rule, fmt.Sprintf("element %d (%s): %s", i+1, ShowArgs(q), why)
	}
	if c.known != nil {
		return false, rule, "only known differences in the elements"
	}
	return true, rule, ""
}

// --- scan-iteration ---

func scanIteration(c *call) (bool, string, string) {
	const rule = "scan-iteration"
	cursorAt := 2
	if c.name == "scan" {
		cursorAt = 1
	}
	shape := func(v resp.Value) bool {
		return v.Type == resp.TypeArray && len(v.Elems) == 2 && v.Elems[0].Type == resp.TypeBulk &&
			isAggregate(v.Elems[1])
	}
	if !shape(c.r) || !shape(c.o) {
		return false, rule, "replies are not both [cursor, array]"
	}
	if cursorAt >= len(c.args) || string(c.args[cursorAt]) != "0" || !c.probe {
		return true, rule, ""
	}
	pairs := c.name == "hscan" || c.name == "zscan"
	var sets [2]map[string]bool
	var calls [2]int
	for s := 0; s < 2; s++ {
		first := c.r
		if s == Ours {
			first = c.o
		}
		set, n, err := c.iterate(s, cursorAt, first, pairs)
		if err != nil {
			return false, rule, err.Error()
		}
		sets[s], calls[s] = set, n
	}
	// Pad the side that needed fewer calls with the same first call, so both servers
	// have run the command as many times (INFO commandstats compares calls=).
	for s := 0; s < 2; s++ {
		for ; calls[s] < calls[1-s]; calls[s]++ {
			if _, err := c.l.C[s].Do(argStrings(c.args)...); err != nil {
				return false, rule, err.Error()
			}
		}
	}
	a, b := keysOf(sets[Redis]), keysOf(sets[Ours])
	if d := listDiff(a, b); d != "" {
		return false, rule, "full iterations differ: " + d
	}
	return true, rule, ""
}

// iterate follows the cursor on one side until it returns 0 and collects the union; it
// returns how many extra calls it made.
func (c *call) iterate(side, cursorAt int, first resp.Value, pairs bool) (map[string]bool, int, error) {
	set := map[string]bool{}
	add := func(v resp.Value) {
		el := v.Elems[1].Elems
		if pairs {
			for i := 0; i+1 < len(el); i += 2 {
				set[Canon(el[i])+" => "+Canon(el[i+1])] = true
			}
			return
		}
		for _, e := range el {
			set[Canon(e)] = true
		}
	}
	add(first)
	cursor := string(first.Elems[0].Str)
	args := cloneArgs(c.args)
	n := 0
	for ; cursor != "0"; n++ {
		if n > 10000 {
			return nil, n, fmt.Errorf("%s: cursor never returned to 0", SideName[side])
		}
		args[cursorAt] = []byte(cursor)
		conn := c.l.C[side]
		if err := conn.Send(args); err != nil {
			return nil, n, err
		}
		v, err := conn.Read()
		if err != nil {
			return nil, n, err
		}
		if v.Type != resp.TypeArray || len(v.Elems) != 2 || !isAggregate(v.Elems[1]) {
			return nil, n, fmt.Errorf("%s: cursor %s answered %s", SideName[side], cursor, Show(v))
		}
		add(v)
		cursor = string(v.Elems[0].Str)
	}
	return set, n, nil
}

func argStrings(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// --- stream-times ---

var streamTimeFields = map[string]bool{"idle": true, "seen-time": true, "active-time": true, "inactive": true}

func streamTimes(c *call) (bool, string, string) {
	const rule = "stream-times"
	if maskStreamTimes(c.r).Equal(maskStreamTimes(c.o)) {
		return true, rule, ""
	}
	return false, rule, "different replies beyond idle and delivery times"
}

// isStreamID reports whether b looks like "<ms>-<seq>".
func isStreamID(b []byte) bool {
	i := bytes.IndexByte(b, '-')
	if i <= 0 || i == len(b)-1 {
		return false
	}
	for j, ch := range b {
		if j != i && (ch < '0' || ch > '9') {
			return false
		}
	}
	return true
}

// maskStreamTimes zeroes, recursively, the values of the time fields of maps (or flat
// key/value arrays) and the times of pending-entry tuples: [id, consumer, time, count]
// (XPENDING, a group's PEL in XINFO STREAM FULL) and [id, time, count] (a consumer's PEL).
func maskStreamTimes(v resp.Value) resp.Value {
	if !isAggregate(v) {
		return v
	}
	v.Elems = append([]resp.Value(nil), v.Elems...)
	n := len(v.Elems)
	if n > 0 && v.Elems[0].Type == resp.TypeBulk && isStreamID(v.Elems[0].Str) {
		switch {
		case n == 4 && v.Elems[2].Type == resp.TypeInteger && v.Elems[3].Type == resp.TypeInteger:
			v.Elems[2].Int = 0
		case n == 3 && v.Elems[1].Type == resp.TypeInteger && v.Elems[2].Type == resp.TypeInteger:
			v.Elems[1].Int = 0
		}
	}
	for i := range v.Elems {
		if i%2 == 1 && (v.Type == resp.TypeMap || v.Type == resp.TypeArray) &&
			streamTimeFields[string(v.Elems[i-1].Str)] && v.Elems[i].Type == resp.TypeInteger {
			v.Elems[i].Int = 0
			continue
		}
		v.Elems[i] = maskStreamTimes(v.Elems[i])
	}
	return v
}

// --- lex-mixed-scores ---

func lexMixed(c *call) (bool, string, string) {
	const rule = "lex-mixed-scores"
	key := c.args[1]
	switch c.name {
	case "zrange", "zrangestore":
		bylex := false
		for _, a := range c.args {
			if strings.EqualFold(string(a), "bylex") {
				bylex = true
			}
		}
		if !bylex {
			return false, "", "different replies"
		}
		if c.name == "zrangestore" {
			key = c.args[2]
		}
	}
	if c.r.Type != c.o.Type || !c.probe {
		return false, rule, "different replies"
	}
	re, oe := c.encodings(key)
	// ZREMRANGEBYLEX may have emptied (deleted) the key on one side: look at what is left.
	gone := func(e string) bool { return c.name == "zremrangebylex" && e == "" }
	if (re != "skiplist" && !gone(re)) || (oe != "skiplist" && !gone(oe)) || gone(re) && gone(oe) {
		return false, rule, fmt.Sprintf("encodings %q / %q: a listpack's lex range is deterministic", re, oe)
	}
	r, o, err := c.p.bothBytes(c.l, [][]byte{[]byte("ZRANGE"), key, []byte("0"), []byte("-1"), []byte("WITHSCORES")})
	if gone(re) {
		r = o
	}
	if err != nil || !isAggregate(r) {
		return false, rule, "cannot read the zset"
	}
	scores := map[string]bool{}
	_, vals, _ := picks(r, true) // flat pairs in RESP2, [member, score] pairs in RESP3
	for _, v := range vals {
		scores[string(v)] = true
	}
	if len(scores) < 2 {
		return false, rule, "all members share one score: the lex range is specified"
	}
	c.resync = c.name == "zremrangebylex" || c.name == "zrangestore"
	return true, rule, ""
}
