package engine

import (
	"github.com/redisctl/redisctl/resp"
)

// Ctx is what a command handler gets: its arguments, the client, the selected database and
// the reply writer, plus the bookkeeping that decides what is propagated.
//
// Args alias the request buffer: they are valid until the handler returns, so anything kept
// in the keyspace must be copied (CopyBytes).
type Ctx struct {
	E    *Engine
	C    *Client
	DB   *DB
	Cmd  *Command
	Args [][]byte
	W    *resp.Writer

	dirty    int64
	failed   bool
	rewrite  [][]byte // propagate this instead of Args
	noProp   bool
	force    bool
	Scratch  [64]byte // per-command scratch for number formatting
	nestedIn *Ctx
}

// Now is the command's time in unix milliseconds (fixed for the whole command).
func (x *Ctx) Now() int64 { return x.E.nowMs }

// Dirty records n changes to the dataset (server.dirty): a command with dirty > 0 is
// propagated.
func (x *Ctx) Dirty(n int64) { x.dirty += n }

// Rewrite propagates args instead of the command as received (SET EX → SET PXAT, …). The
// slices must stay valid until the command returns.
func (x *Ctx) Rewrite(args ...[]byte) { x.rewrite = args }

// ForcePropagate propagates the command even if it changed nothing (FLUSHDB/FLUSHALL on
// empty databases: Redis's forceCommandPropagation).
func (x *Ctx) ForcePropagate() { x.force = true }

// NoPropagate stops this command from being propagated even if it changed the dataset
// (the command propagates what it needs with AlsoPropagate instead).
func (x *Ctx) NoPropagate() { x.noProp = true }

// AlsoPropagate adds a command to the current unit of propagation (alsoPropagate).
func (x *Ctx) AlsoPropagate(args ...[]byte) { x.E.addToUnit(x.DB.ID, args) }

// Notify fires a keyspace notification for key in the client's database.
func (x *Ctx) Notify(class int, event string, key []byte) { x.E.notify(class, event, key, x.DB.ID) }

// SignalModified marks key as modified: WATCHers fail, tracking clients are invalidated.
func (x *Ctx) SignalModified(key []byte) { x.DB.signalModified(key) }

// Error replies with an error message (its first word is the error code, e.g.
// "ERR syntax error", "WRONGTYPE …") and counts it in the error statistics.
func (x *Ctx) Error(msg string) {
	x.failed = true
	x.E.countError(msg)
	x.W.WriteError(msg)
}

// Shared error replies, with Redis's exact texts.
const (
	ErrWrongType      = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrSyntax         = "ERR syntax error"
	ErrNotInteger     = "ERR value is not an integer or out of range"
	ErrNotFloat       = "ERR value is not a valid float"
	ErrOverflow       = "ERR increment or decrement would overflow"
	ErrNoSuchKey      = "ERR no such key"
	ErrIndexRange     = "ERR index out of range"
	ErrDBIndex        = "ERR DB index is out of range"
	ErrNoAuth         = "NOAUTH Authentication required."
	ErrBusyKey        = "BUSYKEY Target key name already exists."
	ErrNotPositive    = "ERR value is out of range, must be positive"
	ErrTimeoutInvalid = "ERR timeout is not a float or out of range"
)

// WrongType replies with the WRONGTYPE error.
func (x *Ctx) WrongType() { x.Error(ErrWrongType) }

// SyntaxError replies with "ERR syntax error".
func (x *Ctx) SyntaxError() { x.Error(ErrSyntax) }

// OK replies +OK.
func (x *Ctx) OK() { x.W.WriteOK() }

// Int replies with an integer.
func (x *Ctx) Int(n int64) { x.W.WriteInt(n) }

// Bulk replies with a bulk string.
func (x *Ctx) Bulk(b []byte) { x.W.WriteBulk(b) }

// Null replies with the null bulk ($-1 in RESP2, _ in RESP3).
func (x *Ctx) Null() { x.W.WriteNull() }

// NullArray replies with the null array (*-1 in RESP2, _ in RESP3).
func (x *Ctx) NullArray() { x.W.WriteNullArray() }

// ArrayLen starts an array reply.
func (x *Ctx) ArrayLen(n int) { x.W.WriteArrayLen(n) }

// ObjectBulk replies with a string object's value.
func (x *Ctx) ObjectBulk(o *Object) {
	if o.enc == EncInt {
		x.W.WriteBulkInt(o.n)
		return
	}
	x.W.WriteBulk(o.Bytes())
}

// ParseInt parses args[i] as a Redis integer (string2ll), replying with the shared error
// on failure.
func (x *Ctx) ParseInt(i int) (int64, bool) {
	v, ok := ParseInt(x.Args[i])
	if !ok {
		x.Error(ErrNotInteger)
	}
	return v, ok
}

// ParseFloat parses args[i] as a double, replying with the shared error on failure.
func (x *Ctx) ParseFloat(i int) (float64, bool) {
	v, ok := ParseFloat(x.Args[i])
	if !ok {
		x.Error(ErrNotFloat)
	}
	return v, ok
}

// CopyBytes returns a copy of b, for storing argument bytes in the keyspace.
func CopyBytes(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}
