package server

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/cmdspec"
	"github.com/redisctl/redisctl/engine/rdbobj"
	"github.com/redisctl/redisctl/engine/tlist"
	"github.com/redisctl/redisctl/resp"
)

// Commands returns the server commands of this package, with Redis 7.0's arity and flags.
func Commands() []*engine.Command {
	cmds := []*engine.Command{
		fromSpec("ping", cmdPing),
		fromSpec("echo", func(x *engine.Ctx) { x.Bulk(x.Args[1]) }),
		fromSpec("quit", cmdQuit),
		fromSpec("reset", cmdReset),
		fromSpec("hello", cmdHello),
		fromSpec("auth", cmdAuth),
		fromSpec("time", cmdTime),
		fromSpec("role", cmdRole),
		fromSpec("readonly", cmdClusterDisabled),
		fromSpec("readwrite", cmdClusterDisabled),
		fromSpec("wait", cmdWait),
		fromSpec("lastsave", func(x *engine.Ctx) { x.Int(serverOf(x).persist.LastSave()) }),
		fromSpec("monitor", cmdMonitor),
		fromSpec("shutdown", cmdShutdown),
		fromSpec("debug", cmdDebug),
		fromSpec("info", cmdInfo),
		fromSpec("subscribe", cmdSubscribe),
		fromSpec("unsubscribe", cmdUnsubscribe),
		fromSpec("psubscribe", cmdPSubscribe),
		fromSpec("punsubscribe", cmdPUnsubscribe),
		container("pubsub", nil, map[string]engine.HandlerFunc{
			"channels": pubsubChannels, "numsub": pubsubNumsub, "numpat": pubsubNumpat,
			"help": helpOf("pubsub"),
		}),
		container("config", nil, map[string]engine.HandlerFunc{
			"get": configGet, "set": configSet, "resetstat": configResetstat,
			"rewrite": configRewrite, "help": helpOf("config"),
		}),
		container("command", cmdCommand, map[string]engine.HandlerFunc{
			"count": cmdCommand, "info": cmdCommand, "docs": cmdCommand, "list": cmdCommand,
			"getkeys": cmdCommand, "getkeysandflags": cmdCommand, "help": cmdCommand,
		}),
		container("client", nil, map[string]engine.HandlerFunc{
			"id": clientID, "setname": clientSetname, "getname": clientGetname,
			"list": clientList, "info": clientInfo, "kill": clientKill, "pause": clientPause,
			"unpause": clientUnpause, "reply": clientReply, "no-evict": clientNoEvict,
			"getredir": clientGetredir, "unblock": clientUnblock, "tracking": clientTracking,
			"caching": clientCaching, "trackinginfo": clientTrackinginfo,
			"help": helpOf("client"),
		}),
		container("slowlog", nil, map[string]engine.HandlerFunc{
			"get": slowlogGet, "len": slowlogLen, "reset": slowlogReset, "help": helpOf("slowlog"),
		}),
		container("latency", nil, map[string]engine.HandlerFunc{
			"latest": latencyLatest, "history": latencyHistory, "reset": latencyReset,
			"histogram": latencyHistogram, "help": helpOf("latency"),
		}),
	}
	for _, c := range cmds {
		switch c.Name {
		case "reset", "quit":
			// Run at once inside MULTI, never queued (processCommand's exceptions).
			c.Flags |= engine.FlagMultiControl
		}
	}
	return cmds
}

// connOf returns the connection of a client, or nil for clients without one.
func connOf(x *engine.Ctx) *conn {
	cn, _ := x.C.Conn.(*conn)
	return cn
}

// helpOf replies "<CONTAINER> HELP" with Redis's captured text.
func helpOf(name string) engine.HandlerFunc {
	return func(x *engine.Ctx) {
		spec := cmdspec.Full().Lookup([]byte(name))
		if spec != nil {
			if out, ok := cmdspec.AppendHelp(nil, spec, cmdspec.Proto(x.W.Protocol())); ok {
				x.W.WriteRaw(out)
				return
			}
		}
		x.Error("ERR unknown subcommand 'help'. Try " + strings.ToUpper(name) + " HELP.")
	}
}

func cmdPing(x *engine.Ctx) {
	if len(x.Args) > 2 {
		x.Error("ERR wrong number of arguments for 'ping' command")
		return
	}
	if x.C.Flags&engine.ClientPubSub != 0 && x.C.Proto() == 2 {
		x.ArrayLen(2)
		x.W.WriteBulkString("pong")
		if len(x.Args) == 1 {
			x.W.WriteBulkString("")
		} else {
			x.Bulk(x.Args[1])
		}
		return
	}
	if len(x.Args) == 1 {
		x.W.WriteSimpleString("PONG")
		return
	}
	x.Bulk(x.Args[1])
}

