// Package rdb reads and writes Redis RDB files and DUMP payloads.
//
// An RDB file is Redis's point-in-time snapshot: a 9-byte magic, a header
// of AUX fields and function libraries, then for each database a SELECTDB
// opcode and its keys, then EOF and a CRC-64. Every key is a type byte
// (optionally preceded by its expiry, LRU idle time, LFU counter or
// metadata), the key as an RDB string, and the value laid out as that type
// says. Small aggregates are stored as the very blobs Redis keeps in memory
// (listpack, ziplist, intset, zipmap), carried inside RDB strings.
//
//	+-----------+----------------------------------------------------+
//	| REDIS0011 | magic: "REDIS" + 4 digit version (or "VALKEY" + 3)  |
//	+-----------+----------------------------------------------------+
//	| FA name value             AUX (250): header field               |
//	| F5 code                   FUNCTION2 (245): a library's source   |
//	| F7 id when body... 00     MODULE_AUX (247)                      |
//	| FE db                     SELECTDB (254)                        |
//	| FB keys expires           RESIZEDB (251)                        |
//	| FC 8 bytes LE ms          EXPIRETIME_MS (252) \                 |
//	| F8 len / F9 byte          IDLE (248) / FREQ (249) } next key    |
//	| F3 count classes...       KEY_META (243, RDB 13) /              |
//	| <type> <key> <value>      a key: type byte 0..26                |
//	| ...                                                             |
//	| FF                        EOF (255)                             |
//	| 8 bytes LE                CRC-64 Jones of everything before;   |
//	|                           zero = not computed; none before v5   |
//	+-----------------------------------------------------------------+
//
// Lengths (counts, string sizes) use the top two bits of their first byte:
//
//	00xxxxxx                     6-bit length
//	01xxxxxx xxxxxxxx            14-bit length, big-endian
//	10000000 + 4 bytes BE        32-bit length
//	10000001 + 8 bytes BE        64-bit length (RDB 8+)
//	11xxxxxx                     a special string: xxxxxx = 0 int8,
//	                             1 int16 LE, 2 int32 LE, 3 LZF
//	                             (compressed len, plain len, data)
//
// # Reading
//
// Decoder is a streaming pull iterator: it emits one record per header
// item, per key begin and end, and per element of an aggregate, and holds
// at most one container blob, so a list of any size costs the memory of
// one quicklist node. Slices it hands out are valid until the next call to
// Next. Walk and Visitor are a callback layer on top; Decoder.ReadValue
// collects one key's value whole when that is what the caller wants.
//
//	d := rdb.NewDecoder(f, &rdb.Options{Deep: true})
//	for d.Next() {
//		switch d.Kind() {
//		case rdb.RecKeyBegin:
//			fmt.Printf("db %d %q %s\n", d.DB(), d.Key(), d.ValueKind())
//		case rdb.RecHashField:
//			fmt.Printf("  %q = %q\n", d.Field(), d.Value())
//		case rdb.RecKeyEnd:
//			fmt.Printf("  %d elements, loads as %s\n", d.Len(), d.LoadedEncoding())
//		}
//	}
//	if err := d.Err(); err != nil {
//		var e *rdb.Error // offset, db, key, step, cause
//		if errors.As(err, &e) && errors.Is(err, rdb.ErrTruncated) { ... }
//	}
//
// Every RDB version Redis wrote (1 to 13) and Valkey's VALKEY080/081 are
// read, with every encoding: plain, zipmap, ziplist, intset, listpack,
// quicklist 1 and 2, streams 1 to 4, hash field expiry (types 22 to 25),
// module values (skipped by walking their opcodes and kept raw), functions.
//
// # Writing
//
// Encoder writes RDB 7 (Redis 3.2) to 12 (Redis 7.4), by default 10, what
// Redis 7.0 writes, choosing each value's encoding as Redis of that
// version does (listpack or hashtable, intset, quicklist nodes split at 8
// KB, LZF for strings over 20 bytes, ...). Values are given whole (Value),
// pre-encoded (WriteRaw, WriteListpack), or streamed element by element
// through BeginValue with bounded memory. EncodeDump and DecodeDump do the
// same for DUMP/RESTORE payloads.
//
// # What this package must never do
//
//   - panic on damaged input, or use recover as control flow;
//   - allocate from a length it has not checked against a limit (Options.
//     MaxLen) or grow a buffer faster than the bytes actually arrive, so a
//     lying length in a 100-byte file fails as ErrTruncated, not as an
//     out-of-memory;
//   - lose what was read before damage: records up to the damage are
//     delivered, then Err returns an *Error with the offset;
//   - confuse a short input (ErrTruncated) with bad bytes (ErrCorrupt);
//   - hold a whole value or file in memory while decoding;
//   - import anything of the project but its own leaf packages
//     (rdb/listpack, rdb/ziplist, rdb/zipmap, rdb/intset, rdb/lzf,
//     rdb/crc64).
package rdb
