package engine

import "strconv"

// Keyspace notification classes (notify-keyspace-events), as Redis's NOTIFY_* bits.
const (
	NotifyKeyspace = 1 << 0  // K
	NotifyKeyevent = 1 << 1  // E
	NotifyGeneric  = 1 << 2  // g
	NotifyString   = 1 << 3  // $
	NotifyList     = 1 << 4  // l
	NotifySet      = 1 << 5  // s
	NotifyHash     = 1 << 6  // h
	NotifyZSet     = 1 << 7  // z
	NotifyExpired  = 1 << 8  // x
	NotifyEvicted  = 1 << 9  // e
	NotifyStream   = 1 << 10 // t
	NotifyKeyMiss  = 1 << 11 // m (not part of A)
	NotifyLoaded   = 1 << 12 // module only
	NotifyModule   = 1 << 13 // d
	NotifyNew      = 1 << 14 // n (not part of A)
	NotifyAll      = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash |
		NotifyZSet | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// ParseNotifyFlags converts a notify-keyspace-events string to classes (keyspaceEventsStringToFlags).
func ParseNotifyFlags(s string) (int, bool) {
	flags := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= NotifyAll
		case 'g':
			flags |= NotifyGeneric
		case '$':
			flags |= NotifyString
		case 'l':
			flags |= NotifyList
		case 's':
			flags |= NotifySet
		case 'h':
			flags |= NotifyHash
		case 'z':
			flags |= NotifyZSet
		case 'x':
			flags |= NotifyExpired
		case 'e':
			flags |= NotifyEvicted
		case 'K':
			flags |= NotifyKeyspace
		case 'E':
			flags |= NotifyKeyevent
		case 't':
			flags |= NotifyStream
		case 'm':
			flags |= NotifyKeyMiss
		case 'd':
			flags |= NotifyModule
		case 'n':
			flags |= NotifyNew
		default:
			return 0, false
		}
	}
	return flags, true
}

// FormatNotifyFlags is the inverse of ParseNotifyFlags (keyspaceEventsFlagsToString). As
// in Redis 7.0, 'n' is written among the classes, so it is left out after 'A' even
// though it is set ("KEAn" reads back as "AKE").
func FormatNotifyFlags(flags int) string {
	var b []byte
	if flags&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, f := range []struct {
			bit int
			c   byte
		}{{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'}, {NotifySet, 's'},
			{NotifyHash, 'h'}, {NotifyZSet, 'z'}, {NotifyExpired, 'x'}, {NotifyEvicted, 'e'},
			{NotifyStream, 't'}, {NotifyModule, 'd'}, {NotifyNew, 'n'}} {
			if flags&f.bit != 0 {
				b = append(b, f.c)
			}
		}
	}
	if flags&NotifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if flags&NotifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if flags&NotifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// notify publishes a keyspace event (notifyKeyspaceEvent) when its class is enabled.
func (e *Engine) notify(class int, event string, key []byte, dbid int) {
	flags := e.Set.NotifyKeyspaceEvent
	if flags&class == 0 {
		return
	}
	if e.NotifyHook != nil {
		e.NotifyHook(class, event, key, dbid)
	}
	if flags&NotifyKeyspace != 0 {
		ch := make([]byte, 0, 16+len(key))
		ch = append(ch, "__keyspace@"...)
		ch = strconv.AppendInt(ch, int64(dbid), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, key...)
		e.PubSub.Publish(e, ch, []byte(event))
	}
	if flags&NotifyKeyevent != 0 {
		ch := make([]byte, 0, 16+len(event))
		ch = append(ch, "__keyevent@"...)
		ch = strconv.AppendInt(ch, int64(dbid), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, event...)
		e.PubSub.Publish(e, ch, key)
	}
}

// CallerClient is the client whose top-level command is running (Redis's
// server.current_client): the one that sent EXEC or EVAL when the running command is nested
// inside them. It is nil outside commands (active expiry, the cron). Lock held.
func (e *Engine) CallerClient() *Client {
	if e.ctxDepth == 0 {
		return nil
	}
	return e.ctxStack[0].C
}

// RunningClient is the client of the innermost running command (a script's own client
// inside EVAL), the one Redis passes to signalModifiedKey; nil outside commands. Lock held.
func (e *Engine) RunningClient() *Client {
	if e.ctxDepth == 0 {
		return nil
	}
	return e.ctxStack[e.ctxDepth-1].C
}

// InCall reports whether a command is running (a CallHook sees false for a top-level
// command, true for one nested in EXEC or a script). Lock held.
func (e *Engine) InCall() bool { return e.ctxDepth > 0 }