func cmdQuit(x *engine.Ctx) {
	x.OK()
	x.C.Flags |= engine.ClientCloseAfterReply
}

func cmdClusterDisabled(x *engine.Ctx) { x.Error("ERR This instance has cluster support disabled") }

func cmdTime(x *engine.Ctx) {
	now := time.Now()
	x.ArrayLen(2)
	x.W.WriteBulkInt(now.Unix())
	x.W.WriteBulkInt(int64(now.Nanosecond() / 1000))
}

func cmdRole(x *engine.Ctx) {
	x.ArrayLen(3)
	x.W.WriteBulkString("master")
	x.Int(0)
	x.ArrayLen(0)
}

// authenticate checks a username and password against the default user (Redis 7.0
// without ACL users: "default" with requirepass, or nopass).
func authenticate(s *Server, user, pass []byte) bool {
	if string(user) != "default" {
		return false
	}
	want, ok := s.cfg.Requirepass()
	if !ok {
		return true // nopass accepts any password
	}
	return string(pass) == want
}

func cmdAuth(x *engine.Ctx) {
	s := serverOf(x)
	if len(x.Args) > 3 {
		x.SyntaxError()
		return
	}
	var user, pass []byte
	if len(x.Args) == 2 {
		if _, ok := s.cfg.Requirepass(); !ok {
			x.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
			return
		}
		user, pass = []byte("default"), x.Args[1]
	} else {
		user, pass = x.Args[1], x.Args[2]
	}
	if !authenticate(s, user, pass) {
		x.Error("WRONGPASS invalid username-password pair or user is disabled.")
		return
	}
	x.C.Authenticated = true
	x.C.User = "default"
	x.OK()
}

