package engine

import (
	"io"
	"math"
	"math/big"
	"time"

	"github.com/redisctl/redisctl/resp"
)

// Blocking on keys (Redis 7.0's blocked.c, the key side): BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP, XREAD/XREADGROUP … BLOCK.
//
// A command that finds nothing to serve calls x.BlockOn: the client is queued, per key of
// its database, behind the clients that blocked earlier (DB.blocking), and the server is
// told (BlockHook) so the connection stops reading until the engine releases it
// (UnblockHook). Keys that get created or filled with clients waiting on them are
// signalled ready (DB.SignalReady, from dbAdd and the stream commands); after the whole
// top-level command, EXEC or script, HandleBlockedClients serves the waiting clients in
// FIFO order, in a loop while serving makes more keys ready (BLMOVE chains), each served
// client forming its own unit of propagation. Timeouts and CLIENT UNBLOCK are resolved
// by the server under the lock through BlockTimedOut and UnblockClient.

// BlockType is what a client is blocked for (Redis's btype): the type of value that can
// serve it.
type BlockType uint8

// Blocking types.
const (
	BlockNone   BlockType = iota
	BlockList             // BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP
	BlockZSet             // BZPOPMIN, BZPOPMAX, BZMPOP
	BlockStream           // XREAD, XREADGROUP with BLOCK
	numBlockTypes
)

// blockTypeOf is getBlockedTypeByType.
func blockTypeOf(t Type) BlockType {
	switch t {
	case TypeList:
		return BlockList
	case TypeZSet:
		return BlockZSet
	case TypeStream:
		return BlockStream
	}
	return BlockNone
}

// BlockServe is called, under the lock, when key (holding o, of the type the client
// blocked for) became ready. x is the blocked client's context: its reply writer, the
// database of the key, the blocked command and a copy of its arguments. It replies and
// returns served=true (the client is then unblocked), or writes nothing and returns
// served=false to keep waiting (a stream with nothing new). deleted reports that the
// key was removed by the serve (no more clients can be served from it). Effects are
// propagated with x.AlsoPropagate only: the blocking command itself never is.
type BlockServe func(x *Ctx, key []byte, o *Object) (served, deleted bool)

// blockedState is a blocked client's bpop state.
type blockedState struct {
	typ      BlockType
	db       *DB
	keys     []string
	deadline int64 // unix ms, 0 = no timeout
	serve    BlockServe
	cmd      *Command
	args     [][]byte
	// readGroup marks XREADGROUP: unblocked with an error when its stream is deleted.
	readGroup bool
	// silent: the command ran under CLIENT REPLY SKIP, which still applies to the reply
	// it gets when unblocked.
	silent bool
}

// replyWriter is where the reply of a blocked client goes: nowhere under CLIENT REPLY
// OFF, or SKIP given for the blocking command.
func replyWriter(c *Client, bs *blockedState) *resp.Writer {
	if bs.silent || c.Flags&ClientReplyOff != 0 {
		return resp.NewWriter(io.Discard)
	}
	return c.W
}

// blockRegistry is the engine's blocking state.
type blockRegistry struct {
	onBlock    BlockHook
	onUnblock  func(c *Client)
	onStats    UnblockStatsHook
	byType     [numBlockTypes]int // blocked_clients_by_type
	numBlocked int
	readyKeys  []readyKey // server.ready_keys
	serving    bool
}

// dbBlocking is a database's blocking state.
type dbBlocking struct {
	blocking map[string][]*Client // blocking_keys: key → clients in the order they blocked
	ready    map[string]struct{}  // ready_keys: keys already queued in readyKeys
}

// readyKey is one entry of server.ready_keys.
type readyKey struct {
	db  *DB
	key string
}

// BlockHook is the server's side of blocking: it is told, under the lock, that c blocked
// with the given deadline (unix ms, 0 = none) and must stop processing commands.
type BlockHook func(c *Client, deadlineMs int64)

// SetBlockHooks installs the server's callbacks: onBlock when a client blocks on keys,
// onUnblock when the engine released it (served, timed out, unblocked or dropped), so
// the connection can flush the reply and go on reading.
func (e *Engine) SetBlockHooks(onBlock BlockHook, onUnblock func(c *Client)) {
	e.blk.onBlock, e.blk.onUnblock = onBlock, onUnblock
}

// ErrTimeoutNegative is the reply to a negative timeout.
const ErrTimeoutNegative = "ERR timeout is negative"

