package tstream

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/resp"
)

// Commands returns the stream commands of Redis 7.0 (XREAD/XREADGROUP serve the
// non-blocking path; BLOCK is handed to BlockHook).
func Commands() []*engine.Command {
	w, ro, fast, oom := engine.FlagWrite, engine.FlagReadOnly, engine.FlagFast, engine.FlagDenyOOM
	k := func(first, last int, c *engine.Command) *engine.Command {
		c.FirstKey, c.LastKey, c.Step = first, last, 1
		return c
	}
	k1 := func(c *engine.Command) *engine.Command { return k(1, 1, c) }
	k2 := func(c *engine.Command) *engine.Command { return k(2, 2, c) }
	return []*engine.Command{
		k1(&engine.Command{Name: "xadd", Arity: -5, Flags: w | oom | fast, Fn: cmdXAdd}),
		k1(&engine.Command{Name: "xrange", Arity: -4, Flags: ro, Fn: func(x *engine.Ctx) { xrangeGeneric(x, false) }}),
		k1(&engine.Command{Name: "xrevrange", Arity: -4, Flags: ro, Fn: func(x *engine.Ctx) { xrangeGeneric(x, true) }}),
		k1(&engine.Command{Name: "xlen", Arity: 2, Flags: ro | fast, Fn: cmdXLen}),
		k1(&engine.Command{Name: "xdel", Arity: -3, Flags: w | fast, Fn: cmdXDel}),
		k1(&engine.Command{Name: "xtrim", Arity: -4, Flags: w, Fn: cmdXTrim}),
		{Name: "xread", Arity: -4, Flags: ro | engine.FlagBlocking, Fn: cmdXRead},
		{Name: "xreadgroup", Arity: -7, Flags: w | engine.FlagBlocking, Fn: cmdXRead},
		k1(&engine.Command{Name: "xack", Arity: -4, Flags: w | fast, Fn: cmdXAck}),
		k1(&engine.Command{Name: "xpending", Arity: -3, Flags: ro, Fn: cmdXPending}),
		k1(&engine.Command{Name: "xclaim", Arity: -6, Flags: w | fast, Fn: cmdXClaim}),
		k1(&engine.Command{Name: "xautoclaim", Arity: -6, Flags: w | fast, Fn: cmdXAutoClaim}),
		k1(&engine.Command{Name: "xsetid", Arity: -3, Flags: w | oom | fast, Fn: cmdXSetID}),
		{Name: "xgroup", Arity: -2, Subcommands: map[string]*engine.Command{
			"create":         k2(&engine.Command{Arity: -5, Flags: w | oom, Fn: cmdXGroup}),
			"createconsumer": k2(&engine.Command{Arity: 5, Flags: w | oom, Fn: cmdXGroup}),
			"delconsumer":    k2(&engine.Command{Arity: 5, Flags: w, Fn: cmdXGroup}),
			"destroy":        k2(&engine.Command{Arity: 4, Flags: w, Fn: cmdXGroup}),
			"setid":          k2(&engine.Command{Arity: -5, Flags: w, Fn: cmdXGroup}),
			"help":           {Arity: 2, Flags: engine.FlagLoading | engine.FlagStale, Fn: func(x *engine.Ctx) { helpReply(x, xgroupHelp) }},
		}},
		{Name: "xinfo", Arity: -2, Subcommands: map[string]*engine.Command{
			"consumers": k2(&engine.Command{Arity: 4, Flags: ro, Fn: cmdXInfo}),
			"groups":    k2(&engine.Command{Arity: 3, Flags: ro, Fn: cmdXInfo}),
			"stream":    k2(&engine.Command{Arity: -3, Flags: ro, Fn: cmdXInfo}),
			"help":      {Arity: 2, Flags: engine.FlagLoading | engine.FlagStale, Fn: func(x *engine.Ctx) { helpReply(x, xinfoHelp) }},
		}},
	}
}

