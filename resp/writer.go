package resp

import (
	"errors"
	"io"
)

const (
	// releaseAbove: after a flush, a reply buffer that grew past this is
	// dropped and a fresh default one is used (Redis likewise frees its
	// reply list blocks once written).
	releaseAbove = 256 * 1024
	writerInit   = 16 * 1024
	// deferredReserve is the room kept for a deferred header: a prefix byte,
	// up to 20 digits and "\r\n".
	deferredReserve = 23
)

// Writer builds replies in an in-memory buffer and writes them to an
// io.Writer only when Flush is called, so a whole pipeline costs one
// write. The protocol (2 or 3, default 2) selects how RESP3-only kinds are
// downgraded, exactly as Redis's addReply* functions do:
//
//	reply           RESP3             RESP2
//	null bulk       _                 $-1
//	null array      _                 *-1
//	map of n pairs  %n                *2n
//	set             ~n                *n
//	push            >n                *n
//	double          ,%.17g            bulk "%.17g" (inf, -inf)
//	boolean         #t / #f           :1 / :0
//	big number      (digits           bulk
//	verbatim        =len txt:...      bulk of the text
//
// Errors are sticky: after a failed Flush every call does nothing and Flush
// returns the first error. Replies append without allocating once the
// buffer has grown to the working size. A Writer is not safe for concurrent
// use.
type Writer struct {
	w     io.Writer
	buf   []byte
	start int // buf[start:] is pending; start > 0 after a flush up to an open deferred length
	proto int
	err   error
	// open deferred headers: their positions in buf, -1 once set.
	deferred []int
	open     int
}

// Deferred is the handle of a length reserved by WriteDeferredLen.
type Deferred int

// NewWriter returns a RESP2 Writer flushing to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, buf: make([]byte, 0, writerInit), proto: 2}
}

// Reset discards pending replies and errors and writes to w from now on,
// keeping the buffer unless it grew large, and returns to RESP2.
func (w *Writer) Reset(dst io.Writer) {
	if cap(w.buf) > releaseAbove {
		w.buf = make([]byte, 0, writerInit)
	}
	w.w, w.buf, w.start, w.proto, w.err = dst, w.buf[:0], 0, 2, nil
	w.deferred, w.open = w.deferred[:0], 0
}

// SetProtocol selects RESP2 (2) or RESP3 (3), as HELLO does.
func (w *Writer) SetProtocol(v int) {
	if v == 3 {
		w.proto = 3
	} else {
		w.proto = 2
	}
}

// Protocol returns 2 or 3.
func (w *Writer) Protocol() int { return w.proto }

// Buffered returns the bytes of replies not yet flushed, for
// client-output-buffer-limit and CLIENT LIST omem.
func (w *Writer) Buffered() int { return len(w.buf) - w.start }

// Err returns the sticky error, if any.
func (w *Writer) Err() error { return w.err }

// Flush writes the pending replies. Bytes after an open deferred length
// are held back until it is set. After a write error, every later call
// returns that error; ErrWouldBlock from the destination is not an error of
// that kind: the bytes written are dropped from the buffer, the rest stays.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	end := len(w.buf)
	if w.open > 0 {
		for _, p := range w.deferred {
			if p >= 0 && p < end {
				end = p
			}
		}
	}
	if end > w.start {
		n, err := w.w.Write(w.buf[w.start:end])
		if err == ErrWouldBlock && n >= 0 && n < end-w.start {
			w.start += n // the rest waits for the next Flush
			return err
		}
		if err == nil && n < end-w.start {
			err = io.ErrShortWrite
		}
		if err != nil {
			w.err = err
			return err
		}
		w.start = end
	}
	if w.start == len(w.buf) {
		w.start = 0
		if cap(w.buf) > releaseAbove {
			w.buf = make([]byte, 0, writerInit)
		} else {
			w.buf = w.buf[:0]
		}
	}
	return nil
}

// WriteRaw appends bytes that are already RESP (a cached reply).
func (w *Writer) WriteRaw(b []byte) {
	if w.err == nil {
		w.buf = append(w.buf, b...)
	}
}

// WriteSimpleString writes "+s\r\n".
func (w *Writer) WriteSimpleString(s string) {
	if w.err == nil {
		w.buf = AppendSimpleString(w.buf, s)
	}
}

// WriteOK writes "+OK\r\n".
func (w *Writer) WriteOK() {
	if w.err == nil {
		w.buf = append(w.buf, "+OK\r\n"...)
	}
}

