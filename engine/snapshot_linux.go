package engine

import "syscall"

// lowerThreadPriority sets the calling thread's niceness (setpriority on its thread id;
// raising it needs no privilege). The caller has locked its goroutine to the thread.
func lowerThreadPriority(nice int) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice)
}
