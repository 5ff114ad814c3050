package resp

import (
	"bytes"
	"io"
	"math"
)

// Limits of the request parser, as Redis 7.0 (server.h, networking.c).
const (
	// InlineMaxSize is PROTO_INLINE_MAX_SIZE: an inline request, a multibulk
	// count line or a bulk length line longer than this is refused.
	InlineMaxSize = 64 * 1024
	// DefaultMaxBulkLen is the default proto-max-bulk-len.
	DefaultMaxBulkLen = 512 << 20
	// MaxMultibulkLen is the largest element count Redis 7.0 accepts (INT_MAX).
	// Redis before 7.0 refused counts over 1024*1024; 7.0.15 does not.
	MaxMultibulkLen = math.MaxInt32
	// unauthMultibulkLen and unauthBulkLen are the limits Redis applies while
	// a client still has to authenticate.
	unauthMultibulkLen = 10
	unauthBulkLen      = 16384
)

// Redis 7.0's protocol error texts, sent as "-ERR <text>".
const (
	msgTooBigInline      = "Protocol error: too big inline request"
	msgUnbalancedQuotes  = "Protocol error: unbalanced quotes in request"
	msgTooBigMbulkCount  = "Protocol error: too big mbulk count string"
	msgInvalidMbulkLen   = "Protocol error: invalid multibulk length"
	msgUnauthMbulkLen    = "Protocol error: unauthenticated multibulk length"
	msgTooBigBulkCount   = "Protocol error: too big bulk count string"
	msgExpectedDollarFmt = "Protocol error: expected '$', got '"
	msgInvalidBulkLen    = "Protocol error: invalid bulk length"
	msgUnauthBulkLen     = "Protocol error: unauthenticated bulk length"
)

type parseState int

const (
	stNeed parseState = iota // no complete command buffered
	stDone                   // a command was parsed into args
	stSkip                   // an empty command was consumed (empty inline line, *0, *-1)
	stFail                   // protocol error, now sticky in r.err
)

type span struct{ start, end int }

// Reader parses client requests (the server side of RESP), with the exact
// rules of Redis 7.0's processInputBuffer: multibulk requests
// ("*N\r\n$len\r\n...") and inline requests (a line split by sdssplitargs).
//
// Two calls read commands:
//
//   - ReadCommand blocks, reading from the underlying io.Reader, until one
//     whole command is buffered, and returns it.
//   - TryCommand returns the next command only if it is already buffered,
//     and never reads. It reports ok=false when more bytes are needed.
//
// A connection loop runs: ReadCommand (block for the first command), take
// the engine lock, execute it, then TryCommand/execute until ok=false,
// release the lock and flush the replies once. That is a whole pipeline
// under one lock.
//
// Validity of args: the returned [][]byte are sub-slices of the read buffer
// (no copy, no per-argument allocation; inline arguments are unescaped in
// place). They stay valid until the next call to ReadCommand, which may
// move or reuse the buffer. TryCommand never moves the buffer, so every
// command obtained by one ReadCommand and the TryCommand calls after it stay
// valid together, provided each went into its own args slice. Callers that
// keep an argument longer (a key stored in the keyspace) must copy it.
//
// Errors: a *ProtocolError is sticky; every later call returns it. Commands
// before the bad bytes are still returned first, as Redis runs them before
// replying the error. A read error is returned by ReadCommand once the
// complete commands buffered before it are consumed: io.EOF at a command
// boundary, io.ErrUnexpectedEOF inside a command.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	in       inbuf
	err      error
	maxBulk  int64
	maxQuery int
	auth     bool

	// State of the pending multibulk command, offsets relative to in.r, as
	// Redis's multibulklen/bulklen, so that a command arriving in many reads
	// is parsed once, not once per read.
	mb      bool
	mbLeft  int
	bulkLen int64 // -1 when the next length line is still to be read
	cur     int
	spans   []span
	need    int // pending bytes needed to make progress; 0 when unknown

	// Inline state: bytes from in.r already known to hold no '\n', and
	// whether a NUL byte blocks the line forever (Redis uses strchr).
	scanned int
	stuck   bool

	// Commands Peek parsed ahead (peek.go): pq[phead:] are still to be returned,
	// valid while auth and maxBulk are as they were (pauth, pmaxBulk).
	pq       []peekedCmd
	pspans   []span
	phead    int
	pauth    bool
	pmaxBulk int64
}

// NewReader returns a request parser over rd. Options: WithMaxBulkLen,
// WithMaxQueryBuffer, WithBufferSize.
func NewReader(rd io.Reader, opts ...Option) *Reader {
	o := defaultOptions()
	for _, f := range opts {
		f(&o)
	}
	r := &Reader{}
	r.in.reset(rd, o.bufSize)
	r.in.base = o.base
	r.SetMaxBulkLen(o.maxBulk)
	r.maxQuery = o.maxQuery
	r.bulkLen = -1
	return r
}

