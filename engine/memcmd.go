package engine

import (
	"runtime/debug"
	"strconv"
)

// MEMORY STATS, DOCTOR, MALLOC-STATS, PURGE and HELP (Redis 7.0's memoryCommand). The
// figures come from the memory model (memory.go); the allocator and RSS lines from the
// process, through the hook the server installs.

// ProcessMem is what the process itself holds, as the allocator/RSS lines of MEMORY STATS
// and INFO report them.
type ProcessMem struct {
	RSS, Allocated, Active, Resident int64
}

// SetProcessMemory installs the function MEMORY STATS reads the process's own memory with
// (the engine never reads /proc itself). Lock held.
func (e *Engine) SetProcessMemory(fn func() ProcessMem) { e.mem.proc = fn }

func memoryMallocStats(x *Ctx) {
	x.W.WriteBulkString("Stats not supported for the current allocator")
}

// memoryPurge returns freed memory to the system (jemalloc's arena purge; here the Go
// runtime's).
func memoryPurge(x *Ctx) {
	debug.FreeOSMemory()
	x.OK()
}

func memoryHelp(x *Ctx) { x.HelpReply(memoryHelpLines) }

var memoryHelpLines = []string{
	"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DOCTOR",
	"    Return memory problems reports.",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
	"HELP",
	"    Prints this help.",
}

func (e *Engine) processMem() ProcessMem {
	if e.mem.proc == nil {
		return ProcessMem{}
	}
	return e.mem.proc()
}

func ratio32(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(float32(a) / float32(b))
}

func memoryStats(x *Ctx) {
	e := x.E
	mi := e.MemoryInfo()
	pm := e.processMem()
	keys := int64(0)
	for _, db := range e.dbs {
		keys += int64(db.keys.Len())
	}
	w := x.W
	w.WriteMapLen(27 + len(mi.PerDB))
	kv := func(k string, v int64) { w.WriteBulkString(k); w.WriteInt(v) }
	kd := func(k string, v float64) { w.WriteBulkString(k); w.WriteDouble(v) }
	kv("peak.allocated", mi.Peak)
	kv("total.allocated", mi.Used)
	kv("startup.allocated", mi.Startup)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", mi.Clients)
	kv("cluster.links", 0)
	kv("aof.buffer", mi.NotCounted)
	kv("lua.caches", 0)
	kv("functions.caches", 0)
	for _, d := range mi.PerDB {
		w.WriteBulkString("db." + strconv.Itoa(d.ID))
		w.WriteMapLen(3)
		kv("overhead.hashtable.main", d.OverheadMain)
		kv("overhead.hashtable.expires", d.OverheadExpires)
		kv("overhead.hashtable.slot-to-keys", 0)
	}
	kv("overhead.total", mi.Overhead)
	kv("keys.count", keys)
	perKey := int64(0)
	if keys > 0 {
		perKey = (mi.Used - mi.Startup) / keys
	}
	kv("keys.bytes-per-key", perKey)
	kv("dataset.bytes", mi.Dataset)
	kd("dataset.percentage", float64(float32(mi.Dataset)*100/float32(max(mi.Used-mi.Startup, 1))))
	kd("peak.percentage", float64(float32(mi.Used)*100/float32(max(mi.Peak, 1))))
	kv("allocator.allocated", pm.Allocated)
	kv("allocator.active", pm.Active)
	kv("allocator.resident", pm.Resident)
	kd("allocator-fragmentation.ratio", ratio32(pm.Active, pm.Allocated))
	kv("allocator-fragmentation.bytes", pm.Active-pm.Allocated)
	kd("allocator-rss.ratio", ratio32(pm.Resident, pm.Active))
	kv("allocator-rss.bytes", pm.Resident-pm.Active)
	kd("rss-overhead.ratio", ratio32(pm.RSS, pm.Resident))
	kv("rss-overhead.bytes", pm.RSS-pm.Resident)
	kd("fragmentation", ratio32(pm.RSS, mi.Used))
	kv("fragmentation.bytes", pm.RSS-mi.Used)
}

const (
	doctorEmpty      = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
	doctorFine       = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
	doctorHead       = "Sam, I detected a few issues in this Redis instance memory implants:\n\n"
	doctorTail       = "I'm here to keep you safe, Sam. I want to help you.\n"
	doctorPeak       = " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n"
	doctorBigClients = " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n"
)

// memoryDoctor is getMemoryDoctorReport over the modelled figures. The checks on RSS and
// allocator fragmentation are left out: this process's RSS is Go's heap, not jemalloc's,
// and its ratios would describe the Go runtime rather than the dataset.
func memoryDoctor(x *Ctx) {
	e := x.E
	mi := e.MemoryInfo()
	if mi.Used < 1024*1024*5 {
		x.W.WriteVerbatim("txt", []byte(doctorEmpty))
		return
	}
	report := ""
	if float64(mi.Peak)/float64(mi.Used) > 1.5 {
		report += doctorPeak
	}
	if n := len(e.clients); n > 0 && mi.Clients/int64(n) > 1024*200 {
		report += doctorBigClients
	}
	if report == "" {
		x.W.WriteVerbatim("txt", []byte(doctorFine))
		return
	}
	x.W.WriteVerbatim("txt", []byte(doctorHead+report+doctorTail))
}
