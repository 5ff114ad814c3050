// Package tset implements Redis's set type as Redis 7.0 does: the intset encoding (the
// exact intset bytes Redis holds, edited with rdb/intset) while every member is a canonical
// integer (string2ll) and the set has at most set-max-intset-entries members, and the
// hashtable encoding (an engine/dict with struct{} values) otherwise, with Redis's moments of
// conversion; and the set commands of Redis 7.0 (SADD, SREM, SCARD, SISMEMBER, SMISMEMBER,
// SMEMBERS, SMOVE, SPOP, SRANDMEMBER, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE,
// SDIFF, SDIFFSTORE, SSCAN).
//
// Redis 7.0 has no listpack sets (they came in 7.2): an intset never becomes anything but a
// hashtable, and a hashtable never goes back to an intset in place. A new set built by a
// command (SINTERSTORE, SUNIONSTORE, SDIFFSTORE, the "rebuild" strategy of SPOP with a
// count) starts as an intset and converts exactly when Redis's setTypeAdd would.
//
// What other packages use (SORT, DUMP/RESTORE, the RDB loader and saver, AOF rewrite, the
// analyzers):
//   - ForEach / ForEachBytes: walk a set's members in Redis's order (ascending for an
//     intset, dict order for a hashtable);
//   - IntsetBytes: the raw intset of an intset-encoded set (RDB_TYPE_SET_INTSET payload);
//   - FromIntset: a set from raw intset bytes (validated, copied, converted when over the
//     limit, as rdbLoadObject does); Builder: a set from a counted stream of members, as
//     rdbLoadObject builds RDB_TYPE_SET; FromMembers for the simple case;
//   - Create, NewIntset, NewHashtable, Dup: setTypeCreate, createIntsetObject,
//     createSetObject, setTypeDup (COPY);
//   - Len, IsMember, Add, Remove, RandomMember: setTypeSize/IsMember/Add/Remove/
//     RandomElement; Hashtable exposes a hashtable's dict read-only (DEBUG HTSTATS-KEY);
//   - IntsetValue, MaxIntsetEntries, FitsIntset: the encoding decisions.
//
// Where we cannot match Redis exactly: a hashtable's bucket order comes from our hash, not
// Redis's seeded siphash, so the order of SMEMBERS/SUNION/SSCAN replies of hashtables, the
// cursors of SSCAN, which members MEMORY USAGE samples (when members differ in size
// class), and how many operations an incremental rehash takes (a step skips at most ten
// empty buckets) differ. The last can shift when a table grows or shrinks by a few
// operations, and so what MEMORY USAGE reports meanwhile.
//
// It must never keep a reference to a request argument (members are copied into the
// keyspace), never reply with anything but Redis's exact replies and error texts, and never
// allocate per element when replying.
package tset
