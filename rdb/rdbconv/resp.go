package rdbconv

import (
	"io"
	"strconv"

	"github.com/redisctl/redisctl/rdb"
	"github.com/redisctl/redisctl/resp"
)

// itemsPerCommand batches aggregate elements, as Redis's AOF rewrite does
// (AOF_REWRITE_ITEMS_PER_CMD).
const itemsPerCommand = 64

// RESPWriter renders keys as the Redis commands that rebuild them: SET (with PXAT for a
// TTL), RPUSH, SADD, HSET, ZADD in batches of 64, PEXPIREAT for aggregates with a TTL,
// HPEXPIREAT for hash fields with one, RESTORE for streams and module values, and SELECT
// whenever the database changes.
type RESPWriter struct {
	w    io.Writer
	db   int
	buf  []byte
	args [][]byte
	err  error
}

// NewRESPWriter returns a writer of RESP commands to w.
func NewRESPWriter(w io.Writer) *RESPWriter { return &RESPWriter{w: w, db: -1} }

func (rw *RESPWriter) emit(args ...[]byte) {
	rw.buf = resp.AppendCommand(rw.buf, args...)
	if len(rw.buf) > 1<<16 {
		rw.flush()
	}
}

func (rw *RESPWriter) flush() {
	if rw.err == nil && len(rw.buf) > 0 {
		_, rw.err = rw.w.Write(rw.buf)
	}
	rw.buf = rw.buf[:0]
}

// Flush writes out what is buffered.
func (rw *RESPWriter) Flush() error { rw.flush(); return rw.err }

// WriteKey consumes one key from d (at RecKeyBegin) and writes its commands.
func (rw *RESPWriter) WriteKey(d *rdb.Decoder) error {
	if db := d.DB(); db != rw.db {
		rw.emit([]byte("SELECT"), strconv.AppendInt(nil, int64(db), 10))
		rw.db = db
	}
	key := append([]byte(nil), d.Key()...)
	expire := d.Expire()
	kind := d.ValueKind()
	if kind == rdb.KindStream || kind == rdb.KindModule {
		v, err := d.ReadValue()
		if err != nil {
			return err
		}
		payload, err := rdb.EncodeDump(v, nil)
		if err != nil {
			return err
		}
		args := [][]byte{[]byte("RESTORE"), key, []byte("0"), payload}
		if expire >= 0 {
			args[2] = strconv.AppendInt(nil, expire, 10)
			args = append(args, []byte("ABSTTL"))
		}
		rw.emit(args...)
		return rw.err
	}
	var cmd []byte
	switch kind {
	case rdb.KindList:
		cmd = []byte("RPUSH")
	case rdb.KindSet:
		cmd = []byte("SADD")
	case rdb.KindHash:
		cmd = []byte("HSET")
	case rdb.KindZSet:
		cmd = []byte("ZADD")
	}
	var fieldTTLs [][2][]byte
	batch := func() {
		if len(rw.args) > 2 {
			rw.emit(rw.args...)
		}
		rw.args = append(rw.args[:0], cmd, key)
	}
	rw.args = append(rw.args[:0], cmd, key)
	n := 0
	for d.Next() {
		switch d.Kind() {
		case rdb.RecString:
			args := [][]byte{[]byte("SET"), key, d.Value()}
			if expire >= 0 {
				args = append(args, []byte("PXAT"), strconv.AppendInt(nil, expire, 10))
			}
			rw.emit(args...)
		case rdb.RecListElement, rdb.RecSetMember:
			rw.args = append(rw.args, append([]byte(nil), d.Value()...))
			n++
		case rdb.RecHashField:
			rw.args = append(rw.args, append([]byte(nil), d.Field()...), append([]byte(nil), d.Value()...))
			if exp := d.FieldExpire(); exp >= 0 {
				fieldTTLs = append(fieldTTLs, [2][]byte{append([]byte(nil), d.Field()...), strconv.AppendInt(nil, exp, 10)})
			}
			n++
		case rdb.RecZSetMember:
			rw.args = append(rw.args, strconv.AppendFloat(nil, d.Score(), 'g', 17, 64), append([]byte(nil), d.Value()...))
			n++
		case rdb.RecKeyEnd:
			if kind != rdb.KindString {
				batch()
				for _, ft := range fieldTTLs {
					rw.emit([]byte("HPEXPIREAT"), key, ft[1], []byte("FIELDS"), []byte("1"), ft[0])
				}
				if expire >= 0 {
					rw.emit([]byte("PEXPIREAT"), key, strconv.AppendInt(nil, expire, 10))
				}
			}
			return rw.err
		}
		if n == itemsPerCommand {
			batch()
			n = 0
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	return endErr(d)
}
