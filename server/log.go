package server

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine/config"
)

// Log levels, as Redis's LL_* (and the loglevel directive).
const (
	LevelDebug   = config.LogDebug
	LevelVerbose = config.LogVerbose
	LevelNotice  = config.LogNotice
	LevelWarning = config.LogWarning
)

// Logger writes Redis's log lines:
//
//	<pid>:<role> 21 Nov 2026 15:57:55.123 <level> message
//
// where role is 'C' until the server is initialized (Redis prints 'C' while its
// server.pid is not yet set), then 'M' (master); level is one of ". - * #" for debug,
// verbose, notice and warning. It is safe for concurrent use.
type Logger struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	level atomic.Int32
	role  atomic.Uint32
	pid   int
	now   func() time.Time
}

// NewLogger returns a logger writing to w at the given minimum level.
func NewLogger(w io.Writer, level int) *Logger {
	l := &Logger{w: w, pid: os.Getpid(), now: time.Now}
	l.level.Store(int32(level))
	l.role.Store('C')
	return l
}

// SetLevel changes the minimum level (CONFIG SET loglevel).
func (l *Logger) SetLevel(level int) { l.level.Store(int32(level)) }

// SetRole sets the role character ('M' once the server is initialized).
func (l *Logger) SetRole(r byte) { l.role.Store(uint32(r)) }

// Enabled reports whether a message at level would be written; callers use it to avoid
// building costly messages.
func (l *Logger) Enabled(level int) bool { return l != nil && int32(level) >= l.level.Load() }

// Logf writes one line at level.
func (l *Logger) Logf(level int, format string, args ...any) {
	if !l.Enabled(level) {
		return
	}
	l.write(level, fmt.Sprintf(format, args...))
}

// Raw writes a message without the prefix (Redis's LL_RAW).
func (l *Logger) Raw(msg string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	_, _ = io.WriteString(l.w, msg)
	l.mu.Unlock()
}

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func (l *Logger) write(level int, msg string) {
	t := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf[:0]
	b = strconv.AppendInt(b, int64(l.pid), 10)
	b = append(b, ':', byte(l.role.Load()), ' ')
	b = append2(b, t.Day())
	b = append(b, ' ')
	b = append(b, monthNames[t.Month()-1]...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(t.Year()), 10)
	b = append(b, ' ')
	b = append2(b, t.Hour())
	b = append(b, ':')
	b = append2(b, t.Minute())
	b = append(b, ':')
	b = append2(b, t.Second())
	b = append(b, '.')
	ms := t.Nanosecond() / 1e6
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	b = append(b, ' ', ".-*#"[clampLevel(level)], ' ')
	b = append(b, msg...)
	b = append(b, '\n')
	_, _ = l.w.Write(b)
	if cap(b) <= 4096 {
		l.buf = b
	}
}

func clampLevel(level int) int {
	if level < 0 {
		return 0
	}
	if level > 3 {
		return 3
	}
	return level
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10%10), byte('0'+n%10)) }
