package aof

import (
	"strconv"

	"github.com/redisctl/redisctl/resp"
)

// Encoder turns propagated commands into AOF bytes as feedAppendOnlyFile does: a
// "#TS:<unix>" line before the first command of every new second when Timestamps is on
// (genAofTimestampAnnotationIfNeeded), "SELECT <db>" when the database differs from the
// last one written, then the command as catAppendOnlyGenericCommand (a RESP array of
// bulk strings, arguments byte for byte as propagated).
type Encoder struct {
	// Timestamps is aof-timestamp-enabled.
	Timestamps bool
	selected   int
	curTS      int64
}

// NewEncoder returns an encoder whose first command will be preceded by a SELECT.
func NewEncoder(timestamps bool) *Encoder { return &Encoder{Timestamps: timestamps, selected: -1} }

// ResetDB forces a SELECT before the next command (a new incr file was opened:
// server.aof_selected_db = -1).
func (e *Encoder) ResetDB() { e.selected = -1 }

// Append appends one command propagated for database db; nowUnix is the server's cached
// unix time (server.unixtime).
func (e *Encoder) Append(dst []byte, db int, args [][]byte, nowUnix int64) []byte {
	if e.Timestamps && e.curTS < nowUnix {
		e.curTS = nowUnix
		dst = AppendTimestamp(dst, nowUnix)
	}
	if db != e.selected {
		dst = AppendSelect(dst, db)
		e.selected = db
	}
	return resp.AppendCommand(dst, args...)
}

// AppendTimestamp appends a "#TS:<unix>\r\n" annotation.
func AppendTimestamp(dst []byte, unix int64) []byte {
	dst = append(dst, "#TS:"...)
	dst = strconv.AppendInt(dst, unix, 10)
	return append(dst, '\r', '\n')
}

// AppendSelect appends "SELECT <db>" as feedAppendOnlyFile writes it.
func AppendSelect(dst []byte, db int) []byte {
	dst = append(dst, "*2\r\n$6\r\nSELECT\r\n$"...)
	var nb [20]byte
	n := strconv.AppendInt(nb[:0], int64(db), 10)
	dst = strconv.AppendInt(dst, int64(len(n)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, n...)
	return append(dst, '\r', '\n')
}