// Error texts of t_stream.c.
const (
	errInvalidID    = "ERR Invalid stream ID specified as stream command argument"
	errIDTooSmall   = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	errIDZero       = "ERR The ID specified in XADD must be greater than 0-0"
	errExhausted    = "ERR The stream has exhausted the last possible ID, unable to add more items"
	errTooLarge     = "ERR Elements are too large to be stored"
	errInvalidStart = "ERR invalid start ID for the interval"
	errInvalidEnd   = "ERR invalid end ID for the interval"
)

// Lookup finds key and checks that it holds a stream: o is nil for a missing key; ok is
// false after a WRONGTYPE reply.
func Lookup(x *engine.Ctx, key []byte, write bool) (o *engine.Object, ok bool) {
	if write {
		o = x.DB.LookupWrite(key)
	} else {
		o = x.DB.LookupRead(key)
	}
	if o != nil && o.Type() != engine.TypeStream {
		x.WrongType()
		return nil, false
	}
	return o, true
}

// OnKeyReady, when set, is called where Redis 7.0 calls signalKeyAsReady for a stream
// (XADD, XGROUP DESTROY, XGROUP CREATE … MKSTREAM creating the key): the blocking layer
// uses it to wake clients blocked in XREAD/XREADGROUP on key.
var OnKeyReady func(db *engine.DB, key []byte)

func keyReady(x *engine.Ctx, key []byte) {
	if OnKeyReady != nil {
		OnKeyReady(x.DB, key)
	}
}

// writeID replies with an ID as a bulk string.
func writeID(x *engine.Ctx, id ID) { x.W.WriteBulk(id.Append(x.Scratch[:0])) }

func writeElem(w *resp.Writer, e Elem) {
	if e.IsInt {
		w.WriteBulkInt(e.N)
	} else {
		w.WriteBulk(e.S)
	}
}

// errorf sanitizes an error text built from user input as addReplyErrorFormat does
// (newlines become spaces).
func errorf(x *engine.Ctx, parts ...string) {
	// Byte by byte, as addReplyErrorFormat's sdsmapchars: other bytes stay as they are.
	msg := []byte(strings.Join(parts, ""))
	for i, c := range msg {
		if c == '\r' || c == '\n' {
			msg[i] = ' '
		}
	}
	x.Error(string(msg))
}

// parseStrictID parses args[i] as a strict ID (no "-"/"+"), replying on error.
func parseStrictID(x *engine.Ctx, b []byte, missingSeq uint64) (ID, bool) {
	id, ok := parseID(b, missingSeq, true, nil)
	if !ok {
		x.Error(errInvalidID)
	}
	return id, ok
}

// parseLaxID parses an ID where "-" and "+" are allowed, replying on error.
func parseLaxID(x *engine.Ctx, b []byte, missingSeq uint64) (ID, bool) {
	id, ok := parseID(b, missingSeq, false, nil)
	if !ok {
		x.Error(errInvalidID)
	}
	return id, ok
}

// parseIntervalID is streamParseIntervalIDOrReply: a "(" prefix makes the bound exclusive
// (and strict).
func parseIntervalID(x *engine.Ctx, b []byte, missingSeq uint64) (id ID, exclusive, ok bool) {
	if len(b) > 1 && b[0] == '(' {
		id, ok = parseStrictID(x, b[1:], missingSeq)
		return id, true, ok
	}
	id, ok = parseLaxID(x, b, missingSeq)
	return id, false, ok
}

// addTrimArgs is streamAddTrimArgs.
type addTrimArgs struct {
	TrimArgs
	id         ID
	idGiven    bool
	seqGiven   bool
	noMkStream bool
	argIdx     int // position of the MAXLEN/MINID value, for the propagation rewrite
}

