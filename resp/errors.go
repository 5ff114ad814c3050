package resp

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinels tested with errors.Is.
var (
	// ErrTruncated means the input ended in the middle of a command or reply:
	// the bytes seen so far are valid but incomplete. Readers report the offset
	// of the last complete record, which is where a repair truncates.
	ErrTruncated = errors.New("resp: truncated input")
	// ErrCorrupt means the input holds bytes that are not valid RESP.
	ErrCorrupt = errors.New("resp: corrupt input")
	// ErrQueryBufferLimit is returned by Reader when the unparsed bytes of a
	// client exceed the configured limit (Redis's client-query-buffer-limit):
	// the server closes the connection without a reply, as Redis does.
	ErrQueryBufferLimit = errors.New("resp: query buffer limit reached")
	// ErrWouldBlock is returned by a non-blocking io.Reader or io.Writer under a Reader
	// or Writer when nothing more can be read or written now (EAGAIN). It is never
	// sticky: Reader.ReadCommand returns it with the partial command kept for the next
	// call, and Writer.Flush keeps what was not written for the next Flush.
	ErrWouldBlock = errors.New("resp: operation would block")
)

// ProtocolError is a request the server must refuse, as Redis's
// setProtocolError does: reply "-ERR <Msg>" (see Reply) and close the
// connection once the reply is written. Msg is Redis 7.0's exact text, for
// example "Protocol error: invalid bulk length".
type ProtocolError struct {
	Msg    string
	Offset int64 // stream offset of the first byte of the offending command
}

func (e *ProtocolError) Error() string {
	return "resp: " + e.Msg + " (at offset " + strconv.FormatInt(e.Offset, 10) + ")"
}

// Reply is the error reply Redis sends before closing: "ERR " + Msg.
func (e *ProtocolError) Reply() string { return "ERR " + e.Msg }

// Is makes every ProtocolError match ErrCorrupt.
func (e *ProtocolError) Is(target error) bool { return target == ErrCorrupt }

// SyntaxError is bad bytes in a reply stream or an AOF: it carries the
// offset of the offending byte, what the reader was doing, and matches
// ErrCorrupt.
type SyntaxError struct {
	Offset int64  // stream offset of the byte that is wrong
	Doing  string // what was being read, e.g. "bulk length"
	Msg    string // what was expected
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("resp: corrupt %s at offset %d: %s", e.Doing, e.Offset, e.Msg)
}

// Unwrap returns ErrCorrupt.
func (e *SyntaxError) Unwrap() error { return ErrCorrupt }

// TruncatedError is returned when input ends mid-record. LastGood is the
// offset just past the last complete record (0 if none); Offset is where the
// input ended. It matches ErrTruncated.
type TruncatedError struct {
	LastGood int64
	Offset   int64
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("resp: truncated input at offset %d (last complete record ends at %d)", e.Offset, e.LastGood)
}

// Unwrap returns ErrTruncated.
func (e *TruncatedError) Unwrap() error { return ErrTruncated }
