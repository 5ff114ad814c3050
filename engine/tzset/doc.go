// Package tzset implements Redis's sorted set type as Redis 7.0.15 does: the listpack
// encoding (member, score pairs ordered by score then member, scores stored as integers
// when double2ll accepts them and as "%.17g" text otherwise, byte-identical to Redis's) up
// to zset-max-listpack-entries members of at most zset-max-listpack-value bytes, and the
// skiplist encoding beyond (a dict from member to node plus a skiplist with Redis's random
// levels, p = 0.25, at most 32 levels, and spans for rank queries), with conversions at
// the moments Redis converts. It provides the sorted set commands of Redis 7.0 (ZADD …
// ZSCAN), the blocking BZPOPMIN, BZPOPMAX and BZMPOP included (blocking.go: popGeneric at
// once when a key can serve, else the client blocks on its keys through
// engine.Ctx.BlockOn and is served by popGeneric when one is filled).
//
// Skiplist layout (skiplist.go, member.go): each member of a skiplist-encoded set is two
// allocations, its dict entry with its bytes, and its node (levels inline, the score next
// to the level-0 link) alone in a block of its level's size class, so that searches miss on
// lines holding nodes only; a member whose score changes keeps its node and its level
// (Redis draws a new level; the distribution is the same). Searches read the next level's
// candidate early so that two cache misses overlap. None of this shows in replies, ranks,
// encodings or MEMORY USAGE, which follow Redis's node sizes (engine/memmodel).
//
// For other packages (SORT, DUMP/RDB save, AOF rewrite, the analyzers, RDB load):
//   - Len, Ascend and Descend read a value in Redis's order; ListpackBytes gives the raw
//     listpack of a small one;
//   - FromPairs and FromListpack build values as Redis's RDB loader does;
//   - ListpackScore and FitsListpack are the encoding decisions; Dup deep-copies;
//   - a snapshot job writing a big set in steps holds it (Hold: copy-on-write per member,
//     held.go) when a client changes it. Every score change therefore calls the member
//     dict's BeforeWrite first, and every removal goes through the dict's deletes.
//
// Plain sets given to ZUNION/ZINTER/ZDIFF are read through engine/tset (score 1).
//
// It must never keep a reference to a request argument (members are copied into the
// keyspace), never reply with anything but Redis's exact replies and error texts, and
// never allocate per element when replying (ZSCAN, which builds its page before replying
// as Redis does, is the exception).
package tzset
