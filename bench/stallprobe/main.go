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
// With -mem 100ms, also a line per sample of the memory the stops might follow:
// "m <unix ns> <MemFree kB> <Dirty kB> <Writeback kB> <steal ticks, all CPUs>"
// (/proc/meminfo, /proc/stat), read by an ordinary goroutine, not the FIFO threads.
//
// The threads stay in code that neither allocates nor calls the scheduler: the sleeps
// and clock reads are raw system calls (the runtime does not take the processor away), and
// GOMAXPROCS is one above the CPUs, so each thread keeps a processor of its own.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
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
	memEvery := flag.Duration("mem", 0, "sample MemFree, Dirty, Writeback and steal this often (0: never)")
	flag.Parse()
	if runtime.GOARCH != "amd64" {
		fmt.Fprintln(os.Stderr, "stallprobe: amd64 only (system call numbers)")
		os.Exit(2)
	}
	ncpu := runtime.NumCPU()
	runtime.GOMAXPROCS(ncpu + 1)
	// No garbage collection: its stop-the-world must preempt the FIFO threads, which spend
	// nearly all their time inside a raw clock_nanosleep where the runtime cannot stop
	// them; a first version whose sampler allocated hung there after 49 s. The probe
	// allocates almost nothing (a line per stall).
	debug.SetGCPercent(-1)

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
	if *memEvery > 0 {
		go sampleMem(*memEvery, &stop)
	}
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

// sampleMem writes a line "m <unix ns> <MemFree> <Dirty> <Writeback> <steal>" every
// period until stop, straight to stdout (one write per line; os.File serializes it with
// the printer's). It allocates nothing per sample.
func sampleMem(period time.Duration, stop *atomic.Bool) {
	buf := make([]byte, 16384)
	line := make([]byte, 0, 128)
	read := func(path string) []byte {
		fd, err := syscall.Open(path, syscall.O_RDONLY, 0)
		if err != nil {
			return nil
		}
		n, _ := syscall.Read(fd, buf)
		syscall.Close(fd)
		return buf[:max(n, 0)]
	}
	num := func(text []byte) int64 { // the decimal digits text starts with
		var v int64
		for _, c := range text {
			if c < '0' || c > '9' {
				break
			}
			v = v*10 + int64(c-'0')
		}
		return v
	}
	field := func(text []byte, name string) int64 { // "Name:   123 kB" -> 123
		i := bytes.Index(text, []byte(name))
		if i < 0 {
			return -1
		}
		return num(bytes.TrimLeft(text[i+len(name):], " "))
	}
	for !stop.Load() {
		now := time.Now().UnixNano()
		mem := read("/proc/meminfo")
		free, dirty, wb := field(mem, "\nMemFree:"), field(mem, "\nDirty:"), field(mem, "\nWriteback:")
		// /proc/stat's first line: "cpu user nice system idle iowait irq softirq steal ...":
		// steal is the eighth number.
		var steal int64 = -1
		if st := read("/proc/stat"); bytes.HasPrefix(st, []byte("cpu ")) {
			f := st[4:]
			for k := 0; k < 8 && len(f) > 0; k++ {
				f = bytes.TrimLeft(f, " ")
				if k == 7 {
					steal = num(f)
				}
				f = f[max(bytes.IndexByte(f, ' '), 0):]
			}
		}
		line = append(line[:0], "m "...)
		for i, v := range [...]int64{now, free, dirty, wb, steal} {
			if i > 0 {
				line = append(line, ' ')
			}
			line = strconv.AppendInt(line, v, 10)
		}
		line = append(line, '\n')
		os.Stdout.Write(line)
		ts := syscall.NsecToTimespec(int64(period))
		syscall.Nanosleep(&ts, nil)
	}
}