// parseAddTrim is streamParseAddOrTrimArgsOrReply; it returns the position of the ID (XADD)
// or -1 after an error reply.
func parseAddTrim(x *engine.Ctx, a *addTrimArgs, xadd bool) int {
	*a = addTrimArgs{}
	args := x.Args
	i := 2
	limitGiven := false
	for ; i < len(args); i++ {
		moreargs := len(args) - 1 - i
		opt := args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			goto done
		case engine.EqualFold(opt, "maxlen") && moreargs > 0:
			if a.Strategy != TrimNone {
				x.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
				return -1
			}
			a.Approx = false
			next := args[i+1]
			if moreargs >= 2 && len(next) == 1 && next[0] == '~' {
				a.Approx = true
				i++
			} else if moreargs >= 2 && len(next) == 1 && next[0] == '=' {
				i++
			}
			v, ok := x.ParseInt(i + 1)
			if !ok {
				return -1
			}
			if v < 0 {
				x.Error("ERR The MAXLEN argument must be >= 0.")
				return -1
			}
			a.MaxLen = v
			i++
			a.Strategy = TrimMaxLen
			a.argIdx = i
		case engine.EqualFold(opt, "minid") && moreargs > 0:
			if a.Strategy != TrimNone {
				x.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
				return -1
			}
			a.Approx = false
			next := args[i+1]
			if moreargs >= 2 && len(next) == 1 && next[0] == '~' {
				a.Approx = true
				i++
			} else if moreargs >= 2 && len(next) == 1 && next[0] == '=' {
				i++
			}
			id, ok := parseStrictID(x, args[i+1], 0)
			if !ok {
				return -1
			}
			a.MinID = id
			i++
			a.Strategy = TrimMinID
			a.argIdx = i
		case engine.EqualFold(opt, "limit") && moreargs > 0:
			v, ok := x.ParseInt(i + 1)
			if !ok {
				return -1
			}
			if v < 0 {
				x.Error("ERR The LIMIT argument must be >= 0.")
				return -1
			}
			a.Limit = v
			limitGiven = true
			i++
		case xadd && engine.EqualFold(opt, "nomkstream"):
			a.noMkStream = true
		case xadd:
			id, ok := parseID(opt, 0, true, &a.seqGiven)
			if !ok {
				x.Error(errInvalidID)
				return -1
			}
			a.id, a.idGiven = id, true
			goto done
		default:
			x.SyntaxError()
			return -1
		}
	}
done:
	if a.Limit != 0 && a.Strategy == TrimNone {
		x.Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
		return -1
	}
	if !xadd && a.Strategy == TrimNone {
		x.Error("ERR syntax error, XTRIM must be called with a trimming strategy")
		return -1
	}
	if x.C != nil && x.C.Flags&engine.ClientAOF != 0 {
		a.Limit = 0
	} else if limitGiven {
		if !a.Approx {
			x.Error("ERR syntax error, LIMIT cannot be used without the special ~ option")
			return -1
		}
	} else if a.Approx {
		a.Limit = 100 * int64(x.E.Set.StreamNodeMaxEntries)
		if a.Limit <= 0 {
			a.Limit = 10000
		}
		if a.Limit > 1000000 {
			a.Limit = 1000000
		}
	} else {
		a.Limit = 0
	}
	return i
}

var argEquals = []byte("=")

// rewriteTrim makes the propagated arguments exact: "~" becomes "=" and the value the
// resulting length or first ID (streamRewriteApproxSpecifier + streamRewriteTrimArgument).
func rewriteTrim(args [][]byte, s *Stream, a *addTrimArgs) {
	args[a.argIdx-1] = argEquals
	if a.Strategy == TrimMaxLen {
		args[a.argIdx] = strconv.AppendUint(nil, s.length, 10)
	} else {
		args[a.argIdx] = s.edgeID(true, false).Append(nil)
	}
}

// xaddRewrite holds XADD's propagated form: up to eight arguments with the ID's text
// ("18446744073709551615-18446744073709551615" at most) beside them.
type xaddRewrite struct {
	args [8][]byte
	id   [41]byte
}

