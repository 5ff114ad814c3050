package tstream

import (
	"bytes"
	"math"
	"strings"

	"github.com/redisctl/redisctl/engine"
)

var xgroupHelp = []string{
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
}

var xinfoHelp = []string{
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
}

// helpReply is addReplyHelp: a header naming the command as typed (upper-cased), the
// lines, then HELP.
func helpReply(x *engine.Ctx, lines []string) {
	all := make([]string, 0, len(lines)+3)
	all = append(all, strings.ToUpper(string(x.Args[0]))+" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	all = append(all, lines...)
	all = append(all, "HELP", "    Prints this help.")
	x.HelpReply(all)
}

// subcommandSyntaxError is addReplySubcommandSyntaxError.
func subcommandSyntaxError(x *engine.Ctx) {
	sub := x.Args[1]
	if len(sub) > 128 {
		sub = sub[:128]
	}
	errorf(x, "ERR unknown subcommand or wrong number of arguments for '", string(sub), "'. Try ",
		strings.ToUpper(string(x.Args[0])), " HELP.")
}

func cmdXGroup(x *engine.Ctx) {
	args := x.Args
	opt := args[1]
	mkstream := false
	entriesRead := int64(InvalidEntriesRead)
	var s *Stream
	var g *Group
	create := engine.EqualFold(opt, "create")
	setid := engine.EqualFold(opt, "setid")
	key := args[2]
	grp := args[3]
	for i := 5; i < len(args); {
		switch {
		case create && engine.EqualFold(args[i], "mkstream"):
			mkstream = true
			i++
		case (create || setid) && engine.EqualFold(args[i], "entriesread") && i+1 < len(args):
			v, ok := x.ParseInt(i + 1)
			if !ok {
				return
			}
			if v < 0 && v != InvalidEntriesRead {
				x.Error("ERR value for ENTRIESREAD must be positive or -1")
				return
			}
			entriesRead = v
			i += 2
		default:
			subcommandSyntaxError(x)
			return
		}
	}
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o != nil {
		s = FromObject(o)
	}
	if !mkstream {
		if s == nil {
			x.Error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
			return
		}
		if g = s.LookupGroup(grp); g == nil && (setid || engine.EqualFold(opt, "createconsumer") || engine.EqualFold(opt, "delconsumer")) {
			errorf(x, "NOGROUP No such consumer group '", cString(grp), "' for key name '", cString(key), "'")
			return
		}
	}
	switch {
	case create && len(args) >= 5 && len(args) <= 8:
		var id ID
		if len(args[4]) == 1 && args[4][0] == '$' {
			if s != nil {
				id = s.lastID
			}
		} else if id, ok = parseStrictID(x, args[4], 0); !ok {
			return
		}
		if s == nil {
			s = New()
			x.DB.Add(key, NewObject(s))
			x.SignalModified(key)
			keyReady(x, key) // dbAdd signals the new key as ready
		}
		if s.CreateGroup(grp, id, entriesRead) != nil {
			x.OK()
			x.Dirty(1)
			x.Notify(engine.NotifyStream, "xgroup-create", key)
		} else {
			x.Error("BUSYGROUP Consumer Group name already exists")
		}
	case setid && (len(args) == 5 || len(args) == 7):
		var id ID
		if len(args[4]) == 1 && args[4][0] == '$' {
			id = s.lastID
		} else if id, ok = parseLaxID(x, args[4], 0); !ok {
			return
		}
		g.LastID = id
		g.EntriesRead = entriesRead
		x.OK()
		x.Dirty(1)
		x.Notify(engine.NotifyStream, "xgroup-setid", key)
	case engine.EqualFold(opt, "destroy") && len(args) == 4:
		if g != nil {
			s.DestroyGroup(grp)
			x.Int(1)
			x.Dirty(1)
			x.Notify(engine.NotifyStream, "xgroup-destroy", key)
			keyReady(x, key)
		} else {
			x.Int(0)
		}
	case engine.EqualFold(opt, "createconsumer") && len(args) == 5:
		if g.CreateConsumer(args[4], x.Now()) != nil {
			x.Dirty(1)
			x.Notify(engine.NotifyStream, "xgroup-createconsumer", key)
			x.Int(1)
		} else {
			x.Int(0)
		}
	case engine.EqualFold(opt, "delconsumer") && len(args) == 5:
		var pending int64
		if c := g.LookupConsumer(args[4]); c != nil {
			pending = int64(c.pel.Len())
			g.DeleteConsumer(c)
			x.Dirty(1)
			x.Notify(engine.NotifyStream, "xgroup-delconsumer", key)
		}
		x.Int(pending)
	default:
		subcommandSyntaxError(x)
	}
}

func cmdXSetID(x *engine.Ctx) {
	args := x.Args
	id, ok := parseStrictID(x, args[2], 0)
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel ID
	for i := 3; i < len(args); {
		moreargs := len(args) - 1 - i
		switch {
		case engine.EqualFold(args[i], "entriesadded") && moreargs > 0:
			v, ok := x.ParseInt(i + 1)
			if !ok {
				return
			}
			if v < 0 {
				x.Error("ERR entries_added must be positive")
				return
			}
			entriesAdded = v
			i += 2
		case engine.EqualFold(args[i], "maxdeletedid") && moreargs > 0:
			v, ok := parseStrictID(x, args[i+1], 0)
			if !ok {
				return
			}
			if id.Less(v) {
				x.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
			maxDel = v
			i += 2
		default:
			x.SyntaxError()
			return
		}
	}
	key := args[1]
	o, ok := Lookup(x, key, true)
	if !ok {
		return
	}
	if o == nil {
		x.Error(engine.ErrNoSuchKey)
		return
	}
	s := FromObject(o)
	if s.length > 0 {
		if id.Less(s.lastValidID()) {
			x.Error("ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && s.length > uint64(entriesAdded) {
			x.Error("ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	s.lastID = id
	if entriesAdded != -1 {
		s.entriesAdded = uint64(entriesAdded)
	}
	if !maxDel.IsZero() {
		s.maxDeletedID = maxDel
	}
	x.OK()
	x.Dirty(1)
	x.Notify(engine.NotifyStream, "xsetid", key)
}

func cmdXAck(x *engine.Ctx) {
	o, ok := Lookup(x, x.Args[1], false)
	if !ok {
		return
	}
	var g *Group
	if o != nil {
		g = FromObject(o).LookupGroup(x.Args[2])
		beforeGroupChange(x, x.Args[1], g)
	}
	if g == nil {
		x.Int(0)
		return
	}
	var buf [8]ID
	ids, ok := parseIDs(x, x.Args[3:], buf[:])
	if !ok {
		return
	}
	acked := int64(0)
	for _, id := range ids {
		if g.ack(id) {
			acked++
			x.Dirty(1)
		}
	}
	x.Int(acked)
}

func noGroup(x *engine.Ctx, key, group []byte) {
	errorf(x, "NOGROUP No such key '", cString(key), "' or consumer group '", cString(group), "'")
}

func cmdXPending(x *engine.Ctx) {
	args := x.Args
	justinfo := len(args) == 3
	var start, end ID
	var count, minidle int64
	var consumerName []byte
	if len(args) != 3 && (len(args) < 6 || len(args) > 9) {
		x.SyntaxError()
		return
	}
	if len(args) >= 6 {
		si := 3
		if engine.EqualFold(args[3], "idle") {
			v, ok := x.ParseInt(4)
			if !ok {
				return
			}
			minidle = v
			if len(args) < 8 {
				x.SyntaxError()
				return
			}
			si += 2
		}
		v, ok := x.ParseInt(si + 2)
		if !ok {
			return
		}
		count = max(v, 0)
		var ex bool
		if start, ex, ok = parseIntervalID(x, args[si], 0); !ok {
			return
		}
		if ex {
			if start, ok = start.Incr(); !ok {
				x.Error(errInvalidStart)
				return
			}
		}
		if end, ex, ok = parseIntervalID(x, args[si+1], math.MaxUint64); !ok {
			return
		}
		if ex {
			if end, ok = end.Decr(); !ok {
				x.Error(errInvalidEnd)
				return
			}
		}
		if si+3 < len(args) {
			consumerName = args[si+3]
		}
	}
	o, ok := Lookup(x, args[1], false)
	if !ok {
		return
	}
	var g *Group
	if o != nil {
		g = FromObject(o).LookupGroup(args[2])
	}
	if g == nil {
		noGroup(x, args[1], args[2])
		return
	}
	if justinfo {
		x.ArrayLen(4)
		x.Int(int64(g.pel.Len()))
		if g.pel.Len() == 0 {
			x.Null()
			x.Null()
			x.NullArray()
			return
		}
		writeID(x, g.pel.Min())
		writeID(x, g.pel.Max())
		d := x.W.WriteDeferredLen()
		n := 0
		for _, c := range g.consumers {
			if c.pel.Len() == 0 {
				continue
			}
			x.ArrayLen(2)
			x.Bulk(c.Name)
			x.W.WriteBulkInt(int64(c.pel.Len()))
			n++
		}
		x.W.SetArrayLen(d, n)
		return
	}
	pel := g.pel
	if consumerName != nil {
		c := g.LookupConsumer(consumerName)
		if c == nil {
			x.ArrayLen(0)
			return
		}
		pel = c.pel
	}
	now := x.Now()
	d := x.W.WriteDeferredLen()
	n := 0
	cur := pel.Seek(start)
	for count > 0 {
		id, nack, ok := cur.Next()
		if !ok || id.Compare(end) > 0 {
			break
		}
		if minidle != 0 && now-nack.DeliveryTime < minidle {
			continue
		}
		n++
		count--
		x.ArrayLen(4)
		writeID(x, id)
		x.Bulk(nack.Consumer.Name)
		x.Int(max(now-nack.DeliveryTime, 0))
		x.Int(int64(nack.DeliveryCount))
	}
	x.W.SetArrayLen(d, n)
}

// lookupOrCreateConsumer is streamLookupConsumer (refreshing the seen time) falling back
// to streamCreateConsumer.
func lookupOrCreateConsumer(x *engine.Ctx, g *Group, name, key []byte) *Consumer {
	if c := g.LookupConsumer(name); c != nil {
		c.SeenTime = x.Now()
		return c
	}
	c := g.CreateConsumer(name, x.Now())
	x.Dirty(1)
	x.Notify(engine.NotifyStream, "xgroup-createconsumer", key)
	return c
}

// parseIntMsg parses args[i] as string2ll, replying "ERR <msg>" on failure.
func parseIntMsg(x *engine.Ctx, i int, msg string) (int64, bool) {
	v, ok := engine.ParseInt(x.Args[i])
	if !ok {
		x.Error("ERR " + msg)
	}
	return v, ok
}

func cmdXClaim(x *engine.Ctx) {
	args := x.Args
	key := args[1]
	o, ok := Lookup(x, key, false)
	if !ok {
		return
	}
	var g *Group
	if o != nil {
		g = FromObject(o).LookupGroup(args[2])
		beforeGroupChange(x, key, g)
	}
	if g == nil {
		noGroup(x, key, args[2])
		return
	}
	s := FromObject(o)
	minidle, ok := parseIntMsg(x, 4, "Invalid min-idle-time argument for XCLAIM")
	if !ok {
		return
	}
	minidle = max(minidle, 0)
	var buf [8]ID
	ids := buf[:0]
	j := 5
	for ; j < len(args); j++ {
		id, ok := parseID(args[j], 0, true, nil)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := x.Now()
	retrycount := int64(-1)
	deliverytime := int64(-1)
	force, justid := false, false
	var lastID ID
	propagateLastID := false
	for ; j < len(args); j++ {
		moreargs := len(args) - 1 - j
		opt := args[j]
		switch {
		case engine.EqualFold(opt, "force"):
			force = true
		case engine.EqualFold(opt, "justid"):
			justid = true
		case engine.EqualFold(opt, "idle") && moreargs > 0:
			j++
			v, ok := parseIntMsg(x, j, "Invalid IDLE option argument for XCLAIM")
			if !ok {
				return
			}
			deliverytime = now - v
		case engine.EqualFold(opt, "time") && moreargs > 0:
			j++
			v, ok := parseIntMsg(x, j, "Invalid TIME option argument for XCLAIM")
			if !ok {
				return
			}
			deliverytime = v
		case engine.EqualFold(opt, "retrycount") && moreargs > 0:
			j++
			v, ok := parseIntMsg(x, j, "Invalid RETRYCOUNT option argument for XCLAIM")
			if !ok {
				return
			}
			retrycount = v
		case engine.EqualFold(opt, "lastid") && moreargs > 0:
			j++
			if lastID, ok = parseStrictID(x, args[j], 0); !ok {
				return
			}
		default:
			errorf(x, "ERR Unrecognized XCLAIM option '", cString(opt), "'")
			return
		}
	}
	if lastID.Compare(g.LastID) > 0 {
		g.LastID = lastID
		propagateLastID = true
	}
	if deliverytime != -1 {
		if deliverytime < 0 || deliverytime > now {
			deliverytime = now
		}
	} else {
		deliverytime = now
	}
	x.NoPropagate()
	var c *Consumer
	d := x.W.WriteDeferredLen()
	n := 0
	for k, id := range ids {
		idArg := args[5+k]
		nack, found := g.pel.Get(id)
		if !s.entryExists(id) {
			if found {
				propagateXClaim(x, key, g, args[2], idArg, nack)
				propagateLastID = false
				x.Dirty(1)
				g.ack(id)
			}
			continue
		}
		if force && !found {
			nack = &NACK{DeliveryTime: now, DeliveryCount: 1}
			g.pel.Insert(id, nack)
			found = true
		}
		if !found {
			continue
		}
		if nack.Consumer != nil && minidle != 0 && now-nack.DeliveryTime < minidle {
			continue
		}
		if c == nil {
			c = lookupOrCreateConsumer(x, g, args[3], key)
		}
		if nack.Consumer != c && nack.Consumer != nil {
			nack.Consumer.pel.Delete(id)
		}
		nack.DeliveryTime = deliverytime
		if retrycount >= 0 {
			nack.DeliveryCount = uint64(retrycount)
		} else if !justid {
			nack.DeliveryCount++
		}
		if nack.Consumer != c {
			c.pel.Insert(id, nack)
			nack.Consumer = c
		}
		if justid {
			writeID(x, id)
		} else {
			one := id
			replyRange(x, s, &one, &one, 1, false, nil, nil, rwrRawEntries, nil)
		}
		n++
		propagateXClaim(x, key, g, args[2], idArg, nack)
		propagateLastID = false
		x.Dirty(1)
	}
	if propagateLastID {
		propagateGroupID(x, key, g, args[2])
		x.Dirty(1)
	}
	x.W.SetArrayLen(d, n)
}

// maxAutoClaimCount is the largest XAUTOCLAIM COUNT whose transient ID array (16 bytes a
// count) we accept; Redis fails ztrymalloc somewhere above the machine's memory, we draw
// the line at 1 TiB.
const maxAutoClaimCount = 1 << 36

// cString is the argument as C's %s prints it (up to the first NUL).
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// entryExists is streamEntryExists.
func (s *Stream) entryExists(id ID) bool {
	var it Iterator
	it.init(s, &id, &id, false)
	_, _, ok := it.Next()
	return ok
}

func cmdXAutoClaim(x *engine.Ctx) {
	args := x.Args
	key := args[1]
	// xautoclaimCommand looks the key up first (lookupKeyRead: counted in keyspace
	// hits/misses even when an argument then fails) and checks its type after the
	// arguments.
	o := x.DB.LookupRead(key)
	minidle, ok := parseIntMsg(x, 4, "Invalid min-idle-time argument for XAUTOCLAIM")
	if !ok {
		return
	}
	minidle = max(minidle, 0)
	start, ex, ok := parseIntervalID(x, args[5], 0)
	if !ok {
		return
	}
	if ex {
		if start, ok = start.Incr(); !ok {
			x.Error(errInvalidStart)
			return
		}
	}
	count := int64(100)
	justid := false
	for j := 6; j < len(args); j++ {
		moreargs := len(args) - 1 - j
		switch {
		case engine.EqualFold(args[j], "count") && moreargs > 0:
			v, ok := engine.ParseInt(args[j+1])
			if !ok || v < 1 || v > math.MaxInt64/16 {
				x.Error("ERR COUNT must be > 0")
				return
			}
			count = v
			j++
		case engine.EqualFold(args[j], "justid"):
			justid = true
		default:
			x.SyntaxError()
			return
		}
	}
	if o != nil && o.Type() != engine.TypeStream {
		x.WrongType()
		return
	}
	var g *Group
	if o != nil {
		g = FromObject(o).LookupGroup(args[2])
		beforeGroupChange(x, key, g)
	}
	if g == nil {
		noGroup(x, key, args[2])
		return
	}
	s := FromObject(o)
	if count > maxAutoClaimCount {
		// zmalloc of count IDs for the deleted list fails: Redis refuses.
		x.Error("ERR Insufficient memory, failed allocating transient memory, COUNT too high.")
		return
	}
	x.NoPropagate()
	var c *Consumer
	attempts := count * 10
	now := x.Now()
	var deleted, claimed []ID
	cur := g.pel.Seek(start)
	for ; attempts > 0 && count > 0; attempts-- {
		id, nack, ok := cur.Next()
		if !ok {
			break
		}
		if !s.entryExists(id) {
			propagateXClaim(x, key, g, args[2], id.Append(nil), nack)
			x.Dirty(1)
			g.ack(id)
			deleted = append(deleted, id)
			cur = g.pel.Seek(id)
			count--
			continue
		}
		if minidle != 0 && now-nack.DeliveryTime < minidle {
			continue
		}
		if c == nil {
			c = lookupOrCreateConsumer(x, g, args[3], key)
		}
		if nack.Consumer != c && nack.Consumer != nil {
			nack.Consumer.pel.Delete(id)
		}
		nack.DeliveryTime = now
		if !justid {
			nack.DeliveryCount++
		}
		if nack.Consumer != c {
			c.pel.Insert(id, nack)
			nack.Consumer = c
		}
		claimed = append(claimed, id)
		count--
		propagateXClaim(x, key, g, args[2], id.Append(nil), nack)
		x.Dirty(1)
	}
	// The entry after the last one examined is the cursor for the next call.
	next, ok := cur.Peek()
	if !ok {
		next = ID{}
	}
	x.ArrayLen(3)
	writeID(x, next)
	x.ArrayLen(len(claimed))
	for _, id := range claimed {
		if justid {
			writeID(x, id)
		} else {
			one := id
			replyRange(x, s, &one, &one, 1, false, nil, nil, rwrRawEntries, nil)
		}
	}
	x.ArrayLen(len(deleted))
	for _, id := range deleted {
		writeID(x, id)
	}
}

// beforeGroupChange runs the snapshot hook before a command that looked its stream up for
// reading (as Redis does: XACK, XCLAIM, XAUTOCLAIM, XREADGROUP use lookupKeyRead) changes
// the group g's PEL or consumers, so a fork-free snapshot in progress writes the stream as
// it was first. Nothing happens when there is no such group (the command only replies).
func beforeGroupChange(x *engine.Ctx, key []byte, g *Group) {
	if g != nil {
		x.DB.LookupEntry(key, true)
	}
}