// WriteError writes an error reply; msg is the full message with its code,
// for example "ERR syntax error" or "WRONGTYPE Operation against a key
// holding the wrong kind of value". See AppendError.
func (w *Writer) WriteError(msg string) {
	if w.err == nil {
		w.buf = AppendError(w.buf, msg)
	}
}

// WriteInt writes ":n\r\n".
func (w *Writer) WriteInt(n int64) {
	if w.err == nil {
		w.buf = AppendInt(w.buf, n)
	}
}

// WriteBulk writes a bulk string.
func (w *Writer) WriteBulk(b []byte) {
	if w.err == nil {
		w.buf = AppendBulk(w.buf, b)
	}
}

// WriteBulkString writes a bulk string.
func (w *Writer) WriteBulkString(s string) {
	if w.err == nil {
		w.buf = AppendBulkString(w.buf, s)
	}
}

// WriteBulkInt writes n in decimal as a bulk string.
func (w *Writer) WriteBulkInt(n int64) {
	if w.err == nil {
		w.buf = AppendBulkInt(w.buf, n)
	}
}

// WriteNull writes the null bulk: "$-1" in RESP2, "_" in RESP3.
func (w *Writer) WriteNull() {
	if w.err != nil {
		return
	}
	if w.proto == 3 {
		w.buf = AppendNull(w.buf)
	} else {
		w.buf = AppendNullBulk(w.buf)
	}
}

// WriteNullArray writes the null array: "*-1" in RESP2, "_" in RESP3.
func (w *Writer) WriteNullArray() {
	if w.err != nil {
		return
	}
	if w.proto == 3 {
		w.buf = AppendNull(w.buf)
	} else {
		w.buf = AppendNullArray(w.buf)
	}
}

// WriteArrayLen writes an array header; n elements must follow.
func (w *Writer) WriteArrayLen(n int) {
	if w.err == nil {
		w.buf = AppendLen(w.buf, TypeArray, int64(n))
	}
}

// WriteMapLen writes a map header for n key/value pairs; 2n elements must
// follow. RESP2 gets an array of 2n.
func (w *Writer) WriteMapLen(n int) {
	if w.err == nil {
		w.buf = w.aggLen(w.buf, TypeMap, int64(n))
	}
}

// WriteSetLen writes a set header (an array in RESP2).
func (w *Writer) WriteSetLen(n int) {
	if w.err == nil {
		w.buf = w.aggLen(w.buf, TypeSet, int64(n))
	}
}

// WritePushLen writes a push header, used for pub/sub messages in RESP3
// (an array in RESP2).
func (w *Writer) WritePushLen(n int) {
	if w.err == nil {
		w.buf = w.aggLen(w.buf, TypePush, int64(n))
	}
}

func (w *Writer) aggLen(dst []byte, t Type, n int64) []byte {
	if w.proto == 3 {
		return AppendLen(dst, t, n)
	}
	if t == TypeMap {
		n *= 2
	}
	return AppendLen(dst, TypeArray, n)
}

// WriteDouble writes a double as Redis 7.0's addReplyDouble: a "%.17g"
// bulk string in RESP2, ",%.17g" in RESP3; infinities are "inf"/"-inf".
func (w *Writer) WriteDouble(d float64) {
	if w.err != nil {
		return
	}
	if w.proto == 3 {
		w.buf = AppendDouble(w.buf, d)
	} else {
		w.buf = AppendDoubleBulk(w.buf, d)
	}
}

// WriteDoubleText writes an already formatted double (for example the
// "human" long double of INCRBYFLOAT, addReplyHumanLongDouble): a bulk in
// RESP2, ",text" in RESP3.
func (w *Writer) WriteDoubleText(text []byte) {
	if w.err != nil {
		return
	}
	if w.proto == 3 {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, text...)
		w.buf = append(w.buf, '\r', '\n')
	} else {
		w.buf = AppendBulk(w.buf, text)
	}
}

