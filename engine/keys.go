package engine

import (
	"strconv"

	"github.com/redisctl/redisctl/engine/memmodel"
)

func memKeyOverhead(n int) int { return memmodel.KeyOverhead(n) }

// CoreCommands are the commands implemented by this package: generic key commands,
// database commands and transactions.
func CoreCommands() []*Command {
	ro := FlagReadOnly
	w := FlagWrite
	fast := FlagFast
	return []*Command{
		{Name: "del", Arity: -2, Flags: w, FirstKey: 1, LastKey: -1, Step: 1, Fn: cmdDel},
		{Name: "unlink", Arity: -2, Flags: w | fast, FirstKey: 1, LastKey: -1, Step: 1, Fn: cmdDel},
		{Name: "exists", Arity: -2, Flags: ro | fast, FirstKey: 1, LastKey: -1, Step: 1, Fn: cmdExists},
		{Name: "type", Arity: 2, Flags: ro | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: cmdType},
		{Name: "touch", Arity: -2, Flags: ro | fast, FirstKey: 1, LastKey: -1, Step: 1, Fn: cmdTouch},
		{Name: "expire", Arity: -3, Flags: w | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: expireCmd(false, 1000)},
		{Name: "pexpire", Arity: -3, Flags: w | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: expireCmd(false, 1)},
		{Name: "expireat", Arity: -3, Flags: w | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: expireCmd(true, 1000)},
		{Name: "pexpireat", Arity: -3, Flags: w | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: expireCmd(true, 1)},
		{Name: "ttl", Arity: 2, Flags: ro | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: ttlCmd(false, false)},
		{Name: "pttl", Arity: 2, Flags: ro | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: ttlCmd(true, false)},
		{Name: "expiretime", Arity: 2, Flags: ro | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: ttlCmd(false, true)},
		{Name: "pexpiretime", Arity: 2, Flags: ro | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: ttlCmd(true, true)},
		{Name: "persist", Arity: 2, Flags: w | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: cmdPersist},
		{Name: "rename", Arity: 3, Flags: w, FirstKey: 1, LastKey: 2, Step: 1, Fn: func(x *Ctx) { renameGeneric(x, false) }},
		{Name: "renamenx", Arity: 3, Flags: w | fast, FirstKey: 1, LastKey: 2, Step: 1, Fn: func(x *Ctx) { renameGeneric(x, true) }},
		{Name: "copy", Arity: -3, Flags: w | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Fn: cmdCopy},
		{Name: "move", Arity: 3, Flags: w | fast, FirstKey: 1, LastKey: 1, Step: 1, Fn: cmdMove},
		{Name: "randomkey", Arity: 1, Flags: ro, Fn: cmdRandomKey},
		{Name: "keys", Arity: 2, Flags: ro, Fn: cmdKeys},
		{Name: "scan", Arity: -2, Flags: ro, Fn: cmdScan},
		{Name: "dbsize", Arity: 1, Flags: ro | fast, Fn: func(x *Ctx) { x.Int(int64(x.DB.Len())) }},
		{Name: "select", Arity: 2, Flags: FlagLoading | FlagStale | fast, Fn: cmdSelect},
		{Name: "swapdb", Arity: 3, Flags: w | fast, Fn: cmdSwapDB},
		{Name: "flushdb", Arity: -1, Flags: w, Fn: cmdFlushDB},
		{Name: "flushall", Arity: -1, Flags: w, Fn: cmdFlushAll},
		{Name: "multi", Arity: 1, Flags: FlagLoading | FlagStale | fast | FlagAllowBusy | FlagMultiControl, Fn: cmdMulti},
		{Name: "exec", Arity: 1, Flags: FlagLoading | FlagStale | FlagSkipSlowlog | FlagMultiControl, Fn: cmdExec},
		{Name: "discard", Arity: 1, Flags: FlagLoading | FlagStale | fast | FlagAllowBusy | FlagMultiControl, Fn: cmdDiscard},
		{Name: "watch", Arity: -2, Flags: FlagLoading | FlagStale | fast | FlagAllowBusy | FlagMultiControl, FirstKey: 1, LastKey: -1, Step: 1, Fn: cmdWatch},
		{Name: "unwatch", Arity: 1, Flags: FlagLoading | FlagStale | fast | FlagAllowBusy, Fn: cmdUnwatch},
		{Name: "object", Arity: -2, Subcommands: map[string]*Command{
			"encoding": {Arity: 3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Fn: objectEncoding},
			"refcount": {Arity: 3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Fn: objectRefcount},
			"idletime": {Arity: 3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Fn: objectIdletime},
			"freq":     {Arity: 3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Fn: objectFreq},
			"help":     {Arity: 2, Flags: FlagLoading | FlagStale, Fn: objectHelp},
		}},
		{Name: "memory", Arity: -2, Subcommands: map[string]*Command{
			"usage":        {Arity: -3, Flags: ro, FirstKey: 2, LastKey: 2, Step: 1, Fn: memoryUsage},
			"stats":        {Arity: 2, Fn: memoryStats},
			"doctor":       {Arity: 2, Fn: memoryDoctor},
			"malloc-stats": {Arity: 2, Fn: memoryMallocStats},
			"purge":        {Arity: 2, Fn: memoryPurge},
			"help":         {Arity: 2, Flags: FlagLoading | FlagStale, Fn: memoryHelp},
		}},
		{Name: "publish", Arity: 3, Flags: FlagPubSub | FlagLoading | FlagStale | fast, Fn: cmdPublish},
	}
}

