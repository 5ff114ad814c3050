// Command stallprobe measures the machine's own stalls, with their times: a thread per CPU,
// pinned to it, at real-time priority (SCHED_FIFO 50), sleeps to the next millisecond
// mark again and again and prints every wake-up later than -over. Such a thread preempts
// every ordinary process the moment its timer fires, so a wake-up 10 ms late means that
// CPU ran nothing for 10 ms: the hypervisor stopped it, or it ran with interrupts off. No
// process's CPU use or scheduling causes that. It is cyclictest's measure (rt-tests), with
// a line per stall that bench/persist.sh matches against the benchmark runs' windows.
//
//	stallprobe -d 120s -over 5ms > stalls   # root (SCHED_FIFO)
//
// Output, one line per late wake-up: "<cpu> <late ms> <stall start, unix ns>"; then, on
// the end (after -d, or SIGINT/SIGTERM), "# cpu <n> wakeups <n> max <ms>" per CPU.
//
// The threads stay in code that neither allocates nor calls the scheduler: the sleeps
// and clock reads are raw system calls (the runtime does not take the processor away), and
// GOMAXPROCS is one above the CPUs, so each thread keeps a processor of its own.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const (
	sysSchedSetaffinity  = 203 // amd64
	sysSchedSetscheduler = 144
	sysClockNanosleep    = 230
	clockMonotonic       = 1
	timerAbstime         = 1
	schedFIFO            = 1
)

type stall struct {
	cpu   int
	late  time.Duration
	start int64 // unix ns
}

func main() {
	dur := flag.Duration("d", 30*time.Minute, "how long to run (at most)")
	over := flag.Duration("over", 5*time.Millisecond, "print wake-ups later than this")
	prio := flag.Int("prio", 50, "SCHED_FIFO priority")
	flag.Parse()
	if runtime.GOARCH != "amd64" {
		fmt.Fprintln(os.Stderr, "stallprobe: amd64 only (system call numbers)")
		os.Exit(2)
	}
	ncpu := runtime.NumCPU()
	runtime.GOMAXPROCS(ncpu + 1)

	// The wall clock's offset from the monotonic one, read once: stall times are printed
	// as unix nanoseconds, to match other tools' wall-clock times.
	wall0 := time.Now().UnixNano()
	mono0 := monoNow()

	var stop atomic.Bool
	stalls := make(chan stall, 1024)
	type result struct {
		wakeups int
		max     time.Duration
	}
	results := make([]result, ncpu)
	var wg sync.WaitGroup
	errs := make(chan error, ncpu)
	for cpu := 0; cpu < ncpu; cpu++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			var mask [16]uint64
			mask[cpu/64] = 1 << (cpu % 64)
			if _, _, e := syscall.RawSyscall(sysSchedSetaffinity, 0, unsafe.Sizeof(mask), uintptr(unsafe.Pointer(&mask))); e != 0 {
				errs <- fmt.Errorf("sched_setaffinity cpu %d: %w", cpu, e)
				return
			}
			param := int32(*prio)
			if _, _, e := syscall.RawSyscall(sysSchedSetscheduler, 0, schedFIFO, uintptr(unsafe.Pointer(&param))); e != 0 {
				errs <- fmt.Errorf("sched_setscheduler SCHED_FIFO (root only): %w", e)
				return
			}
			next := monoNow()
			end := next + int64(*dur)
			r := &results[cpu]
			for !stop.Load() && next < end {
				next += int64(time.Millisecond)
				ts := syscall.NsecToTimespec(next)
				syscall.RawSyscall6(sysClockNanosleep, clockMonotonic, timerAbstime, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
				now := monoNow()
				late := time.Duration(now - next)
				r.wakeups++
				r.max = max(r.max, late)
				if late > *over {
					select {
					case stalls <- stall{cpu, late, wall0 + next - mono0}:
					default: // the printer is behind: counted in max only
					}
					next = now // the next mark from here, not a burst to catch up
				}
			}
		}()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		stop.Store(true)
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case s := <-stalls:
			fmt.Printf("%d %.2f %d\n", s.cpu, float64(s.late)/1e6, s.start)
			continue
		case err := <-errs:
			stop.Store(true)
			fmt.Fprintln(os.Stderr, "stallprobe:", err)
			<-done
			os.Exit(1)
		case <-done:
		}
		break
	}
	for {
		select {
		case s := <-stalls:
			fmt.Printf("%d %.2f %d\n", s.cpu, float64(s.late)/1e6, s.start)
			continue
		default:
		}
		break
	}
	for cpu, r := range results {
		fmt.Printf("# cpu %d wakeups %d max %.2f\n", cpu, r.wakeups, float64(r.max)/1e6)
	}
}

// monoNow reads CLOCK_MONOTONIC without the runtime (a raw system call: vDSO-free, a
// few hundred nanoseconds, once per wake-up).
func monoNow() int64 {
	var ts syscall.Timespec
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}