// WriteBool writes "#t"/"#f" in RESP3 and ":1"/":0" in RESP2.
func (w *Writer) WriteBool(v bool) {
	if w.err != nil {
		return
	}
	if w.proto == 3 {
		w.buf = AppendBool(w.buf, v)
	} else if v {
		w.buf = append(w.buf, ":1\r\n"...)
	} else {
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// WriteBigNumber writes a big number: "(digits" in RESP3, a bulk in RESP2.
func (w *Writer) WriteBigNumber(digits string) {
	if w.err != nil {
		return
	}
	if w.proto == 3 {
		w.buf = AppendBigNumber(w.buf, digits)
	} else {
		w.buf = AppendBulkString(w.buf, digits)
	}
}

// WriteVerbatim writes a verbatim string with a three-letter format ("txt",
// "mkd"): "=len\r\nfmt:..." in RESP3, a plain bulk of s in RESP2.
func (w *Writer) WriteVerbatim(format string, s []byte) {
	if w.err != nil {
		return
	}
	if w.proto == 3 {
		w.buf = AppendVerbatim(w.buf, format, s)
	} else {
		w.buf = AppendBulk(w.buf, s)
	}
}

// WriteDeferredLen reserves room for an aggregate header whose length is
// not known yet (Redis's addReplyDeferredLen). Write the elements, then
// call SetArrayLen, SetMapLen, SetSetLen or SetPushLen with the handle.
// Deferred lengths may nest and may be set in any order.
//
// How it works: a fixed 23-byte hole is appended. Setting it writes the
// real header at the end of the hole and closes the gap by moving the
// shorter side, the bytes before the hole (pending replies, usually few)
// or the elements after it, so the cost is bounded by the smaller of the
// two. Flush holds back everything from the first open hole onward.
func (w *Writer) WriteDeferredLen() Deferred {
	if w.err != nil {
		return -1
	}
	pos := len(w.buf)
	w.buf = append(w.buf, make([]byte, deferredReserve)...)
	w.open++
	for i, p := range w.deferred {
		if p < 0 {
			w.deferred[i] = pos
			return Deferred(i)
		}
	}
	w.deferred = append(w.deferred, pos)
	return Deferred(len(w.deferred) - 1)
}

// SetArrayLen sets a deferred length to an array of n elements.
func (w *Writer) SetArrayLen(d Deferred, n int) { w.setDeferred(d, TypeArray, int64(n)) }

// SetMapLen sets a deferred length to a map of n pairs (array of 2n in RESP2).
func (w *Writer) SetMapLen(d Deferred, n int) {
	if w.proto == 3 {
		w.setDeferred(d, TypeMap, int64(n))
	} else {
		w.setDeferred(d, TypeArray, 2*int64(n))
	}
}

// SetSetLen sets a deferred length to a set (array in RESP2).
func (w *Writer) SetSetLen(d Deferred, n int) {
	if w.proto == 3 {
		w.setDeferred(d, TypeSet, int64(n))
	} else {
		w.setDeferred(d, TypeArray, int64(n))
	}
}

// SetPushLen sets a deferred length to a push (array in RESP2).
func (w *Writer) SetPushLen(d Deferred, n int) {
	if w.proto == 3 {
		w.setDeferred(d, TypePush, int64(n))
	} else {
		w.setDeferred(d, TypeArray, int64(n))
	}
}

var errBadDeferred = errors.New("resp: deferred length set twice or unknown")

func (w *Writer) setDeferred(d Deferred, t Type, n int64) {
	if w.err != nil {
		return
	}
	if d < 0 || int(d) >= len(w.deferred) || w.deferred[d] < 0 {
		w.err = errBadDeferred
		return
	}
	pos := w.deferred[d]
	w.deferred[d] = -1
	w.open--
	var tmp [deferredReserve]byte
	hdr := AppendLen(tmp[:0], t, n)
	gap := deferredReserve - len(hdr)
	holeEnd := pos + deferredReserve
	if pos-w.start <= len(w.buf)-holeEnd {
		// Shift the header and everything before it right by gap.
		copy(w.buf[pos+gap:holeEnd], hdr)
		copy(w.buf[w.start+gap:pos+gap], w.buf[w.start:pos])
		w.start += gap
		for i, p := range w.deferred {
			if p >= 0 && p < pos {
				w.deferred[i] = p + gap
			}
		}
	} else {
		// Shift everything after the hole left by gap.
		copy(w.buf[pos:], hdr)
		copy(w.buf[pos+len(hdr):], w.buf[holeEnd:])
		w.buf = w.buf[:len(w.buf)-gap]
		for i, p := range w.deferred {
			if p > pos {
				w.deferred[i] = p - gap
			}
		}
	}
	if w.open == 0 {
		w.deferred = w.deferred[:0]
	}
}
