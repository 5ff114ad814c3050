package server

import (
	"sort"
	"strconv"
	"time"

	"github.com/redisctl/redisctl/engine"
	"github.com/redisctl/redisctl/engine/cmdspec"
)

// Client types (getClientTypeByName), as Redis's CLIENT_TYPE_*.
const (
	typeNormal  = 0
	typeReplica = 1
	typePubSub  = 2
	typeMaster  = 3
)

func clientTypeByName(b []byte) int {
	switch {
	case engine.EqualFold(b, "normal"):
		return typeNormal
	case engine.EqualFold(b, "slave"), engine.EqualFold(b, "replica"):
		return typeReplica
	case engine.EqualFold(b, "pubsub"):
		return typePubSub
	case engine.EqualFold(b, "master"):
		return typeMaster
	}
	return -1
}

// clientType is getClientType: monitors count as normal clients.
func (cn *conn) clientType() int {
	if cn.cl.Flags&engine.ClientPubSub != 0 {
		return typePubSub
	}
	return typeNormal
}

// infoString is catClientInfoString: the line CLIENT LIST and CLIENT INFO print, with
// Redis 7.0's fields in its order. Lock held.
func (cn *conn) infoString(dst []byte) []byte {
	c := cn.cl
	now := time.Now()
	b := dst
	b = append(b, "id="...)
	b = strconv.AppendInt(b, cn.id, 10)
	b = append(b, " addr="...)
	b = append(b, cn.addr...)
	b = append(b, " laddr="...)
	b = append(b, cn.laddr...)
	b = append(b, " fd="...)
	b = strconv.AppendInt(b, int64(cn.fd), 10)
	b = append(b, " name="...)
	b = append(b, c.Name...)
	b = append(b, " age="...)
	b = strconv.AppendInt(b, int64(now.Sub(cn.created)/time.Second), 10)
	b = append(b, " idle="...)
	b = strconv.AppendInt(b, (now.UnixMilli()-cn.lastIO.Load())/1000, 10)
	b = append(b, " flags="...)
	n := len(b)
	if cn.monitor {
		b = append(b, 'O')
	}
	if c.Flags&engine.ClientPubSub != 0 {
		b = append(b, 'P')
	}
	if c.Flags&engine.ClientMulti != 0 || c.InExec() {
		b = append(b, 'x') // Redis keeps CLIENT_MULTI while EXEC runs the commands
	}
	if cn.blocked != nil && !cn.blocked.released {
		b = append(b, 'b')
	}
	b = cn.srv.trackingInfoFlags(c, b)
	if c.Flags&engine.ClientDirtyCAS != 0 {
		b = append(b, 'd')
	}
	if c.Flags&engine.ClientCloseAfterReply != 0 {
		b = append(b, 'c')
	}
	if cn.closeASAP {
		b = append(b, 'A')
	}
	if cn.unix {
		b = append(b, 'U')
	}
	if c.Flags&engine.ClientNoEvict != 0 {
		b = append(b, 'e')
	}
	if len(b) == n {
		b = append(b, 'N')
	}
	b = append(b, " db="...)
	b = strconv.AppendInt(b, int64(c.DB().ID), 10)
	b = append(b, " sub="...)
	b = strconv.AppendInt(b, int64(c.NumChannels()), 10)
	b = append(b, " psub="...)
	b = strconv.AppendInt(b, int64(c.NumPatterns()), 10)
	b = append(b, " ssub=0 multi="...)
	if c.InExec() {
		b = strconv.AppendInt(b, int64(c.ExecLen()), 10)
	} else {
		b = strconv.AppendInt(b, int64(c.MultiLen()), 10)
	}
	qbuf, qcap := int64(cn.qbuf), int64(cn.qbufCap)
	if cn.curArgs != nil {
		// The client is running this command: its reader is idle and safe to look at.
		qbuf, qcap = int64(cn.rd.Buffered()), int64(cn.rd.BufferCap())
	}
	b = append(b, " qbuf="...)
	b = strconv.AppendInt(b, qbuf, 10)
	b = append(b, " qbuf-free="...)
	b = strconv.AppendInt(b, qcap-qbuf, 10)
	var argvMem int64
	for _, a := range cn.curArgs {
		argvMem += int64(len(a))
	}
	b = append(b, " argv-mem="...)
	b = strconv.AppendInt(b, argvMem, 10)
	b = append(b, " multi-mem=0 rbs=16384 rbp=16384"...)
	out := int64(c.W.Buffered())
	obl, omem, oll := out, int64(0), int64(0)
	if obl > 16384 {
		obl, omem = 16384, out-16384
		oll = (omem + 16383) / 16384
	}
	b = append(b, " obl="...)
	b = strconv.AppendInt(b, obl, 10)
	b = append(b, " oll="...)
	b = strconv.AppendInt(b, oll, 10)
	b = append(b, " omem="...)
	b = strconv.AppendInt(b, omem, 10)
	b = append(b, " tot-mem="...)
	b = strconv.AppendInt(b, cn.totalMemory(), 10)
	b = append(b, " events=r cmd="...)
	if cn.curArgs != nil {
		// Redis sets lastcmd before running the command.
		if cmd := cn.srv.eng.Table().Lookup(cn.curArgs[0]); cmd != nil {
			if cmd.Subcommands != nil && len(cn.curArgs) > 1 {
				if sc := cmd.LookupSub(cn.curArgs[1]); sc != nil {
					cmd = sc
				}
			}
			b = append(b, cmd.Name...)
		} else {
			b = append(b, "NULL"...)
		}
	} else if c.LastCmd == "" {
		b = append(b, "NULL"...)
	} else {
		b = append(b, c.LastCmd...)
	}
	b = append(b, " user="...)
	b = append(b, c.User...)
	b = append(b, " redir="...)
	b = strconv.AppendInt(b, cn.srv.trackingRedir(c), 10)
	b = append(b, " resp="...)
	b = strconv.AppendInt(b, int64(c.Proto()), 10)
	return b
}