func cmdDel(x *Ctx) {
	n := int64(0)
	for _, k := range x.Args[1:] {
		x.DB.expireIfNeeded(k)
		if x.DB.Drop(k) {
			x.SignalModified(k)
			x.Notify(NotifyGeneric, "del", k)
			x.Dirty(1)
			n++
		}
	}
	x.Int(n)
}

func cmdExists(x *Ctx) {
	n := int64(0)
	for _, k := range x.Args[1:] {
		if x.DB.lookup(k, lookupNoTouch, false) != nil {
			n++
		}
	}
	x.Int(n)
}

func cmdType(x *Ctx) {
	o := x.DB.lookup(x.Args[1], lookupNoTouch, false)
	if o == nil {
		x.W.WriteSimpleString("none")
		return
	}
	x.W.WriteSimpleString(o.Value.typ.String())
}

func cmdTouch(x *Ctx) {
	n := int64(0)
	for _, k := range x.Args[1:] {
		if x.DB.LookupRead(k) != nil {
			n++
		}
	}
	x.Int(n)
}

// Expire flags of EXPIRE … NX|XX|GT|LT.
const (
	expNX = 1 << iota
	expXX
	expGT
	expLT
)

func expireCmd(absolute bool, unitMs int64) HandlerFunc {
	return func(x *Ctx) {
		key := x.Args[1]
		// Options are checked before the time, as parseExtendedExpireArgumentsOrReply
		// runs first in expireGenericCommand.
		flags := 0
		for _, a := range x.Args[3:] {
			switch {
			case EqualFold(a, "nx"):
				flags |= expNX
			case EqualFold(a, "xx"):
				flags |= expXX
			case EqualFold(a, "gt"):
				flags |= expGT
			case EqualFold(a, "lt"):
				flags |= expLT
			default:
				x.Error("ERR Unsupported option " + string(cString(a)))
				return
			}
		}
		if flags&expNX != 0 && flags&(expXX|expGT|expLT) != 0 {
			x.Error("ERR NX and XX, GT or LT options at the same time are not compatible")
			return
		}
		if flags&expGT != 0 && flags&expLT != 0 {
			x.Error("ERR GT and LT options at the same time are not compatible")
			return
		}
		when, ok := x.ParseInt(2)
		if !ok {
			return
		}
		// Overflow checks as Redis's expireGenericCommand.
		if unitMs == 1000 {
			if when > (1<<63-1)/1000 || when < (-1<<63)/1000 {
				x.Error("ERR invalid expire time in '" + x.Cmd.Name + "' command")
				return
			}
			when *= 1000
		}
		if !absolute {
			if when > (1<<63-1)-x.Now() {
				x.Error("ERR invalid expire time in '" + x.Cmd.Name + "' command")
				return
			}
			when += x.Now()
		}
		if x.DB.LookupWrite(key) == nil {
			x.Int(0)
			return
		}
		cur := x.DB.ExpireAt(string(key))
		if flags != 0 {
			if flags&expNX != 0 && cur != -1 || flags&expXX != 0 && cur == -1 {
				x.Int(0)
				return
			}
			if flags&expGT != 0 && (cur == -1 || when <= cur) {
				x.Int(0)
				return
			}
			if flags&expLT != 0 && cur != -1 && when >= cur {
				x.Int(0)
				return
			}
		}
		if when <= x.Now() {
			// Already expired: delete now, propagate DEL/UNLINK instead.
			x.DB.Delete(key)
			x.SignalModified(key)
			x.Notify(NotifyGeneric, "del", key)
			x.Dirty(1)
			cmd := "DEL"
			if x.E.Set.LazyfreeLazyExpire {
				cmd = "UNLINK"
			}
			x.Rewrite([]byte(cmd), key)
			x.Int(1)
			return
		}
		x.DB.SetExpire(key, when)
		x.SignalModified(key)
		x.Notify(NotifyGeneric, "expire", key)
		x.Dirty(1)
		// Propagated as PEXPIREAT with the absolute time; the options stay as given.
		// PEXPIREAT itself is propagated unchanged. Without a propagator nothing is kept.
		if (!absolute || unitMs != 1) && x.E.Propagating() {
			rw := make([][]byte, 0, len(x.Args))
			rw = append(rw, []byte("PEXPIREAT"), key, strconv.AppendInt(nil, when, 10))
			x.Rewrite(append(rw, x.Args[3:]...)...)
		}
		x.Int(1)
	}
}

