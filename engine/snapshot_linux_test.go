package engine

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// threadSched reads the calling thread's niceness and scheduling policy (fields 19 and
// 41 of /proc/thread-self/stat).
func threadSched() (nice, policy int, err error) {
	b, err := os.ReadFile("/proc/thread-self/stat")
	if err != nil {
		return 0, 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 on
	if nice, err = strconv.Atoi(f[19-3]); err != nil {
		return 0, 0, err
	}
	policy, err = strconv.Atoi(f[41-3])
	return nice, policy, err
}

// TestLowerThreadPriority: the encoder's thread gets the niceness asked for, and at 19
// the SCHED_IDLE policy too.
func TestLowerThreadPriority(t *testing.T) {
	for _, tc := range []struct{ nice, policy int }{{5, 0}, {19, schedIdle}} {
		type res struct {
			nice, policy int
			err          error
		}
		done := make(chan res)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			lowerThreadPriority(tc.nice)
			n, p, err := threadSched()
			done <- res{n, p, err}
		}()
		got := <-done
		require.NoError(t, got.err)
		require.Equal(t, tc.nice, got.nice)
		require.Equal(t, tc.policy, got.policy)
	}
}