// ParseBlockTimeout parses args[i] as a blocking timeout in seconds and returns the
// absolute deadline in unix ms, 0 for "forever". As Redis 7.0.15 (checked against it):
// the seconds are a long double, scaled to ms in long double and rounded up, and a value
// out of the 64-bit range (inf, 1e300) becomes negative as x86's conversion makes it; so
// 0.0001 means 1 ms, and -0.0001 rounds up to 0, forever. ok is false after an error reply.
func (x *Ctx) ParseBlockTimeout(i int) (deadlineMs int64, ok bool) {
	f, ok := ParseLongDouble(x.Args[i])
	if !ok {
		x.Error(ErrTimeoutInvalid)
		return 0, false
	}
	ms := new(big.Float).SetPrec(longDoublePrec).Mul(f, big.NewFloat(1000))
	tval := int64(math.MinInt64)
	if !ms.IsInf() && ms.Cmp(twoTo63) < 0 && ms.Cmp(minusTwoTo63) >= 0 {
		t, acc := ms.Int64() // truncated toward zero
		if acc == big.Below && ms.Sign() > 0 {
			t++ // ceill
		}
		tval = t
	}
	if tval < 0 {
		x.Error(ErrTimeoutNegative)
		return 0, false
	}
	if tval > 0 {
		if tval > math.MaxInt64-x.E.nowMs {
			return 0, true // Redis's deadline wraps and never fires: forever
		}
		tval += x.E.nowMs
	}
	return tval, true
}

var (
	twoTo63      = new(big.Float).SetMantExp(big.NewFloat(1), 63)
	minusTwoTo63 = new(big.Float).Neg(twoTo63)
)

// CanBlock reports whether the running command may block its client: not inside EXEC,
// a script, or while replaying an AOF (CLIENT_DENY_BLOCKING). A blocking command that
// may not block behaves as if it timed out at once.
func (x *Ctx) CanBlock() bool {
	return x.C.Flags&(ClientDenyBlocking|ClientScript|ClientAOF) == 0 && x.E.blk.onBlock != nil
}

