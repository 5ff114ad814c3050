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
//     (rdbSaveLzfBlob), never recompressed.
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
// Not yet: streams (RESTORE of a stream payload replies "Bad data format" and LoadInto
// refuses stream keys until the stream family exists) and module values.
//
// What this package must never do: keep a reference to a request argument or to a
// decoder's buffers in the keyspace (everything stored is copied); panic or allocate from
// an unchecked length on a damaged payload; write bytes Redis 7.0 would not write for the
// same value.
package rdbobj
