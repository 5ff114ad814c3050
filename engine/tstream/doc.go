// Package tstream implements Redis's stream type exactly as Redis 7.0.15's t_stream.c
// holds it: an ordered index of listpack nodes keyed by their 128-bit master ID (a sorted
// slice standing in for the rax, with Redis's node boundaries), each node holding the
// master entry (count, deleted, fields, 0) and the entries (flags with DELETED and
// SAMEFIELDS, ID deltas, fields/values, lp-count) byte for byte as Redis writes them; a
// new node starts when stream-node-max-bytes or stream-node-max-entries would be exceeded
// (streamAppendItem). The stream keeps last_id, first_id, max_deleted_entry_id,
// entries_added, and its consumer groups: last_id, entries_read (with 7.0's lag and
// read-counter estimates), the group PEL ordered by ID, and the consumers (by name) with
// their own PELs sharing the NACKs.
//
// Commands: XADD XRANGE XREVRANGE XLEN XDEL XTRIM XREAD XREADGROUP XACK XPENDING XCLAIM
// XAUTOCLAIM XSETID XGROUP (CREATE SETID DESTROY CREATECONSUMER DELCONSUMER HELP) XINFO
// (STREAM [FULL [COUNT n]], GROUPS, CONSUMERS, HELP), with Redis 7.0's replies (RESP2 and
// RESP3), argument parsing order and error texts, keyspace events, dirty counts and
// propagation (XADD with the generated ID and exact MAXLEN/MINID; XREADGROUP, XCLAIM and
// XAUTOCLAIM as XCLAIM … FORCE JUSTID LASTID, XGROUP SETID, XGROUP CREATECONSUMER).
//
// MEMORY USAGE follows 7.0's objectComputeSize: the listpack allocations as jemalloc
// reports them (the tail node is preallocated at 4096 bytes and shrunk to fit when the
// next node starts; listpack edits reallocate as lpInsert does), and the radix tree
// estimate from the node count Redis's rax would have for the keys (see raxCounter: the
// count depends only on the key set, computed from neighbouring keys' common prefixes, and
// kept up to date through node appends and end-node removals by endDelta).
//
// For other packages:
//   - RDB save / DUMP / AOF rewrite / analyzers: Stream.EachNode gives every (master ID,
//     listpack) in order, bytes exactly as Redis saves them; Stream.Meta the metadata;
//     Stream.Groups, Group.EachPending, Group.Consumers, Consumer.EachPending the groups.
//     Stream.Iter walks entries.
//   - RDB load / RESTORE: NewBuilder, Builder.AddNode (takes the listpack, checks it with
//     ValidateNode as streamValidateListpackIntegrity), Builder.SetMeta, Builder.AddGroup,
//     Group.AddPending, Group.AddConsumer, Consumer.AddPending, Builder.Finish.
//   - the blocking layer: BlockHook receives an XREAD/XREADGROUP that would block (with
//     BlockRequest describing it; blocking.go sets it to block the client on its keys
//     through engine.Ctx.BlockOn, or to reply a null array for a client that may not
//     block, in MULTI or a script); OnKeyReady is called where Redis signals a stream key
//     as ready (XADD, XGROUP DESTROY; set to engine.DB.SignalReady); ServeBlocked serves
//     a blocked client as
//     serveClientsBlockedOnStreamKey does (reply shape, consumer creation, PEL,
//     propagation), checked against a client really blocked on redis-server.
//   - NewObject, FromObject, New wrap and unwrap stream values.
//
// Known differences from Redis 7.0.15:
//   - XAUTOCLAIM with a COUNT above 2^36 replies "Insufficient memory … COUNT too high."
//     (Redis fails its transient allocation at a machine-dependent size instead).
//   - ValidateNode refuses negative field counts, which Redis's validation lets through
//     and its iterator then asserts on.
//   - OnKeyReady and BlockHook are package variables, set by this package's init
//     (blocking.go).
//
// The package must never keep a reference to a request argument (fields, values, names
// are copied into listpacks or cloned), never allocate per entry when replying, and never
// change a stream while only reading it (XRANGE, XINFO, iteration for RDB save).
package tstream