func cmdXAdd(x *engine.Ctx) {
	var a addTrimArgs
	idpos := parseAddTrim(x, &a, true)
	if idpos < 0 {
		return
	}
	fieldPos := idpos + 1
	if n := len(x.Args) - fieldPos; n < 2 || n%2 == 1 {
		x.Error("ERR wrong number of arguments for 'xadd' command")
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		x.Error(errIDZero)
		return
	}
	key := x.Args[1]
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		if a.noMkStream {
			x.Null()
			return
		}
		o = x.DB.Add(key, NewObject(New()))
	}
	s := FromObject(o)
	if s.lastID == MaxID {
		x.Error(errExhausted)
		return
	}
	var use *ID
	if a.idGiven {
		use = &a.id
	}
	id, res := s.Append(x.Args[fieldPos:], use, a.seqGiven, x.Now(), LimitsOf(&x.E.Set))
	switch res {
	case AppendIDTooLow:
		x.Error(errIDTooSmall)
		return
	case AppendTooLarge:
		x.Error(errTooLarge)
		return
	}
	x.Bulk(s.appendID(x.Scratch[:0], id))
	x.Notify(engine.NotifyStream, "xadd", key)
	x.Dirty(1)

	// The propagated form (generated ID, exact trim) is only built when something keeps
	// it: without a propagator, Call drops what a command propagates.
	prop := x.E.Propagating()
	var rw [][]byte
	if a.Strategy != TrimNone {
		if s.Trim(&a.TrimArgs) > 0 {
			x.Notify(engine.NotifyStream, "xtrim", key)
		}
		if a.Approx && prop {
			rw = append([][]byte(nil), x.Args...)
			rewriteTrim(rw, s, &a)
		}
	}
	x.SignalModified(key)
	if prop && (!a.idGiven || !a.seqGiven) {
		if rw == nil && len(x.Args) <= len(xaddRewrite{}.args) {
			// One allocation for the arguments and the ID's text (kept by the
			// propagation unit until the end of the EXEC or script).
			r := new(xaddRewrite)
			rw = append(r.args[:0], x.Args...)
			rw[idpos] = s.appendID(r.id[:0], id)
		} else {
			if rw == nil {
				rw = append([][]byte(nil), x.Args...)
			}
			rw[idpos] = id.Append(nil)
		}
	}
	if rw != nil {
		x.Rewrite(rw...)
	}
	keyReady(x, key)
}

func xrangeGeneric(x *engine.Ctx, rev bool) {
	startArg, endArg := x.Args[2], x.Args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, startEx, ok := parseIntervalID(x, startArg, 0)
	if !ok {
		return
	}
	if startEx {
		if start, ok = start.Incr(); !ok {
			x.Error(errInvalidStart)
			return
		}
	}
	end, endEx, ok := parseIntervalID(x, endArg, ^uint64(0))
	if !ok {
		return
	}
	if endEx {
		if end, ok = end.Decr(); !ok {
			x.Error(errInvalidEnd)
			return
		}
	}
	count := int64(-1)
	for j := 4; j < len(x.Args); j++ {
		if engine.EqualFold(x.Args[j], "count") && len(x.Args)-j-1 >= 1 {
			v, ok := x.ParseInt(j + 1)
			if !ok {
				return
			}
			count = max(v, 0)
			j++
		} else {
			x.SyntaxError()
			return
		}
	}
	o, ok := Lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.ArrayLen(0)
		return
	}
	if count == 0 {
		x.NullArray()
		return
	}
	if count < 0 {
		count = 0
	}
	replyRange(x, FromObject(o), &start, &end, count, rev, nil, nil, 0, nil)
}

func cmdXLen(x *engine.Ctx) {
	o, ok := Lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	x.Int(int64(FromObject(o).length))
}

