// Package resp speaks RESP, the Redis serialization protocol, in its two
// versions (RESP2 and RESP3), for the server, for clients and for files.
//
// It provides:
//
//   - Reader: the server's request parser, byte-for-byte the behaviour of
//     Redis 7.0's processInputBuffer (multibulk and inline requests, the
//     same limits and the same "Protocol error: ..." texts), zero
//     allocations per command, with pipelining (ReadCommand + TryCommand).
//   - Writer and the Append* functions: replies for RESP2 or RESP3 built in
//     one buffer and flushed once per pipeline, with deferred lengths.
//     AppendCommand encodes requests (AOF records, restore, replication).
//   - ReplyReader: the client side, any reply into a Value tree; Value
//     renders as redis-cli does and compares with Equal.
//   - CommandReader: a strict stream of commands as found in an AOF, with
//     record offsets, keeping truncation (ErrTruncated, with the offset of
//     the last complete command) apart from corruption (ErrCorrupt).
//
// It must never import anything of the project, never panic on any input,
// and never allocate from a length it has not checked against a limit:
// buffers grow only as bytes actually arrive.
//
// # The protocol
//
// A request is an array of bulk strings, or an inline line:
//
//	*3\r\n                 array of 3 elements      ("multibulk")
//	$3\r\nSET\r\n          bulk string, 3 bytes
//	$1\r\nk\r\n
//	$5\r\nhello\r\n
//
//	SET k "hello world"\r\n   inline: split like sdssplitargs ("\n" ends it)
//
// A reply starts with a type byte; lengths are decimal, every line ends in
// "\r\n":
//
//	RESP2 and RESP3                     RESP3 only
//	+OK              simple string      _                 null
//	-ERR message     error              ,1.5  ,inf        double
//	:42              integer            #t  #f            boolean
//	$5 hello         bulk string        (12345678901234   big number
//	$-1              null bulk (RESP2)  !21 SYNTAX ...    blob error
//	*2 ...           array              =15 txt:Some text verbatim string
//	*-1              null array (RESP2) %2 k v k v        map
//	                                    ~3 a b c          set
//	                                    |1 k v <value>    attribute
//	                                    >3 message ...    push
//
// Redis's request parser, which Reader reproduces:
//
//   - The first byte of a request decides: '*' is multibulk, anything else
//     inline.
//   - Inline: the line ends at "\n" (a "\r" before it is dropped). No "\n"
//     within 64KB of pending bytes: "too big inline request". Empty lines
//     are skipped. Quotes as sdssplitargs; an unbalanced quote:
//     "unbalanced quotes in request".
//   - Multibulk: each length line is found by its "\r" and the byte after
//     it is skipped unchecked; so are the two bytes after a bulk. A count
//     that is not a clean decimal or over INT_MAX: "invalid multibulk
//     length"; a count <= 0 is an empty command, skipped. A length line
//     not starting with '$': "expected '$', got 'X'"; a length that is not
//     a clean decimal, negative or over proto-max-bulk-len: "invalid bulk
//     length". No "\r" within 64KB: "too big mbulk count string" / "too big
//     bulk count string". Before AUTH, counts over 10 and lengths over
//     16384 are refused ("unauthenticated multibulk length" / "bulk
//     length").
//   - Redis finds line ends with strchr, so a NUL byte before the end of a
//     line hides it: the request waits for more bytes and can only grow
//     into the 64KB error. Reader does the same.
//   - The server answers "-ERR <text>\r\n" and closes the connection; the
//     commands before the bad bytes run first.
package resp
