// Package rdbobj is the bridge between engine Objects and the rdb codec: it writes a
// key's value exactly as Redis 7.0's rdbSaveObject does, and builds an engine Object from
// serialized data exactly as Redis 7.0's rdbLoadObject does. DUMP and RESTORE use it
// (Commands), and so do SAVE/BGSAVE, the fork-free snapshot writer, DEBUG RELOAD and RDB
// loading at startup (SaveDB, SaveAll, LoadInto, Load).
//
// Saving (AppendValue, Dump, WriteKey, SaveDB, SaveAll):
//   - strings: int-encoded objects as rdbSaveLongLongAsStringObject, others through
//     rdbSaveRawString's rules (int encoding up to 11 bytes, LZF over 20 bytes when
//     rdbcompression is on and it saves 4 bytes or more, raw otherwise);
//   - listpack hashes and sorted sets (types 16, 17) and intsets (type 11) are copied
//     verbatim as one RDB string;
//   - hashtable sets and hashes (types 2, 4) are streamed in the dict's iteration order,
//     skiplist sorted sets as ZSET_2 (type 5) greatest score first;
//   - lists as QUICKLIST_2 (type 18), node by node: the container (1 PLAIN, 2 PACKED),
//     then the node's bytes, or for a compressed node its LZF bytes as an LZF string
//     (rdbSaveLzfBlob), never recompressed;
//   - streams as STREAM_LISTPACKS_2 (type 19): node listpacks copied as they are (through
//     rdbSaveRawString, so LZF applies), metadata, groups with entries_read, the group
//     PEL with delivery times and counts, consumers with seen time and PEL IDs.
//
// Function libraries: SaveAll writes one FUNCTION2 record per library of Engine.Functions
// after the AUX fields and before the first SELECTDB (rdbSaveFunctions); LoadInto and
// Load hand each FUNCTION2 record to Engine.Functions.LoadLibrary as it is read (replace
// only with AllowDup, as rdbLoad), and fail with ErrScriptingUnavailable when the engine
// has no function store (unless SkipFunctions).
//
// Loading (RESTORE via the private payload reader, LoadInto over rdb.Decoder records,
// Load over an io.Reader): every type byte Redis 7.0 reads, with its conversions (ziplist
// and zipmap payloads to listpacks, quicklist 1 nodes to listpack nodes, quicklist 2
// nodes copied, plain types to the compact encodings when they fit, thresholds from
// engine.Settings), empty aggregates refused (RESTORE: "Bad data format"; loading: the key
// is skipped), and sanitize-dump-payload's deep checks. Values are built with the
// families' exported builders (tstring, tlist, thash, tset, tzset) so encodings and
// OBJECT ENCODING match Redis's.
//
// Streams load from types 15 (Redis 5/6: first ID, entries added and group entries_read
// derived as 7.0 derives them), 19, and 21 (Redis 7.2, RDB files only: the consumers'
// active time is read and dropped). Unlike Redis, stream values always get the deep
// checks (every node listpack entry, every group PEL entry owned by a consumer): Redis
// without sanitize-dump-payload takes such damage and crashes on the first read of it.
//
// Not yet: module values.
//
// What this package must never do: keep a reference to a request argument or to a
// decoder's buffers in the keyspace (everything stored is copied); panic or allocate from
// an unchecked length on a damaged payload; write bytes Redis 7.0 would not write for the
// same value.
package rdbobj
