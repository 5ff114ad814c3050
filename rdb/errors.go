package rdb

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. Every error the decoder returns is an *Error wrapping one
// of these; test the class with errors.Is.
var (
	// ErrTruncated: the input ended before the file did. This is distinct
	// from io.ErrUnexpectedEOF so that a caller can tell a short copy (which
	// can be repaired by fetching the rest) from damaged bytes.
	ErrTruncated = errors.New("input ended early")
	// ErrCorrupt: the bytes do not follow the format.
	ErrCorrupt = errors.New("corrupt data")
	// ErrChecksum: the CRC-64 trailer does not match the bytes.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrVersion: the magic or the RDB version is not one this package knows.
	ErrVersion = errors.New("unsupported rdb version")
	// ErrUnsupported: a well-formed construct this package cannot decode
	// (module type 6, pre-GA functions, unknown future types).
	ErrUnsupported = errors.New("unsupported construct")
	// ErrTooLarge: a length is over the configured limit (Options.MaxLen).
	// It also matches ErrCorrupt: real files stay under the limits.
	ErrTooLarge = fmt.Errorf("%w: length over limit", ErrCorrupt)
)

// Error is a decoding error with its position. Offset is the byte offset in
// the input where the item being read started (for a DUMP payload, the
// offset inside the payload); DB and Key say where in the keyspace (Key is
// nil outside a key); Doing names the step, e.g. "reading ziplist entry".
type Error struct {
	Offset int64
	DB     int
	Key    []byte
	Doing  string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("rdb: offset ")
	b.WriteString(strconv.FormatInt(e.Offset, 10))
	if e.DB >= 0 {
		b.WriteString(" db ")
		b.WriteString(strconv.Itoa(e.DB))
	}
	if e.Key != nil {
		b.WriteString(" key ")
		b.WriteString(strconv.Quote(string(e.Key)))
	}
	if e.Doing != "" {
		b.WriteString(": ")
		b.WriteString(e.Doing)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause, which wraps one of the sentinels.
func (e *Error) Unwrap() error { return e.Err }