// Reset discards all state and reads from rd, keeping the buffer (unless it
// grew large), so Readers can be pooled across connections.
func (r *Reader) Reset(rd io.Reader) {
	r.in.reset(rd, r.in.size)
	r.err, r.mb, r.mbLeft, r.bulkLen, r.cur, r.need = nil, false, 0, -1, 0, 0
	r.spans, r.scanned, r.stuck = r.spans[:0], 0, false
	r.pq, r.pspans, r.phead = r.pq[:0], r.pspans[:0], 0
}

// SetMaxBulkLen changes proto-max-bulk-len for the next length read.
func (r *Reader) SetMaxBulkLen(n int64) {
	if n < 1 {
		n = DefaultMaxBulkLen
	}
	if n > math.MaxInt-2 {
		n = math.MaxInt - 2
	}
	r.maxBulk = n
}

// SetMaxQueryBuffer sets the query buffer limit (0: none); see
// WithMaxQueryBuffer.
func (r *Reader) SetMaxQueryBuffer(n int) { r.maxQuery = n }

// SetAuthRequired tells the parser whether the client still has to
// authenticate; while it does, Redis refuses multibulk counts over 10 and
// bulk lengths over 16384 ("unauthenticated multibulk/bulk length").
func (r *Reader) SetAuthRequired(v bool) { r.auth = v }

// Buffered returns the number of bytes read but not yet returned as
// commands (including the start of an incomplete command). It is the size
// of Redis's query buffer, for CLIENT LIST qbuf.
func (r *Reader) Buffered() int { return r.in.w - r.in.r }

// BufferCap returns the size of the read buffer (CLIENT LIST qbuf-free is
// BufferCap()-Buffered()).
func (r *Reader) BufferCap() int { return len(r.in.buf) }

// Offset returns the stream offset of the next unparsed byte.
func (r *Reader) Offset() int64 { return r.in.offset() }

// ReadCommand returns the next command, reading as needed. args is reused:
// the result is args[:0] with the arguments appended. See the type comment
// for how long they stay valid.
func (r *Reader) ReadCommand(args [][]byte) ([][]byte, error) {
	for {
		out, ok, err := r.TryCommand(args)
		if ok || err != nil {
			return out, err
		}
		if r.maxQuery > 0 && r.in.w-r.in.r > r.maxQuery {
			r.err = ErrQueryBufferLimit
			return args[:0], r.err
		}
		if err := r.in.fill(r.need); err != nil {
			if err == io.EOF && r.in.r != r.in.w {
				err = io.ErrUnexpectedEOF
			}
			return args[:0], err
		}
		if r.maxQuery > 0 && r.in.w-r.in.r > r.maxQuery {
			r.err = ErrQueryBufferLimit
			return args[:0], r.err
		}
	}
}

// TryCommand returns the next command if it is already complete in the
// buffer (ok=true). It never reads from the underlying reader and never
// moves the buffer. ok=false with a nil error means more bytes are needed.
func (r *Reader) TryCommand(args [][]byte) (_ [][]byte, ok bool, err error) {
	for {
		if r.err != nil {
			return args[:0], false, r.err
		}
		if r.in.r == r.in.w {
			return args[:0], false, nil
		}
		if r.phead < len(r.pq) {
			if out, ok := r.takePeeked(args); ok {
				return out, true, nil
			}
		}
		var st parseState
		if r.mb || r.in.buf[r.in.r] == '*' {
			args, st = r.multibulk(args)
		} else {
			args, st = r.inline(args)
		}
		switch st {
		case stDone:
			return args, true, nil
		case stNeed:
			return args[:0], false, nil
		case stFail:
			return args[:0], false, r.err
		}
	}
}

func (r *Reader) fail(msg string) parseState {
	r.err = &ProtocolError{Msg: msg, Offset: r.in.offset()}
	return stFail
}