// BlockOn blocks the running command's client on keys of the current database until one
// of them can serve it (serve is called) or deadlineMs (unix ms, 0 = never) passes. The
// command must not reply; the caller must have checked CanBlock. keys are copied; serve
// must copy whatever else it keeps of the arguments. readGroup marks XREADGROUP, whose
// clients get an error when the stream key is deleted.
func (x *Ctx) BlockOn(typ BlockType, keys [][]byte, deadlineMs int64, readGroup bool, serve BlockServe) {
	e, c, db := x.E, x.C, x.DB
	if c.blocked != nil {
		panic("engine: BlockOn for a client already blocked")
	}
	bs := &blockedState{typ: typ, db: db, deadline: deadlineMs, serve: serve, cmd: x.Cmd,
		readGroup: readGroup, silent: c.Flags&ClientReplySkip != 0}
	bs.args = copyArgs(x.Args)
	for _, k := range keys {
		ks := string(k)
		dup := false
		for _, o := range bs.keys {
			if o == ks {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		bs.keys = append(bs.keys, ks)
		if db.blk.blocking == nil {
			db.blk.blocking = map[string][]*Client{}
		}
		db.blk.blocking[ks] = append(db.blk.blocking[ks], c)
	}
	c.blocked = bs
	e.blk.byType[typ]++
	e.blk.numBlocked++
	e.blk.onBlock(c, deadlineMs)
}

func copyArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	cp := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		cp[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return cp
}

// IsBlocked reports whether c is blocked on keys.
func (c *Client) IsBlocked() bool { return c.blocked != nil }

// BlockedDeadline is the blocked client's timeout (unix ms, 0 = none).
func (c *Client) BlockedDeadline() int64 {
	if c.blocked == nil {
		return 0
	}
	return c.blocked.deadline
}

// NumBlocked is the number of clients blocked on keys.
func (e *Engine) NumBlocked() int { return e.blk.numBlocked }

// NumBlockingKeys is the number of keys with clients blocked on them, in all databases.
func (e *Engine) NumBlockingKeys() int {
	n := 0
	for _, db := range e.dbs {
		n += len(db.blk.blocking)
	}
	return n
}

// removeBlocked takes c out of the queues of every key it waits on (unblockClientWaitingData)
// and clears its blocked state.
func (e *Engine) removeBlocked(c *Client) {
	bs := c.blocked
	if bs == nil {
		return
	}
	for _, k := range bs.keys {
		list := bs.db.blk.blocking[k]
		for i, o := range list {
			if o == c {
				copy(list[i:], list[i+1:])
				list[len(list)-1] = nil
				list = list[:len(list)-1]
				break
			}
		}
		if len(list) == 0 {
			delete(bs.db.blk.blocking, k)
		} else {
			bs.db.blk.blocking[k] = list
		}
	}
	c.blocked = nil
	e.blk.byType[bs.typ]--
	e.blk.numBlocked--
}

// How a blocked command's end is accounted, as Redis 7.0.15 does (checked against it):
// its call was counted when it ran (INFO commandstats, total_commands_processed, even
// while it waits); an end with an error reply counts a failed call; a served client goes
// to the latency histogram and the slowlog, one released by CLIENT UNBLOCK too but its
// slowlog entry has no arguments (Redis logs it after resetting the client), and a
// timeout or hang-up to neither.
const (
	endTimeout = iota
	endServed
	endUnblocked
)

// UnblockStatsHook is told, under the lock, about a blocked command that ended served or
// through CLIENT UNBLOCK (args nil), for the server's latency histogram and slowlog
// (slowlog says whether it is logged); dur is the time spent serving it, not the time it
// waited (Redis also adds the blocking call's own few µs, not measured here).
type UnblockStatsHook func(c *Client, cmd *Command, args [][]byte, dur time.Duration, slowlog bool)

// SetUnblockStatsHook installs the server's statistics hook for unblocked commands.
func (e *Engine) SetUnblockStatsHook(h UnblockStatsHook) { e.blk.onStats = h }

// finishBlocked is the end of every way out of a block that replied: the command's
// statistics (updateStatsOnUnblock), leaving the queues, and telling the server.
func (e *Engine) finishBlocked(c *Client, bs *blockedState, failed bool, how int, dur time.Duration) {
	if bs.cmd != nil {
		if failed {
			bs.cmd.FailedCalls++
		}
		if how != endTimeout && e.blk.onStats != nil {
			args := bs.args
			if how == endUnblocked {
				args = nil // Redis logs it after resetting the client: no arguments
			}
			e.blk.onStats(c, bs.cmd, args, dur, true)
		}
	}
	e.removeBlocked(c)
	if e.blk.onUnblock != nil {
		e.blk.onUnblock(c)
	}
}

// BlockTimedOut replies to a blocked client whose timeout passed (a null array, as
// replyToBlockedClientTimedOut) and unblocks it. It does nothing when c is no longer
// blocked (served meanwhile). Lock held.
func (e *Engine) BlockTimedOut(c *Client) {
	bs := c.blocked
	if bs == nil {
		return
	}
	replyWriter(c, bs).WriteNullArray()
	e.finishBlocked(c, bs, false, endTimeout, 0)
}

// UnblockClient is CLIENT UNBLOCK on a client blocked on keys: it replies as a timeout,
// or with the UNBLOCKED error when asError, and unblocks it. It reports whether c was
// blocked on keys. Lock held.
func (e *Engine) UnblockClient(c *Client, asError bool) bool {
	bs := c.blocked
	if bs == nil {
		return false
	}
	if asError {
		msg := "UNBLOCKED client unblocked via CLIENT UNBLOCK"
		e.countError(msg)
		replyWriter(c, bs).WriteError(msg)
	} else {
		replyWriter(c, bs).WriteNullArray()
	}
	e.finishBlocked(c, bs, true, endUnblocked, 0)
	return true
}

// UnblockClient is Engine.UnblockClient run by a command (CLIENT UNBLOCK): the UNBLOCKED
// error it writes to the target counts as a failure of the running command too, as Redis
// counts error replies during a call.
func (x *Ctx) UnblockClient(target *Client, asError bool) bool {
	ok := x.E.UnblockClient(target, asError)
	if ok && asError {
		x.failed = true
	}
	return ok
}

// DropBlocked removes a client that is going away (disconnected, killed) from the
// queues without replying. Lock held.
func (e *Engine) DropBlocked(c *Client) { e.removeBlocked(c) }

// SignalReady is signalKeyAsReady: key of this database was created, filled or (for a
// stream) deleted, and clients blocked for values of type t may be served once the
// current command, transaction or script ends.
func (db *DB) SignalReady(key []byte, t Type) {
	bt := blockTypeOf(t)
	if bt == BlockNone {
		return
	}
	e := db.eng
	if e.blk.byType[bt] == 0 {
		return
	}
	if _, ok := db.blk.blocking[string(key)]; !ok {
		return
	}
	if _, ok := db.blk.ready[string(key)]; ok {
		return
	}
	if db.blk.ready == nil {
		db.blk.ready = map[string]struct{}{}
	}
	k := string(key)
	db.blk.ready[k] = struct{}{}
	e.blk.readyKeys = append(e.blk.readyKeys, readyKey{db, k})
}

// scanForReadyKeys signals every key of db that has blocked clients and exists
// (scanDatabaseForReadyKeys, after SWAPDB).
func (db *DB) scanForReadyKeys() {
	for k := range db.blk.blocking {
		if e := db.keys.Get(k); e != nil {
			db.SignalReady([]byte(k), e.Value.typ)
		}
	}
}

// scanForDeletedStreams signals stream keys of emptied that are gone (or no longer
// streams) in replacedWith, nil for a flush (scanDatabaseForDeletedStreams).
func (db *DB) scanForDeletedStreams(replacedWith *DB) {
	if db.eng.blk.byType[BlockStream] == 0 {
		return
	}
	for k := range db.blk.blocking {
		was, is := false, false
		if e := db.keys.Get(k); e != nil {
			was = e.Value.typ == TypeStream
		}
		if replacedWith != nil {
			if e := replacedWith.keys.Get(k); e != nil {
				is = e.Value.typ == TypeStream
			}
		}
		if was && !is {
			db.SignalReady([]byte(k), TypeStream)
		}
	}
}

// HandleBlockedClients serves the clients blocked on keys that became ready
// (handleClientsBlockedOnKeys). The engine calls it after every top-level command (EXEC
// and scripts included); a caller running commands outside Call (a script runner, the
// server's cron after expiring keys) calls it when done. Lock held, no command running.
func (e *Engine) HandleBlockedClients() {
	if e.blk.serving || e.unitDepth > 0 {
		return
	}
	e.blk.serving = true
	defer func() { e.blk.serving = false }()
	for len(e.blk.readyKeys) > 0 {
		list := e.blk.readyKeys
		e.blk.readyKeys = nil
		for i := range list {
			rk := list[i]
			delete(rk.db.blk.ready, rk.key)
			e.UpdateClock()
			key := []byte(rk.key)
			ent := rk.db.lookup(key, lookupNoNotify|lookupNoStats, false)
			e.flushUnit() // a lazily expired key propagates its DEL on its own
			if ent != nil {
				t := ent.Value.typ
				if bt := blockTypeOf(t); bt != BlockNone {
					e.serveKey(rk.db, key, bt)
				}
				if t != TypeStream {
					e.unblockDeletedStreamReaders(rk.db, key)
				}
			} else {
				e.unblockDeletedStreamReaders(rk.db, key)
			}
		}
	}
}

// serveKey serves, in the order they blocked, the clients blocked on key for values of
// type bt (serveClientsBlockedOn{List,SortedSet,Stream}Key).
func (e *Engine) serveKey(db *DB, key []byte, bt BlockType) {
	if e.blk.byType[bt] == 0 {
		return
	}
	queue := db.blk.blocking[string(key)]
	if len(queue) == 0 {
		return
	}
	snapshot := append([]*Client(nil), queue...)
	for _, c := range snapshot {
		bs := c.blocked
		if bs == nil || bs.typ != bt || bs.db != db {
			continue
		}
		ent := db.keys.GetBytes(key)
		if ent == nil || blockTypeOf(ent.Value.typ) != bt {
			return
		}
		db.beforeChange(ent)
		served, deleted, failed, dur := e.serveOne(c, bs, key, &ent.Value)
		if served {
			e.finishBlocked(c, bs, failed, endServed, dur)
		}
		if deleted {
			return
		}
	}
}

// serveOne runs a blocked client's serve function in a context of its own and
// propagates what it produced as one unit (afterCommand).
func (e *Engine) serveOne(c *Client, bs *blockedState, key []byte, o *Object) (served, deleted, failed bool, dur time.Duration) {
	x := e.pushCtx()
	w := replyWriter(c, bs)
	x.E, x.C, x.DB, x.Cmd, x.Args, x.W = e, c, bs.db, bs.cmd, bs.args, w
	e.unitDepth++
	start := time.Now()
	served, deleted = bs.serve(x, key, o)
	dur = time.Since(start)
	e.unitDepth--
	e.memSettle() // as after a command: the keys it changed are measured again
	e.Dirty += x.dirty
	failed = x.failed
	if bs.cmd != nil {
		bs.cmd.Usec += dur.Microseconds()
	}
	e.popCtx()
	e.flushUnit()
	return served, deleted, failed, dur
}

// unblockDeletedStreamReaders unblocks, with an error, the XREADGROUP clients blocked on
// a stream key that was deleted or overwritten (unblockDeletedStreamReadgroupClients).
func (e *Engine) unblockDeletedStreamReaders(db *DB, key []byte) {
	if e.blk.byType[BlockStream] == 0 {
		return
	}
	queue := db.blk.blocking[string(key)]
	if len(queue) == 0 {
		return
	}
	for _, c := range append([]*Client(nil), queue...) {
		bs := c.blocked
		if bs == nil || bs.typ != BlockStream || !bs.readGroup {
			continue
		}
		msg := "UNBLOCKED the stream key no longer exists"
		e.countError(msg)
		replyWriter(c, bs).WriteError(msg)
		e.finishBlocked(c, bs, true, endServed, 0)
	}
}