func cmdHello(x *engine.Ctx) {
	s := serverOf(x)
	ver := int64(0)
	if len(x.Args) >= 2 {
		v, ok := engine.ParseInt(x.Args[1])
		if !ok {
			x.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			x.Error("NOPROTO unsupported protocol version")
			return
		}
		ver = v
	}
	// The options run in order, as helloCommand: AUTH authenticates when it is met and
	// SETNAME renames when it is met, even when a later option then fails.
	for j := 2; j < len(x.Args); j++ {
		more := len(x.Args) - 1 - j
		opt := x.Args[j]
		switch {
		case engine.EqualFold(opt, "auth") && more >= 2:
			if !authenticate(s, x.Args[j+1], x.Args[j+2]) {
				x.Error("WRONGPASS invalid username-password pair or user is disabled.")
				return
			}
			x.C.Authenticated = true
			x.C.User = "default"
			j += 2
		case engine.EqualFold(opt, "setname") && more >= 1:
			name := x.Args[j+1]
			if !validClientName(name) {
				x.Error(errClientName)
				return
			}
			setClientName(x.C, name)
			j++
		default:
			x.Error("ERR Syntax error in HELLO option '" + string(cString(opt)) + "'")
			return
		}
	}
	if !x.C.Authenticated {
		x.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if ver != 0 {
		x.W.SetProtocol(int(ver))
	}
	w := x.W
	w.WriteMapLen(7)
	w.WriteBulkString("server")
	w.WriteBulkString("redis")
	w.WriteBulkString("version")
	w.WriteBulkString(Version)
	w.WriteBulkString("proto")
	w.WriteInt(int64(w.Protocol()))
	w.WriteBulkString("id")
	w.WriteInt(x.C.ID)
	w.WriteBulkString("mode")
	w.WriteBulkString("standalone")
	w.WriteBulkString("role")
	w.WriteBulkString("master")
	w.WriteBulkString("modules")
	w.WriteArrayLen(0)
}

// cmdReset is RESET (clearClientConnectionState): the connection returns to the state of a
// new one, except for its id and address.
func cmdReset(x *engine.Ctx) {
	s := serverOf(x)
	c := x.C
	cn := connOf(x)
	if cn != nil && cn.monitor {
		s.removeMonitorLocked(cn)
	}
	c.Select(x.E.DB(0))
	x.W.SetProtocol(2)
	_, needAuth := s.cfg.Requirepass()
	c.Authenticated = !needAuth
	c.User = "default"
	// DISCARD and UNWATCH through the engine's own handlers, their replies dropped.
	var scratch resp.Writer
	scratch.Reset(nil)
	sub := &engine.Ctx{E: x.E, C: c, DB: c.DB(), W: &scratch}
	if c.InMulti() {
		if d := x.E.Table().Lookup([]byte("discard")); d != nil {
			sub.Cmd, sub.Args = d, [][]byte{[]byte("discard")}
			d.Fn(sub)
		}
	}
	if u := x.E.Table().Lookup([]byte("unwatch")); u != nil {
		sub.Cmd, sub.Args = u, [][]byte{[]byte("unwatch")}
		u.Fn(sub)
	}
	for _, ch := range c.ClientChannels() {
		x.E.PubSub.Unsubscribe(c, []byte(ch))
	}
	for _, p := range c.ClientPatterns() {
		x.E.PubSub.PUnsubscribe(c, []byte(p))
	}
	c.Name = nil
	s.trackingReset(c)
	c.Flags &^= engine.ClientPubSub | engine.ClientNoEvict | engine.ClientReplyOff | engine.ClientReplySkipNext
	x.W.WriteSimpleString("RESET")
}

// cmdWait is WAIT numreplicas timeout on a master without replicas: 0 at once when no
// replica is asked for (or inside MULTI), else after the timeout (forever with 0).
func cmdWait(x *engine.Ctx) {
	timeout, ok := parseTimeoutMs(x, x.Args[2])
	if !ok {
		return
	}
	n, ok := engine.ParseInt(x.Args[1])
	if !ok {
		x.Error(engine.ErrNotInteger)
		return
	}
	cn := connOf(x)
	if n <= 0 || x.C.InMulti() || cn == nil {
		x.Int(0)
		return
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	cn.block(deadline, func(cn *conn) { cn.cl.W.WriteInt(0) })
}

// parseTimeoutMs is getTimeoutFromObjectOrReply with UNIT_MILLISECONDS: an integer
// number of milliseconds, not negative.
func parseTimeoutMs(x *engine.Ctx, b []byte) (int64, bool) {
	v, ok := engine.ParseInt(b)
	if !ok {
		x.Error("ERR timeout is not an integer or out of range")
		return 0, false
	}
	if v < 0 {
		x.Error("ERR timeout is negative")
		return 0, false
	}
	return v, true
}

func cmdMonitor(x *engine.Ctx) {
	cn := connOf(x)
	if x.C.InMulti() {
		x.Error("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return
	}
	if cn == nil || cn.monitor {
		return
	}
	s := serverOf(x)
	cn.monitor = true
	s.monitors = append(s.monitors, cn)
	x.OK()
}

func (s *Server) removeMonitorLocked(cn *conn) {
	cn.monitor = false
	for i, o := range s.monitors {
		if o == cn {
			s.monitors = append(s.monitors[:i], s.monitors[i+1:]...)
			return
		}
	}
}

func cmdShutdown(x *engine.Ctx) {
	s := serverOf(x)
	mode := ShutdownDefault
	var save, nosave, now, force, abort bool
	for _, a := range x.Args[1:] {
		switch {
		case engine.EqualFold(a, "nosave"):
			nosave = true
		case engine.EqualFold(a, "save"):
			save = true
		case engine.EqualFold(a, "now"):
			now = true
		case engine.EqualFold(a, "force"):
			force = true
		case engine.EqualFold(a, "abort"):
			abort = true
		default:
			x.SyntaxError()
			return
		}
	}
	if (abort && (save || nosave || now || force)) || (save && nosave) {
		x.SyntaxError()
		return
	}
	if abort {
		x.Error("ERR No shutdown in progress.")
		return
	}
	switch {
	case save:
		mode = ShutdownSave
	case nosave:
		mode = ShutdownNoSave
	}
	if err := s.prepareForShutdownLocked(mode, force); err != nil {
		x.Error("ERR Errors trying to SHUTDOWN. Check logs.")
		return
	}
	// The server is exiting: this client's connection closes without a reply.
	if cn := connOf(x); cn != nil {
		cn.closeASAPLocked()
	}
}

// cmdDebug implements the DEBUG subcommands that make sense here.
func cmdDebug(x *engine.Ctx) {
	s := serverOf(x)
	sub := x.Args[1]
	n := len(x.Args)
	switch {
	case engine.EqualFold(sub, "help") && n == 2:
		x.HelpReply(debugHelpLines)
	case engine.EqualFold(sub, "sleep") && n == 3:
		d, _ := strconv.ParseFloat(string(x.Args[2]), 64)
		if d > 0 && !math.IsInf(d, 0) {
			time.Sleep(time.Duration(d * float64(time.Second)))
		}
		x.OK()
	case engine.EqualFold(sub, "set-active-expire") && n == 3:
		v, _ := strconv.Atoi(string(x.Args[2]))
		x.E.Set.ActiveExpireEnabled = v != 0
		x.OK()
	case engine.EqualFold(sub, "quicklist-packed-threshold") && n == 3:
		// quicklistisSetPackedThreshold: 0 restores the 1 GB default, above 4 GB - 1 MB
		// is refused; the threshold is process-wide, as in Redis.
		v, ok := parseMemory(x.Args[2])
		if !ok || !tlist.SetPackedThreshold(uint64(v)) {
			x.Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
			return
		}
		x.OK()
	case engine.EqualFold(sub, "change-repl-id") && n == 2:
		s.log.Logf(LevelWarning, "Changing replication IDs after receiving DEBUG change-repl-id")
		s.replID2 = s.replID
		s.replID = randomHex(40)
		x.OK()
	case engine.EqualFold(sub, "log") && n == 3:
		s.log.Logf(LevelWarning, "DEBUG LOG: %s", x.Args[2])
		x.OK()
	case engine.EqualFold(sub, "error") && n == 3:
		// addReplySds of "-<argument>" with CR/LF as spaces: an error on the wire, but
		// not an error reply for the statistics (no errorstat, no failed call).
		b := make([]byte, 0, len(x.Args[2])+3)
		b = append(b, '-')
		for _, c := range x.Args[2] {
			if c == '\r' || c == '\n' {
				c = ' '
			}
			b = append(b, c)
		}
		x.W.WriteRaw(append(b, '\r', '\n'))
	case engine.EqualFold(sub, "object") && n == 3:
		debugObject(x)
	case engine.EqualFold(sub, "digest") && n == 2:
		debugDigest(x)
	case engine.EqualFold(sub, "digest-value") && n >= 2:
		debugDigestValue(x)
	case engine.EqualFold(sub, "listpack") && n == 3:
		debugEncodingRepr(x, engine.EncListpack, "listpack")
	case engine.EqualFold(sub, "quicklist") && (n == 3 || n == 4):
		debugEncodingRepr(x, engine.EncQuicklist, "quicklist")
	case engine.EqualFold(sub, "protocol") && n == 3:
		debugProtocol(x)
	case engine.EqualFold(sub, "set-skip-checksum-validation") && n == 3:
		x.OK()
	case engine.EqualFold(sub, "pause-cron") && n == 3:
		v, _ := strconv.Atoi(string(x.Args[2]))
		s.cronPaused = v != 0
		x.OK()
	case engine.EqualFold(sub, "reload"):
		r, ok := s.persist.(Reloader)
		if !ok {
			x.Error("ERR Error trying to load the RDB dump")
			return
		}
		if msg := r.DebugReload(x.E, x.Args[2:]); msg != "" {
			x.Error(msg)
			return
		}
		x.OK()
	case engine.EqualFold(sub, "config-rewrite-force-all") && n == 2:
		configRewriteWith(x, true)
	default:
		x.Error("ERR unknown subcommand or wrong number of arguments for '" + string(sub) + "'. Try DEBUG HELP.")
	}
}

// parseMemory is memtoull: a number with an optional b, k, kb, m, mb, g, gb unit.
func parseMemory(b []byte) (int64, bool) {
	s := strings.ToLower(string(b))
	mul := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1}} {
		if strings.HasSuffix(s, u.suf) {
			s, mul = s[:len(s)-len(u.suf)], u.m
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	return v * mul, true
}

func debugObject(x *engine.Ctx) {
	// dictFind, as debug.c: a logically expired key is still shown (and not deleted).
	e := x.DB.Keys().GetBytes(x.Args[2])
	if e == nil {
		x.Error(engine.ErrNoSuchKey)
		return
	}
	o := &e.Value
	var b []byte
	b = append(b, "Value at:0x"...)
	b = strconv.AppendUint(b, uint64(0x7f0000000000)+engine.RandUint64()&0xffffffff, 16)
	b = append(b, " refcount:"...)
	b = strconv.AppendInt(b, x.E.Refcount(o), 10)
	b = append(b, " encoding:"...)
	b = append(b, o.Encoding().String()...)
	b = append(b, " serializedlength:"...)
	b = strconv.AppendInt(b, int64(serializedLength(serverOf(x), o)), 10)
	b = append(b, " lru:"...)
	b = strconv.AppendUint(b, uint64(o.LRU()), 10)
	b = append(b, " lru_seconds_idle:"...)
	b = strconv.AppendInt(b, x.E.IdleMs(o)/1000, 10)
	if o.Type() == engine.TypeList && o.Encoding() == engine.EncQuicklist {
		b = appendQuicklistInfo(b, tlist.FromObject(o))
	}
	x.W.WriteSimpleString(string(b))
}

// appendQuicklistInfo appends DEBUG OBJECT's quicklist fields: the node count, the
// average entries per node ("%.2f"), the fill, whether compression is on and the sum of
// the nodes' uncompressed sizes.
func appendQuicklistInfo(b []byte, ql *tlist.Quicklist) []byte {
	b = append(b, " ql_nodes:"...)
	b = strconv.AppendInt(b, int64(ql.NodeCount()), 10)
	b = append(b, " ql_avg_node:"...)
	b = strconv.AppendFloat(b, float64(ql.Len())/float64(ql.NodeCount()), 'f', 2, 64)
	b = append(b, " ql_listpack_max:"...)
	b = strconv.AppendInt(b, int64(ql.Fill()), 10)
	b = append(b, " ql_compressed:"...)
	if ql.CompressDepth() != 0 {
		b = append(b, '1')
	} else {
		b = append(b, '0')
	}
	var sz uint64
	ql.Nodes(func(n tlist.NodeView) bool {
		sz += uint64(n.RawLen)
		return true
	})
	b = append(b, " ql_uncompressed_size:"...)
	return strconv.AppendUint(b, sz, 10)
}

// serializedLength is rdbSavedObjectLen: the length of the value as rdbSaveObject writes
// it (without the type byte), strings LZF-compressed under rdbcompression.
func serializedLength(s *Server, o *engine.Object) int {
	sv := rdbobj.NewSaver(s.cfg.RdbCompression())
	_, out, err := sv.AppendValue(nil, o)
	if err != nil {
		return 0
	}
	return len(out)
}

func debugProtocol(x *engine.Ctx) {
	w := x.W
	t := x.Args[2]
	switch {
	case engine.EqualFold(t, "string"):
		w.WriteBulkString("Hello World")
	case engine.EqualFold(t, "integer"):
		w.WriteInt(12345)
	case engine.EqualFold(t, "double"):
		w.WriteDouble(3.141)
	case engine.EqualFold(t, "bignum"):
		w.WriteBigNumber("1234567999999999999999999999999999999")
	case engine.EqualFold(t, "null"):
		w.WriteNull()
	case engine.EqualFold(t, "array"):
		w.WriteArrayLen(3)
		for j := int64(0); j < 3; j++ {
			w.WriteInt(j)
		}
	case engine.EqualFold(t, "set"):
		w.WriteSetLen(3)
		for j := int64(0); j < 3; j++ {
			w.WriteInt(j)
		}
	case engine.EqualFold(t, "map"):
		w.WriteMapLen(3)
		for j := int64(0); j < 3; j++ {
			w.WriteInt(j)
			w.WriteBool(j == 1)
		}
	case engine.EqualFold(t, "attrib"):
		if w.Protocol() == 3 {
			w.WriteRaw([]byte("|1\r\n"))
			w.WriteBulkString("key-popularity")
			w.WriteArrayLen(2)
			w.WriteBulkString("key:123")
			w.WriteInt(90)
		}
		w.WriteBulkString("Some real reply following the attribute")
	case engine.EqualFold(t, "push"):
		if w.Protocol() < 3 {
			x.Error("ERR RESP2 is not supported by this command")
			return
		}
		w.WritePushLen(2)
		w.WriteBulkString("server-cpu-usage")
		w.WriteInt(42)
		w.WriteBulkString("Some real reply following the push reply")
	case engine.EqualFold(t, "true"):
		w.WriteBool(true)
	case engine.EqualFold(t, "false"):
		w.WriteBool(false)
	case engine.EqualFold(t, "verbatim"):
		w.WriteVerbatim("txt", []byte("This is a verbatim\nstring"))
	default:
		x.Error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

// errClientName is Redis's reply to an invalid client name.
const errClientName = "ERR Client names cannot contain spaces, newlines or special characters."

// validClientName: every byte between '!' and '~' (clientSetName).
func validClientName(b []byte) bool {
	for _, c := range b {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}

// cString is what C's %s prints of b: the bytes before the first NUL.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func setClientName(c *engine.Client, name []byte) {
	if len(name) == 0 {
		c.Name = nil
		return
	}
	c.Name = bytes.Clone(name)
}