// inline parses one inline request as processInlineBuffer: a line ending in
// "\n" (an "\r" before it is dropped), split by sdssplitargs semantics.
func (r *Reader) inline(args [][]byte) ([][]byte, parseState) {
	data := r.in.buf[r.in.r:r.in.w]
	nl := -1
	if !r.stuck {
		rest := data[r.scanned:]
		i := bytes.IndexByte(rest, '\n')
		end := i
		if i < 0 {
			end = len(rest)
		}
		// Redis finds the newline with strchr, which stops at a NUL byte:
		// such a line never completes and can only grow into the limit.
		if bytes.IndexByte(rest[:end], 0) >= 0 {
			r.stuck = true
		} else if i >= 0 {
			nl = r.scanned + i
		}
	}
	if nl < 0 {
		if len(data) > InlineMaxSize {
			return args[:0], r.fail(msgTooBigInline)
		}
		r.scanned = len(data)
		r.need = 0
		return args[:0], stNeed
	}
	line := data[:nl]
	if nl > 0 && line[nl-1] == '\r' {
		line = line[:nl-1]
	}
	args, ok := splitArgs(args[:0], line)
	if !ok {
		return args[:0], r.fail(msgUnbalancedQuotes)
	}
	r.in.r += nl + 1
	r.scanned = 0
	if len(args) == 0 {
		return args, stSkip
	}
	return args, stDone
}

// multibulk parses one "*N\r\n$len\r\n<bytes>\r\n..." request as
// processMultibulkBuffer. Like Redis it finds each length line by its '\r',
// skips the byte after it without checking it is '\n', and skips the two
// bytes after a bulk without checking them either.
func (r *Reader) multibulk(args [][]byte) ([][]byte, parseState) {
	data := r.in.buf[r.in.r:r.in.w]
	if !r.mb {
		nl := findCR(data)
		if nl < 0 {
			if len(data) > InlineMaxSize {
				return args[:0], r.fail(msgTooBigMbulkCount)
			}
			r.need = 0
			return args[:0], stNeed
		}
		if nl > len(data)-2 {
			r.need = nl + 2
			return args[:0], stNeed
		}
		ll, ok := parseInt(data[1:nl])
		if !ok || ll > MaxMultibulkLen {
			return args[:0], r.fail(msgInvalidMbulkLen)
		}
		if ll > unauthMultibulkLen && r.auth {
			return args[:0], r.fail(msgUnauthMbulkLen)
		}
		if ll <= 0 {
			r.in.r += nl + 2
			return args[:0], stSkip
		}
		r.mb, r.mbLeft, r.bulkLen, r.cur = true, int(ll), -1, nl+2
		r.spans = r.spans[:0]
	}
	for r.mbLeft > 0 {
		rest := data[r.cur:]
		if r.bulkLen < 0 {
			nl := findCR(rest)
			if nl < 0 {
				if len(rest) > InlineMaxSize {
					return args[:0], r.fail(msgTooBigBulkCount)
				}
				r.need = 0
				return args[:0], stNeed
			}
			if nl > len(rest)-2 {
				r.need = r.cur + nl + 2
				return args[:0], stNeed
			}
			if rest[0] != '$' {
				c := rest[0]
				if c == '\r' || c == '\n' {
					c = ' ' // addReplyErrorFormat turns newlines into spaces
				}
				return args[:0], r.fail(msgExpectedDollarFmt + string([]byte{c, '\''}))
			}
			ll, ok := parseInt(rest[1:nl])
			if !ok || ll < 0 || ll > r.maxBulk {
				return args[:0], r.fail(msgInvalidBulkLen)
			}
			if ll > unauthBulkLen && r.auth {
				return args[:0], r.fail(msgUnauthBulkLen)
			}
			r.cur += nl + 2
			rest = data[r.cur:]
			r.bulkLen = ll
		}
		if int64(len(rest)) < r.bulkLen+2 {
			r.need = r.cur + int(r.bulkLen) + 2
			return args[:0], stNeed
		}
		r.spans = append(r.spans, span{r.cur, r.cur + int(r.bulkLen)})
		r.cur += int(r.bulkLen) + 2
		r.bulkLen = -1
		r.mbLeft--
	}
	args = args[:0]
	for _, s := range r.spans {
		args = append(args, data[s.start:s.end:s.end])
	}
	r.in.r += r.cur
	r.mb, r.cur, r.need = false, 0, 0
	if cap(r.spans) > 4096 {
		r.spans = nil
	}
	return args, stDone
}

// findCR returns the index of the first '\r' in b, or -1 when there is none
// or a NUL byte comes first (Redis searches with strchr).
func findCR(b []byte) int {
	// Length lines are short: a plain loop beats IndexByte's setup there.
	n := min(len(b), 24)
	for i := 0; i < n; i++ {
		switch b[i] {
		case '\r':
			return i
		case 0:
			return -1
		}
	}
	if n == len(b) {
		return -1
	}
	i := bytes.IndexByte(b[n:], '\r')
	if i < 0 {
		return -1
	}
	i += n
	if bytes.IndexByte(b[n:i], 0) >= 0 {
		return -1
	}
	return i
}

// parseInt is Redis's string2ll: an optional '-', then digits with no
// leading zero (a lone "0" excepted), within int64, nothing else.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