// parseIDs parses args as strict IDs into buf, replying on the first error.
func parseIDs(x *engine.Ctx, args [][]byte, buf []ID) ([]ID, bool) {
	ids := buf[:0]
	for _, a := range args {
		id, ok := parseStrictID(x, a, 0)
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

func cmdXDel(x *engine.Ctx) {
	key := x.Args[1]
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	s := FromObject(o)
	var buf [8]ID
	ids, ok := parseIDs(x, x.Args[2:], buf[:])
	if !ok {
		return
	}
	deleted := 0
	for _, id := range ids {
		if s.DeleteEntry(id) {
			deleted++
		}
	}
	if deleted > 0 {
		x.SignalModified(key)
		x.Notify(engine.NotifyStream, "xdel", key)
		x.Dirty(int64(deleted))
	}
	x.Int(int64(deleted))
}

func cmdXTrim(x *engine.Ctx) {
	var a addTrimArgs
	if parseAddTrim(x, &a, false) < 0 {
		return
	}
	key := x.Args[1]
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Int(0)
		return
	}
	s := FromObject(o)
	deleted := s.Trim(&a.TrimArgs)
	if deleted > 0 {
		x.Notify(engine.NotifyStream, "xtrim", key)
		if a.Approx {
			rw := append([][]byte(nil), x.Args...)
			rewriteTrim(rw, s, &a)
			x.Rewrite(rw...)
		}
		x.SignalModified(key)
		x.Dirty(deleted)
	}
	x.Int(deleted)
}

// Flags of replyRange (STREAM_RWR_*).
const (
	rwrNoAck      = 1 << 0
	rwrRawEntries = 1 << 1
	rwrHistory    = 1 << 2
)

// propInfo names the key and group for the XCLAIM / XGROUP SETID propagation of a read
// through a group (streamPropInfo).
type propInfo struct {
	key, group []byte
}

// writeEntryAt writes [id, [field, value, ...]] for the entry the iterator just returned.
func writeEntry(x *engine.Ctx, it *Iterator, id ID, numFields int64) {
	x.ArrayLen(2)
	writeID(x, id)
	x.ArrayLen(int(numFields * 2))
	for ; numFields > 0; numFields-- {
		f, v := it.Field()
		writeElem(x.W, f)
		writeElem(x.W, v)
	}
}

// replyRange is streamReplyWithRange: it replies with the entries from start to end (end
// nil: to the last), at most count (0: all), reversed when rev. With a group and consumer
// it also moves the group's last ID and read counter, creates or reassigns PEL entries
// (unless rwrNoAck) and propagates them as XCLAIM and XGROUP SETID. It returns the number
// of entries emitted and of commands propagated.
func replyRange(x *engine.Ctx, s *Stream, start, end *ID, count int64, rev bool, g *Group, c *Consumer, flags int, spi *propInfo) (emitted, propCount int64) {
	if g != nil && flags&rwrHistory != 0 {
		return replyFromConsumerPEL(x, s, *start, end, count, c), 0
	}
	noack := flags&rwrNoAck != 0
	var d resp.Deferred
	if flags&rwrRawEntries == 0 {
		d = x.W.WriteDeferredLen()
	}
	propagateLastID := false
	var it Iterator
	it.init(s, start, end, rev)
	for {
		id, nf, ok := it.Next()
		if !ok {
			break
		}
		if g != nil && id.Compare(g.LastID) > 0 {
			if g.EntriesRead != InvalidEntriesRead && !s.rangeHasTombstones(id, nil) {
				g.EntriesRead++
			} else if s.entriesAdded != 0 {
				g.EntriesRead = s.estimateDistance(id)
			}
			g.LastID = id
			if noack {
				propagateLastID = true
			}
		}
		writeEntry(x, &it, id, nf)
		if g != nil && !noack {
			now := x.Now()
			nack := &NACK{DeliveryTime: now, DeliveryCount: 1, Consumer: c}
			if g.pel.Insert(id, nack) {
				c.pel.Insert(id, nack)
			} else {
				nack, _ = g.pel.Get(id)
				if nack.Consumer != nil {
					nack.Consumer.pel.Delete(id)
				}
				nack.Consumer = c
				nack.DeliveryTime = now
				nack.DeliveryCount = 1
				c.pel.Insert(id, nack)
			}
			if spi != nil {
				propagateXClaim(x, spi.key, g, spi.group, id.Append(make([]byte, 0, 41)), nack)
				propCount++
			}
		}
		emitted++
		if count != 0 && count == emitted {
			break
		}
	}
	if spi != nil && propagateLastID {
		propagateGroupID(x, spi.key, g, spi.group)
		propCount++
	}
	if flags&rwrRawEntries == 0 {
		x.W.SetArrayLen(d, int(emitted))
	}
	return emitted, propCount
}

// replyFromConsumerPEL is streamReplyWithRangeFromConsumerPEL: the consumer's own history
// from start, with a null body for entries deleted since delivery; delivered entries get
// their delivery time and count updated.
func replyFromConsumerPEL(x *engine.Ctx, s *Stream, start ID, end *ID, count int64, c *Consumer) int64 {
	d := x.W.WriteDeferredLen()
	var n int64
	cur := c.pel.Seek(start)
	for count == 0 || n < count {
		id, nack, ok := cur.Next()
		if !ok {
			break
		}
		if end != nil && id.Compare(*end) > 0 {
			break
		}
		one := id
		if e, _ := replyRange(x, s, &one, &one, 1, false, nil, nil, rwrRawEntries, nil); e == 0 {
			x.ArrayLen(2)
			writeID(x, id)
			x.NullArray()
		} else {
			nack.DeliveryTime = x.Now()
			nack.DeliveryCount++
		}
		n++
	}
	x.W.SetArrayLen(d, int(n))
	return n
}

var (
	argXClaim     = []byte("XCLAIM")
	argXGroup     = []byte("XGROUP")
	argSetID      = []byte("SETID")
	argCreateCons = []byte("CREATECONSUMER")
	argZero       = []byte("0")
	argTime       = []byte("TIME")
	argRetryCount = []byte("RETRYCOUNT")
	argForce      = []byte("FORCE")
	argJustID     = []byte("JUSTID")
	argLastID     = []byte("LASTID")
	argEntriesRd  = []byte("ENTRIESREAD")
)

// propagateXClaim is streamPropagateXCLAIM: XCLAIM key group consumer 0 id TIME ms
// RETRYCOUNT n FORCE JUSTID LASTID group-last-id. The numbers share one buffer; the
// consumer name is immutable for the consumer's life, so it is not copied.
func propagateXClaim(x *engine.Ctx, key []byte, g *Group, group []byte, id []byte, n *NACK) {
	buf := make([]byte, 0, 96)
	buf = strconv.AppendInt(buf, n.DeliveryTime, 10)
	t := buf[:len(buf):len(buf)]
	buf = strconv.AppendUint(buf, n.DeliveryCount, 10)
	c := buf[len(t):len(buf):len(buf)]
	buf = g.LastID.Append(buf)
	last := buf[len(t)+len(c):]
	x.AlsoPropagate(argXClaim, key, group, n.Consumer.Name, argZero, id,
		argTime, t, argRetryCount, c, argForce, argJustID, argLastID, last)
}

// propagateGroupID is streamPropagateGroupID: XGROUP SETID key group last-id ENTRIESREAD n.
func propagateGroupID(x *engine.Ctx, key []byte, g *Group, group []byte) {
	x.AlsoPropagate(argXGroup, argSetID, key, group, g.LastID.Append(nil),
		argEntriesRd, strconv.AppendInt(nil, g.EntriesRead, 10))
}

// propagateConsumerCreation is streamPropagateConsumerCreation: XGROUP CREATECONSUMER.
func propagateConsumerCreation(x *engine.Ctx, key, group, consumer []byte) {
	x.AlsoPropagate(argXGroup, argCreateCons, key, group, bytes.Clone(consumer))
}

// BlockRequest describes an XREAD/XREADGROUP that found nothing to serve and asked to
// block (BLOCK given): the blocking layer takes it from BlockHook and later hands it to
// ServeBlocked when a key is signalled ready. Keys, Group and Consumer alias the request
// arguments: copy them to keep the request past BlockHook.
type BlockRequest struct {
	Keys      [][]byte // the stream keys (aliasing the arguments: copy to keep)
	IDs       []ID     // per key: serve entries greater than this; MaxID means ">" (group)
	TimeoutMs int64    // absolute unix ms deadline, 0 = forever
	Count     int64    // COUNT (0: no limit)
	Group     []byte   // XREADGROUP's group, nil for XREAD
	Consumer  []byte
	NoAck     bool
}

// BlockHook, when set, is offered an XREAD/XREADGROUP that would block; it returns true
// when it took over the client (and replies later). When nil or when it returns false the
// command replies with a null array, as Redis does for clients that may not block.
var BlockHook func(x *engine.Ctx, req *BlockRequest) bool

func cmdXRead(x *engine.Ctx) {
	xreadgroup := len(x.Args[0]) == 10
	args := x.Args
	timeout := int64(-1)
	var count int64
	streamsArg, streamsCount := 0, 0
	noack := false
	var groupName, consumerName []byte
	for i := 1; i < len(args); i++ {
		moreargs := len(args) - i - 1
		o := args[i]
		switch {
		case engine.EqualFold(o, "block") && moreargs > 0:
			if x.C != nil && x.C.Flags&engine.ClientScript != 0 {
				// Redis refuses BLOCK from scripts before reading the timeout, naming
				// the command as the script wrote it.
				x.Error("ERR " + string(args[0]) + " command is not allowed with BLOCK option from scripts")
				return
			}
			i++
			v, ok := engine.ParseInt(args[i])
			if !ok {
				x.Error("ERR timeout is not an integer or out of range")
				return
			}
			if v < 0 {
				x.Error("ERR timeout is negative")
				return
			}
			if v > 0 {
				if v > (1<<63-1)-x.Now() {
					// Redis 7.0.15 has no range check here: its deadline wraps and never
					// fires, so the client waits forever.
					v = 0
				} else {
					v += x.Now()
				}
			}
			timeout = v
		case engine.EqualFold(o, "count") && moreargs > 0:
			i++
			v, ok := x.ParseInt(i)
			if !ok {
				return
			}
			count = max(v, 0)
		case engine.EqualFold(o, "streams") && moreargs > 0:
			streamsArg = i + 1
			streamsCount = len(args) - streamsArg
			if streamsCount%2 != 0 {
				x.Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
				return
			}
			streamsCount /= 2
			goto parsed
		case engine.EqualFold(o, "group") && moreargs >= 2:
			if !xreadgroup {
				x.Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			groupName, consumerName = args[i+1], args[i+2]
			i += 2
		case engine.EqualFold(o, "noack"):
			if !xreadgroup {
				x.Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			noack = true
		default:
			x.SyntaxError()
			return
		}
	}
parsed:
	if streamsArg == 0 {
		x.SyntaxError()
		return
	}
	if xreadgroup && groupName == nil {
		x.Error("ERR Missing GROUP option for XREADGROUP")
		return
	}
	x.NoPropagate()
	var idBuf [8]ID
	var grpBuf [8]*Group
	ids := idBuf[:0]
	var groups []*Group
	if groupName != nil {
		groups = grpBuf[:0]
	}
	for i := streamsArg + streamsCount; i < len(args); i++ {
		key := args[i-streamsCount]
		o, ok := Lookup(x, key, false)
		if !ok {
			return
		}
		if groupName != nil {
			var g *Group
			if o != nil {
				g = FromObject(o).LookupGroup(groupName)
			}
			if g == nil {
				errorf(x, "NOGROUP No such key '", cString(key), "' or consumer group '", cString(groupName),
					"' in XREADGROUP with GROUP option")
				return
			}
			groups = append(groups, g)
		}
		a := args[i]
		switch {
		case len(a) == 1 && a[0] == '$':
			if xreadgroup {
				x.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
				return
			}
			if o != nil {
				ids = append(ids, FromObject(o).lastID)
			} else {
				ids = append(ids, ID{})
			}
		case len(a) == 1 && a[0] == '>':
			if !xreadgroup {
				x.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
				return
			}
			ids = append(ids, MaxID)
		default:
			id, ok := parseStrictID(x, a, 0)
			if !ok {
				return
			}
			ids = append(ids, id)
		}
	}
	served := serveRead(x, args[streamsArg:streamsArg+streamsCount], ids, groups, groupName, consumerName, count, noack)
	if served {
		return
	}
	if timeout != -1 && BlockHook != nil {
		req := &BlockRequest{Keys: args[streamsArg : streamsArg+streamsCount], IDs: append([]ID(nil), ids...),
			TimeoutMs: timeout, Count: count, Group: groupName, Consumer: consumerName, NoAck: noack}
		if BlockHook(x, req) {
			return
		}
	}
	x.NullArray()
}

// serveRead is the synchronous part of xreadCommand: for each key with something to
// serve it writes [key, entries] (a map in RESP3). It writes nothing and returns false
// when no key could be served.
func serveRead(x *engine.Ctx, keys [][]byte, ids []ID, groups []*Group, groupName, consumerName []byte, count int64, noack bool) bool {
	var d resp.Deferred
	arraylen := 0
	for i, key := range keys {
		o := x.DB.LookupRead(key)
		if o == nil || o.Type() != engine.TypeStream {
			continue
		}
		s := FromObject(o)
		gt := ids[i]
		serve, history := false, false
		if groups != nil {
			g := groups[i]
			if gt != MaxID {
				serve, history = true, true
			} else if s.length > 0 {
				if maxid := s.lastValidID(); maxid.Compare(g.LastID) > 0 {
					serve = true
					gt = g.LastID
				}
			}
		} else if s.length > 0 {
			if maxid := s.lastValidID(); maxid.Compare(gt) > 0 {
				serve = true
			}
		}
		if !serve {
			continue
		}
		arraylen++
		if arraylen == 1 {
			d = x.W.WriteDeferredLen()
		}
		start, _ := gt.Incr()
		if x.W.Protocol() == 2 {
			x.ArrayLen(2)
		}
		x.Bulk(key)
		flags := 0
		if noack {
			flags |= rwrNoAck
		}
		if history {
			flags |= rwrHistory
		}
		var g *Group
		var c *Consumer
		var spi *propInfo
		if groups != nil {
			g = groups[i]
			beforeGroupChange(x, key, g)
			spi = &propInfo{key: key, group: groupName}
			c = g.LookupConsumer(consumerName)
			if c == nil {
				c = g.CreateConsumer(consumerName, x.Now())
				x.Dirty(1)
				x.Notify(engine.NotifyStream, "xgroup-createconsumer", key)
				if noack {
					propagateConsumerCreation(x, key, groupName, consumerName)
				}
			} else {
				c.SeenTime = x.Now()
			}
		}
		replyRange(x, s, &start, nil, count, false, g, c, flags, spi)
		if groups != nil {
			x.Dirty(1)
		}
	}
	if arraylen == 0 {
		return false
	}
	if x.W.Protocol() == 2 {
		x.W.SetArrayLen(d, arraylen)
	} else {
		x.W.SetMapLen(d, arraylen)
	}
	return true
}
