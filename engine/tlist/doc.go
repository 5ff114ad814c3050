// Package tlist implements Redis's list type as Redis 7.0.15 holds it: every list is a
// quicklist (OBJECT ENCODING "quicklist") of listpack nodes, sized by
// list-max-listpack-size (negative: a byte limit per node, 8 KB by default; positive: an
// element count, capped by an 8 KB safety limit), with PLAIN nodes for elements of at least
// the packed threshold (1 GB; SetPackedThreshold is DEBUG QUICKLIST-PACKED-THRESHOLD) and
// LZF-compressed inner nodes beyond list-compress-depth. Node insertion, splitting,
// merging and compression follow quicklist.c step by step, so the node layout, MEMORY
// USAGE and the bytes RDB saves are Redis's. A list's fill and depth are fixed when it is
// created, as in Redis.
//
// Commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LSET LRANGE LTRIM LINSERT LREM
// LPOS RPOPLPUSH LMOVE LMPOP, and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP
// (bcommands.go: served at once like LPOP/RPOP/LMOVE/LMPOP when a key has elements, else
// the client blocks on its keys through engine.Ctx.BlockOn and ServeBlockedPop serves it),
// with Redis's replies, argument parsing order, keyspace events, dirty counts and
// propagation (LMPOP propagates as LPOP/RPOP key count, the blocking ones as their
// non-blocking forms).
//
// For other packages:
//   - the blocking layer (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) calls ServeBlockedPop
//     to serve a waiting client when a key becomes ready, and PopOne, PopRangeWithKey,
//     Move and MPop for the immediate (non-blocking) path. Lists are only ever created
//     through engine.DB.Add (pushes, LMOVE's destination), where Redis 7.0's dbAdd calls
//     signalKeyAsReady: that is the hook for waking blocked clients;
//   - SORT, DUMP/RDB save, AOF rewrite and the analyzers iterate elements with
//     Quicklist.Each and nodes with Quicklist.Nodes (RDB quicklist 2 writes each node's
//     listpack, plain element or LZF blob as is);
//   - RESTORE and RDB load build lists with FromElements (old encodings: push each
//     element at the tail) or FromNodes (quicklist 2: node bytes taken as they are);
//   - New, NewObject and FromObject create and unwrap list values;
//   - a snapshot job writing a big list in steps holds it (Hold, NextHeld, Release:
//     copy-on-write per node, held.go) when a client changes it.
//
// The package must never keep a reference to a request argument (element bytes are
// copied into listpacks), never allocate per element when replying, never change a
// list while only reading it through Each or Nodes, and never change a node's elements
// without calling beforeChange first, nor unlink a node but through delNode (a held
// list's reader would read the new elements).
package tlist