// totalMemory estimates the client's memory as Redis counts it (getClientMemoryUsage):
// the query buffer, the reply buffers and the client structure.
func (cn *conn) totalMemory() int64 {
	const clientStruct = 4096 + 16384 // the client struct plus the static reply buffer
	return clientStruct + int64(cn.qbufCap) + int64(cn.cl.W.Buffered())
}

// connsByID returns the clients sorted by id (Redis lists them in connection order).
func (s *Server) connsByID() []*conn {
	out := append([]*conn(nil), s.conns...)
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (s *Server) connByID(id int64) *conn {
	for _, cn := range s.conns {
		if cn.id == id {
			return cn
		}
	}
	return nil
}

func clientID(x *engine.Ctx) { x.Int(x.C.ID) }

func clientSetname(x *engine.Ctx) {
	if !validClientName(x.Args[2]) {
		x.Error(errClientName)
		return
	}
	setClientName(x.C, x.Args[2])
	x.OK()
}

func clientGetname(x *engine.Ctx) {
	if len(x.C.Name) == 0 {
		x.Null()
		return
	}
	x.Bulk(x.C.Name)
}

func clientInfo(x *engine.Ctx) {
	cn := connOf(x)
	if cn == nil {
		x.W.WriteVerbatim("txt", nil)
		return
	}
	b := cn.infoString(nil)
	b = append(b, '\n')
	x.W.WriteVerbatim("txt", b)
}

func clientList(x *engine.Ctx) {
	s := serverOf(x)
	typ := -1
	var b []byte
	switch {
	case len(x.Args) == 4 && engine.EqualFold(x.Args[2], "type"):
		typ = clientTypeByName(x.Args[3])
		if typ == -1 {
			x.Error("ERR Unknown client type '" + string(x.Args[3]) + "'")
			return
		}
	case len(x.Args) > 3 && engine.EqualFold(x.Args[2], "id"):
		b = []byte{}
		for _, a := range x.Args[3:] {
			id, ok := engine.ParseInt(a)
			if !ok {
				x.Error("ERR Invalid client ID")
				return
			}
			if cn := s.connByID(id); cn != nil {
				b = cn.infoString(b)
				b = append(b, '\n')
			}
		}
	case len(x.Args) != 2:
		x.SyntaxError()
		return
	}
	if b == nil {
		b = []byte{}
		for _, cn := range s.connsByID() {
			if typ != -1 && cn.clientType() != typ {
				continue
			}
			b = cn.infoString(b)
			b = append(b, '\n')
		}
	}
	x.W.WriteVerbatim("txt", b)
}

func clientKill(x *engine.Ctx) {
	s := serverOf(x)
	self := connOf(x)
	var addr, laddr []byte
	typ := -1
	var id int64
	skipme := true
	switch {
	case len(x.Args) == 3:
		addr = x.Args[2]
		skipme = false // the old form can kill the caller itself
	case len(x.Args) > 3:
		for i := 2; i < len(x.Args); i += 2 {
			more := i+1 < len(x.Args)
			opt := x.Args[i]
			switch {
			case engine.EqualFold(opt, "id") && more:
				v, ok := engine.ParseInt(x.Args[i+1])
				if !ok || v < 1 {
					x.Error("ERR client-id should be greater than 0")
					return
				}
				id = v
			case engine.EqualFold(opt, "type") && more:
				typ = clientTypeByName(x.Args[i+1])
				if typ == -1 {
					x.Error("ERR Unknown client type '" + string(x.Args[i+1]) + "'")
					return
				}
			case engine.EqualFold(opt, "addr") && more:
				addr = x.Args[i+1]
			case engine.EqualFold(opt, "laddr") && more:
				laddr = x.Args[i+1]
			case engine.EqualFold(opt, "user") && more:
				if string(x.Args[i+1]) != "default" {
					x.Error("ERR No such user '" + string(x.Args[i+1]) + "'")
					return
				}
			case engine.EqualFold(opt, "skipme") && more:
				switch {
				case engine.EqualFold(x.Args[i+1], "yes"):
					skipme = true
				case engine.EqualFold(x.Args[i+1], "no"):
					skipme = false
				default:
					x.SyntaxError()
					return
				}
			default:
				x.SyntaxError()
				return
			}
		}
	default:
		x.SyntaxError()
		return
	}
	killed := 0
	closeSelf := false
	for _, cn := range s.connsByID() {
		if cn.closeASAP {
			continue
		}
		if addr != nil && cn.addr != string(addr) {
			continue
		}
		if laddr != nil && cn.laddr != string(laddr) {
			continue
		}
		if typ != -1 && cn.clientType() != typ {
			continue
		}
		if id != 0 && cn.id != id {
			continue
		}
		if cn == self && skipme {
			continue
		}
		if cn == self {
			closeSelf = true
		} else {
			// Redis frees another client at once (freeClient): it is gone from CLIENT
			// LIST and INFO clients right away; its goroutine only closes the socket.
			cn.closeASAPLocked()
			cn.freeLocked()
		}
		killed++
	}
	if len(x.Args) == 3 {
		if killed == 0 {
			x.Error("ERR No such client")
		} else {
			x.OK()
		}
	} else {
		x.Int(int64(killed))
	}
	if closeSelf {
		x.C.Flags |= engine.ClientCloseAfterReply
	}
}

func clientReply(x *engine.Ctx) {
	c := x.C
	switch {
	case engine.EqualFold(x.Args[2], "on"):
		c.Flags &^= engine.ClientReplySkip | engine.ClientReplySkipNext | engine.ClientReplyOff
		w := x.W
		if cn := connOf(x); cn != nil && cn.replyToRaw != nil {
			w = cn.replyToRaw
		}
		w.WriteOK()
	case engine.EqualFold(x.Args[2], "off"):
		c.Flags |= engine.ClientReplyOff
	case engine.EqualFold(x.Args[2], "skip"):
		if c.Flags&engine.ClientReplyOff == 0 {
			c.Flags |= engine.ClientReplySkipNext
		}
	default:
		x.SyntaxError()
	}
}

func clientNoEvict(x *engine.Ctx) {
	switch {
	case engine.EqualFold(x.Args[2], "on"):
		x.C.Flags |= engine.ClientNoEvict
		x.OK()
	case engine.EqualFold(x.Args[2], "off"):
		x.C.Flags &^= engine.ClientNoEvict
		x.OK()
	default:
		x.SyntaxError()
	}
}

func clientUnblock(x *engine.Ctx) {
	s := serverOf(x)
	if len(x.Args) > 4 {
		subcommandSyntaxError(x)
		return
	}
	// The reason is checked before the id, as clientCommand.
	asError := false
	if len(x.Args) == 4 {
		switch {
		case engine.EqualFold(x.Args[3], "timeout"):
		case engine.EqualFold(x.Args[3], "error"):
			asError = true
		default:
			x.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	id, ok := engine.ParseInt(x.Args[2])
	if !ok {
		x.Error(engine.ErrNotInteger)
		return
	}
	cn := s.connByID(id)
	if cn != nil && cn.cl.IsBlocked() {
		// Blocked on keys: reply and leave the queues now, under the lock.
		x.UnblockClient(cn.cl, asError)
		x.Int(1)
		return
	}
	if cn == nil || cn.blocked == nil || cn.blocked.resume != nil || cn.blocked.released {
		x.Int(0)
		return
	}
	if asError {
		cn.blocked.onWake = func(cn *conn) {
			cn.cl.W.WriteError("UNBLOCKED client unblocked via CLIENT UNBLOCK")
		}
	}
	cn.blocked.release()
	x.Int(1)
}

// pauseState is CLIENT PAUSE's state (under the engine lock).
type pauseState struct {
	active bool
	all    bool // ALL; otherwise WRITE
	end    time.Time
}

func clientPause(x *engine.Ctx) {
	s := serverOf(x)
	all := true
	if len(x.Args) == 4 {
		switch {
		case engine.EqualFold(x.Args[3], "write"):
			all = false
		case engine.EqualFold(x.Args[3], "all"):
		default:
			x.Error("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	ms, ok := parseTimeoutMs(x, x.Args[2])
	if !ok {
		return
	}
	end := time.Now().Add(time.Duration(ms) * time.Millisecond)
	p := &s.pause
	if p.active {
		p.all = p.all || all
		if end.After(p.end) {
			p.end = end
		}
	} else {
		*p = pauseState{active: true, all: all, end: end}
	}
	x.OK()
}

func clientUnpause(x *engine.Ctx) {
	serverOf(x).unpauseLocked()
	x.OK()
}

// unpauseLocked ends a pause and lets the postponed clients run. Lock held.
func (s *Server) unpauseLocked() {
	if !s.pause.active {
		return
	}
	s.pause = pauseState{}
	for _, cn := range s.conns {
		if b := cn.blocked; b != nil && b.resume != nil {
			b.release()
		}
	}
}

// pausedWrites reports whether writes (and so expiry and eviction) are paused. Lock held.
func (s *Server) pausedWrites() bool {
	if s.pause.active && !time.Now().Before(s.pause.end) {
		s.unpauseLocked()
	}
	return s.pause.active
}

// mustPause reports whether the command must wait for the pause to end (processCommand:
// everything under ALL; under WRITE, commands that write or may replicate). Monitors are
// never paused. Lock held.
func (cn *conn) mustPause(args [][]byte) bool {
	s := cn.srv
	if !s.pausedWrites() || cn.monitor {
		return false
	}
	if s.pause.all {
		return true
	}
	spec := cmdspec.Full().LookupArgv(args)
	if spec == nil {
		return false
	}
	if spec.Name == "exec" {
		return true // the queued commands' flags are the engine's; treat EXEC as a write
	}
	return spec.Flags&(cmdspec.FlagWrite|cmdspec.FlagMayReplicate) != 0
}

// blockForPause postpones the command until the pause ends. Lock held.
func (cn *conn) blockForPause(args [][]byte) {
	b := cn.block(cn.srv.pause.end, nil)
	b.resume = args
}
