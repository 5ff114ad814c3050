package engine

import (
	"syscall"
	"unsafe"
)

// schedIdle is Linux's SCHED_IDLE policy (sched.h).
const schedIdle = 5

// lowerThreadPriority sets the calling thread's niceness (setpriority on its thread id;
// raising it needs no privilege). At niceness 19 the thread also moves to SCHED_IDLE
// (allowed without privilege too): a thread of that policy is preempted as soon as any
// other thread wakes on its CPU, where a niceness-19 one may finish its time slice
// first, a few milliseconds that a connection then waits. The caller has locked its
// goroutine to the thread, which exits with it.
func lowerThreadPriority(nice int) {
	tid := syscall.Gettid()
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice)
	if nice >= 19 {
		var param struct{ priority int32 }
		_, _, _ = syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, uintptr(tid), schedIdle,
			uintptr(unsafe.Pointer(&param)))
	}
}