// cString is b up to its first NUL, as a C "%s" prints it.
func cString(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

func ttlCmd(ms, abs bool) HandlerFunc {
	return func(x *Ctx) {
		key := x.Args[1]
		if x.DB.lookup(key, lookupNoTouch, false) == nil {
			x.Int(-2)
			return
		}
		when := x.DB.ExpireAt(string(key))
		if when == -1 {
			x.Int(-1)
			return
		}
		if abs {
			if ms {
				x.Int(when)
			} else {
				x.Int(when / 1000)
			}
			return
		}
		ttl := when - x.Now()
		if ttl < 0 {
			ttl = 0
		}
		if ms {
			x.Int(ttl)
		} else {
			x.Int((ttl + 500) / 1000)
		}
	}
}

func cmdPersist(x *Ctx) {
	key := x.Args[1]
	if x.DB.LookupWrite(key) == nil {
		x.Int(0)
		return
	}
	if !x.DB.RemoveExpire(key) {
		x.Int(0)
		return
	}
	x.SignalModified(key)
	x.Notify(NotifyGeneric, "persist", key)
	x.Dirty(1)
	x.Int(1)
}

func renameGeneric(x *Ctx, nx bool) {
	src, dst := x.Args[1], x.Args[2]
	samekey := string(src) == string(dst)
	se := x.DB.lookupEntryWrite(src)
	if se == nil {
		x.Error(ErrNoSuchKey)
		return
	}
	if samekey {
		if nx {
			x.Int(0)
		} else {
			x.OK()
		}
		return
	}
	o := se.Value
	expire := x.DB.ExpireAt(se.Key)
	if x.DB.LookupEntry(dst, true) != nil {
		if nx {
			x.Int(0)
			return
		}
		x.DB.Delete(dst)
	}
	x.DB.Delete(src)
	no := x.DB.Add(dst, o)
	no.lru = o.lru
	if expire != -1 {
		x.DB.SetExpire(dst, expire)
	}
	x.SignalModified(src)
	x.SignalModified(dst)
	x.Notify(NotifyGeneric, "rename_from", src)
	x.Notify(NotifyGeneric, "rename_to", dst)
	x.Dirty(1)
	if nx {
		x.Int(1)
	} else {
		x.OK()
	}
}

// getInt32 is getIntFromObjectOrReply: an integer (string2ll) within a C int. msg, when
// not empty, is the reply for both failures, as Redis's msg argument.
func getInt32(x *Ctx, b []byte, msg string) (int64, bool) {
	v, ok := ParseInt(b)
	if ok && (v < -1<<31 || v > 1<<31-1) {
		if msg == "" {
			msg = "ERR value is out of range, value must between -2147483648 and 2147483647"
		}
		ok = false
	}
	if !ok {
		if msg == "" {
			msg = ErrNotInteger
		}
		x.Error(msg)
	}
	return v, ok
}

// parseDBIndex reads a database number as SELECT, MOVE and COPY … DB do: an int, then a
// range check with "DB index is out of range".
func parseDBIndex(x *Ctx, b []byte) (*DB, bool) {
	v, ok := getInt32(x, b, "")
	if !ok {
		return nil, false
	}
	if v < 0 || v >= int64(x.E.NumDBs()) {
		x.Error(ErrDBIndex)
		return nil, false
	}
	return x.E.DB(int(v)), true
}

func cmdCopy(x *Ctx) {
	src, dst := x.Args[1], x.Args[2]
	dstDB := x.DB
	replace := false
	for i := 3; i < len(x.Args); i++ {
		switch {
		case EqualFold(x.Args[i], "replace"):
			replace = true
		case EqualFold(x.Args[i], "db") && i+1 < len(x.Args):
			db, ok := parseDBIndex(x, x.Args[i+1])
			if !ok {
				return
			}
			dstDB = db
			i++
		default:
			x.SyntaxError()
			return
		}
	}
	if string(src) == string(dst) && dstDB == x.DB {
		x.Error("ERR source and destination objects are the same")
		return
	}
	se := x.DB.lookupEntryRead(src)
	if se == nil {
		x.Int(0)
		return
	}
	if dstDB.lookupEntryWrite(dst) != nil {
		if !replace {
			x.Int(0)
			return
		}
		dstDB.Delete(dst)
	}
	ops := typeOps[se.Value.typ]
	var cp Object
	if ops != nil && ops.Dup != nil {
		cp = ops.Dup(&se.Value)
	} else {
		cp = se.Value
	}
	if cp.enc == EncInt {
		// dupStringObject makes a private copy even of a shared integer (refcount 1).
		cp.c = intNotShared
	}
	expire := x.DB.ExpireAt(se.Key)
	dstDB.Add(dst, cp)
	if expire != -1 {
		dstDB.SetExpire(dst, expire)
	}
	dstDB.signalModified(dst)
	x.E.notify(NotifyGeneric, "copy_to", dst, dstDB.ID)
	x.Dirty(1)
	x.Int(1)
}

func cmdMove(x *Ctx) {
	key := x.Args[1]
	dst, ok := parseDBIndex(x, x.Args[2])
	if !ok {
		return
	}
	if dst == x.DB {
		x.Error("ERR source and destination objects are the same")
		return
	}
	se := x.DB.lookupEntryWrite(key)
	if se == nil {
		x.Int(0)
		return
	}
	if dst.lookupEntryWrite(key) != nil {
		x.Int(0)
		return
	}
	o := se.Value
	expire := x.DB.ExpireAt(se.Key)
	x.DB.Delete(key)
	no := dst.Add(key, o)
	no.lru = o.lru
	if expire != -1 {
		dst.SetExpire(key, expire)
	}
	x.SignalModified(key)
	dst.signalModified(key)
	x.Notify(NotifyGeneric, "move_from", key)
	x.E.notify(NotifyGeneric, "move_to", key, dst.ID)
	x.Dirty(1)
	x.Int(1)
}

func cmdRandomKey(x *Ctx) {
	k := x.DB.RandomKey()
	if k == nil {
		x.Null()
		return
	}
	x.Bulk(k)
}

func cmdKeys(x *Ctx) {
	pat := x.Args[1]
	all := len(pat) == 1 && pat[0] == '*'
	d := x.W.WriteDeferredLen()
	n := 0
	for e := range x.DB.keys.All() {
		k := unsafeBytes(e.Key)
		if !all && !Match(pat, k, false) {
			continue
		}
		// Expired keys are skipped, not deleted (keysCommand checks keyIsExpired only).
		if x.DB.expires.Len() > 0 && x.DB.isExpired(k) {
			continue
		}
		x.Bulk(k)
		n++
	}
	x.W.SetArrayLen(d, n)
}

func cmdSelect(x *Ctx) {
	db, ok := parseDBIndex(x, x.Args[1])
	if !ok {
		return
	}
	x.C.Select(db)
	x.DB = x.C.db
	x.OK()
}

func cmdSwapDB(x *Ctx) {
	a, ok := getInt32(x, x.Args[1], "ERR invalid first DB index")
	if !ok {
		return
	}
	b, ok := getInt32(x, x.Args[2], "ERR invalid second DB index")
	if !ok {
		return
	}
	n := int64(x.E.NumDBs())
	if a < 0 || a >= n || b < 0 || b >= n {
		x.Error(ErrDBIndex)
		return
	}
	if a != b {
		da, db := x.E.DB(int(a)), x.E.DB(int(b))
		x.E.touchAllWatched(da, db)
		x.E.touchAllWatched(db, da)
		x.E.SwapDB(int(a), int(b))
	}
	x.Dirty(1) // even for a database swapped with itself, as swapdbCommand
	x.OK()
}

// flushMode parses FLUSHDB/FLUSHALL's optional ASYNC|SYNC.
func flushMode(x *Ctx) bool {
	if len(x.Args) > 2 {
		x.SyntaxError()
		return false
	}
	if len(x.Args) == 2 && !EqualFold(x.Args[1], "sync") && !EqualFold(x.Args[1], "async") {
		x.SyntaxError()
		return false
	}
	return true
}

func cmdFlushDB(x *Ctx) {
	if !flushMode(x) {
		return
	}
	x.E.touchAllWatched(x.DB, nil)
	n := x.DB.Flush()
	x.Dirty(int64(n))
	x.ForcePropagate()
	x.OK()
}

func cmdFlushAll(x *Ctx) {
	if !flushMode(x) {
		return
	}
	total := 0
	for i := 0; i < x.E.NumDBs(); i++ {
		db := x.E.DB(i)
		x.E.touchAllWatched(db, nil)
		total += db.Flush()
	}
	x.Dirty(int64(total))
	x.ForcePropagate()
	if x.E.FlushAllHook != nil {
		// The hook may save (FLUSHALL with save points): that save covers this flush, so
		// the changes count before it runs (rdb_changes_since_last_save is 0 after).
		x.E.Dirty += x.dirty
		x.dirty = 0
		x.E.FlushAllHook()
	}
	x.OK()
}

func objectEncoding(x *Ctx) {
	o := x.DB.LookupReadNoTouch(x.Args[2])
	if o == nil {
		x.Null()
		return
	}
	x.W.WriteBulkString(o.enc.String())
}

func objectRefcount(x *Ctx) {
	o := x.DB.LookupReadNoTouch(x.Args[2])
	if o == nil {
		x.Null()
		return
	}
	x.Int(x.E.Refcount(o))
}

// intNotShared marks, in the unused c field of an int-encoded object, a private copy of an
// integer Redis would otherwise share (COPY's dupStringObject).
const intNotShared = 1

// Refcount is the refcount Redis's object would have: 2147483647 (OBJ_SHARED_REFCOUNT) for
// the shared integers 0..9999, which Redis uses unless maxmemory with an LRU/LFU policy is
// set, 1 for everything else.
func (e *Engine) Refcount(o *Object) int64 {
	if o.enc == EncInt && o.c != intNotShared && o.n >= 0 && o.n < memmodel.SharedIntegers && e.sharedIntegersAllowed() {
		return 2147483647
	}
	return 1
}

func (e *Engine) sharedIntegersAllowed() bool {
	if e.Set.Maxmemory == 0 {
		return true
	}
	switch e.Set.MaxmemoryPolicy {
	case "noeviction", "volatile-ttl", "volatile-random", "allkeys-random":
		return true
	}
	return false
}

func objectIdletime(x *Ctx) {
	o := x.DB.LookupReadNoTouch(x.Args[2])
	if o == nil {
		x.Null()
		return
	}
	if x.E.Set.LFU() {
		x.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	x.Int(x.E.IdleMs(o) / 1000)
}

func objectFreq(x *Ctx) {
	o := x.DB.LookupReadNoTouch(x.Args[2])
	if o == nil {
		x.Null()
		return
	}
	if !x.E.Set.LFU() {
		x.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	x.Int(int64(x.E.LFUCounter(o)))
}

var objectHelpLines = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

func objectHelp(x *Ctx) { x.HelpReply(objectHelpLines) }

// HelpReply writes a HELP subcommand's lines as status replies (addReplyHelp).
func (x *Ctx) HelpReply(lines []string) {
	x.ArrayLen(len(lines))
	for _, l := range lines {
		x.W.WriteSimpleString(l)
	}
}

func memoryUsage(x *Ctx) {
	samples := int64(5)
	for i := 3; i < len(x.Args); i++ {
		if EqualFold(x.Args[i], "samples") && i+1 < len(x.Args) {
			v, ok := x.ParseInt(i + 1)
			if !ok {
				return
			}
			if v < 0 {
				x.SyntaxError()
				return
			}
			if v == 0 {
				v = 1<<62 - 1
			}
			samples = v
			i++
		} else {
			x.SyntaxError()
			return
		}
	}
	// dictFind: no expiry check, no stats, no access time.
	e := x.DB.keys.GetBytes(x.Args[2])
	if e == nil {
		x.Null()
		return
	}
	x.Int(int64(x.E.MemoryUsage(e.Key, &e.Value, int(samples))))
}

func cmdPublish(x *Ctx) {
	n := x.E.PubSub.Publish(x.E, x.Args[1], x.Args[2])
	x.Int(int64(n))
}
