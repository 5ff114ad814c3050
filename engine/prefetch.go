package engine

import (
	"github.com/redisctl/redisctl/engine/dict"
	"github.com/redisctl/redisctl/resp"
)

// Prefetching: the server hands the engine the leading arguments of the commands of a
// pipeline before it runs them, and the engine loads the cache lines those commands are
// about to miss on (the keyspace buckets and entries, the values' first bytes, and the
// members' entries of big hashes, sets and sorted sets), with loads that do not depend on
// one another, so the CPU overlaps the misses that the commands, run one at a time, would
// pay one after another. Prefetching is only a hint: it changes no state (no rehash step,
// no LRU touch, no statistics) and a wrong guess costs a probe and nothing else.

// PrefetchMax is the most commands one Prefetch call looks at.
const PrefetchMax = dict.PrefetchMax

// PrefetchCmd is what Prefetch needs of one command: its argument count and first
// arguments (name, key and the two after it), as the request reader's Peek reports them.
type PrefetchCmd = resp.Peeked

// MemberPrefetcher loads what looking up members in o (a value of the family's type)
// would miss on. It must change nothing.
type MemberPrefetcher func(o *Object, members [][]byte)

var memberPrefetch [TypeStream + 1]MemberPrefetcher

// RegisterMemberPrefetch installs a family's member prefetcher (from its init).
func RegisterMemberPrefetch(t Type, fn MemberPrefetcher) { memberPrefetch[t] = fn }

// memberArgs says, for the commands that look up one member of a hash, set or sorted set
// by a fixed argument, which argument that member is (the first one, for the variadic).
var memberArgs = map[string]int8{
	"hset": 2, "hsetnx": 2, "hget": 2, "hmget": 2, "hmset": 2, "hdel": 2, "hexists": 2,
	"hincrby": 2, "hincrbyfloat": 2, "hstrlen": 2,
	"sadd": 2, "srem": 2, "sismember": 2, "smismember": 2,
	"zadd": 3, "zincrby": 3, "zscore": 2, "zmscore": 2, "zrem": 2, "zrank": 2, "zrevrank": 2,
}

// Prefetch warms the caches for cmds, about to run for c in this order. Lock held.
func (e *Engine) Prefetch(c *Client, cmds []PrefetchCmd) {
	if len(cmds) > PrefetchMax {
		cmds = cmds[:PrefetchMax]
	}
	db := c.db
	if len(cmds) == 0 || db == nil || db.keys.Len() == 0 {
		return
	}
	var keys [PrefetchMax][]byte
	n := 0
	for i := range cmds {
		if k := prefetchKey(&cmds[i]); k != nil {
			keys[n] = k
			n++
		}
	}
	db.keys.Prefetch(keys[:n], touchValue)
	// Keys with a TTL: every lookup checks the expires dict too.
	db.expires.Prefetch(keys[:n], nil)

	// Members: only commands of a known shape, grouped by key (a pipeline usually writes
	// one big key), looked up with the key's entry now in cache.
	members := &e.prefetchMembers // the prefetchers are called indirectly: a local would escape
	var cur *Object
	var curKey []byte
	m := 0
	for i := range cmds {
		p := &cmds[i]
		pos := memberArgPos(e, p)
		if pos == 0 {
			continue
		}
		if cur == nil || string(curKey) != string(p.Args[1]) {
			if m > 0 {
				memberPrefetch[cur.typ](cur, members[:m])
				m = 0
			}
			cur, curKey = nil, p.Args[1]
			en := db.keys.Peek(p.Args[1])
			if en == nil || memberPrefetch[en.Value.typ] == nil {
				continue
			}
			cur = &en.Value
		}
		if cur != nil {
			members[m] = p.Args[pos]
			m++
		}
	}
	if m > 0 {
		memberPrefetch[cur.typ](cur, members[:m])
	}
	clear(members[:]) // they point into the client's read buffer
}

// prefetchKey is the key p's command looks up first: its first argument, but for
// EVAL/EVALSHA/FCALL (and their _RO forms), "<script> <numkeys> <key> ...", the first key
// when numkeys is at least 1, and none otherwise.
func prefetchKey(p *PrefetchCmd) []byte {
	if p.Argc < 2 {
		return nil
	}
	if name := p.Args[0]; len(name) >= 4 && (name[0]|0x20 == 'e' || name[0]|0x20 == 'f') &&
		(EqualFold(name, "evalsha") || EqualFold(name, "eval") || EqualFold(name, "fcall") ||
			EqualFold(name, "evalsha_ro") || EqualFold(name, "eval_ro") || EqualFold(name, "fcall_ro")) {
		if p.Argc < 4 {
			return nil
		}
		if n, ok := ParseInt(p.Args[2]); !ok || n < 1 {
			return nil
		}
		return p.Args[3]
	}
	return p.Args[1]
}

// memberArgPos is the position of p's member argument, or 0.
func memberArgPos(e *Engine, p *PrefetchCmd) int {
	if p.Argc < 3 || len(p.Args[0]) < 3 || len(p.Args[0]) > 12 {
		return 0
	}
	switch p.Args[0][0] | 0x20 { // only the hash, set and sorted-set commands
	case 'h', 's', 'z':
	default:
		return 0
	}
	cmd := e.lastCmd // most pipelines repeat the command that ran last
	if cmd == nil || !equalFold(p.Args[0], cmd.Name) {
		cmd = e.table.Lookup(p.Args[0])
	}
	if cmd == nil || cmd.memberArg == 0 || int(cmd.memberArg) >= p.Argc {
		return 0
	}
	return int(cmd.memberArg)
}

// touchValue loads the first byte of an entry's payload.
func touchValue(en *Entry) uintptr {
	o := &en.Value
	if o.p == nil || (o.IsBytes() && o.n <= 0) {
		return 0
	}
	return uintptr(*(*byte)(o.p))
}
