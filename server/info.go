package server

import (
	"bufio"
	"bytes"
	"os"
	rtmetrics "runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redisctl/redisctl/engine"
)

// INFO sections in Redis 7.0's order, and which of them "INFO" (default) prints.
var infoSections = []struct {
	name    string
	title   string
	dflt    bool
	content func(s *Server, b []byte) []byte
}{
	{"server", "Server", true, (*Server).infoServer},
	{"clients", "Clients", true, (*Server).infoClients},
	{"memory", "Memory", true, (*Server).infoMemory},
	{"persistence", "Persistence", true, (*Server).infoPersistence},
	{"stats", "Stats", true, (*Server).infoStats},
	{"replication", "Replication", true, (*Server).infoReplication},
	{"cpu", "CPU", true, (*Server).infoCPU},
	{"modules", "Modules", true, nil},
	{"commandstats", "Commandstats", false, (*Server).infoCommandstats},
	{"errorstats", "Errorstats", true, (*Server).infoErrorstats},
	{"latencystats", "Latencystats", false, (*Server).infoLatencystats},
	{"cluster", "Cluster", true, func(_ *Server, b []byte) []byte { return append(b, "cluster_enabled:0\r\n"...) }},
	{"keyspace", "Keyspace", true, (*Server).infoKeyspace},
}

func cmdInfo(x *engine.Ctx) {
	s := serverOf(x)
	x.W.WriteVerbatim("txt", s.Info(x.Args[1:]...))
}

// Info renders INFO for the given section arguments (none: the default sections; "all",
// "everything", "default" and section names, case-insensitive). Lock held.
func (s *Server) Info(args ...[]byte) []byte {
	want := map[string]bool{}
	all, dflt := false, len(args) == 0
	for _, a := range args {
		n := strings.ToLower(string(a))
		switch n {
		case "all", "everything":
			all = true
		case "default":
			dflt = true
		default:
			want[n] = true
		}
	}
	var b []byte
	n := 0
	for _, sec := range infoSections {
		if !(all || want[sec.name] || (dflt && sec.dflt)) {
			continue
		}
		if n > 0 {
			b = append(b, "\r\n"...)
		}
		n++
		b = append(b, "# "...)
		b = append(b, sec.title...)
		b = append(b, "\r\n"...)
		if sec.content != nil {
			b = sec.content(s, b)
		}
	}
	return b
}

func field(b []byte, name string, v int64) []byte {
	b = append(b, name...)
	b = append(b, ':')
	b = strconv.AppendInt(b, v, 10)
	return append(b, "\r\n"...)
}

func fieldStr(b []byte, name, v string) []byte {
	b = append(b, name...)
	b = append(b, ':')
	b = append(b, v...)
	return append(b, "\r\n"...)
}

func fieldFloat(b []byte, name string, v float64, prec int) []byte {
	b = append(b, name...)
	b = append(b, ':')
	b = strconv.AppendFloat(b, v, 'f', prec, 64)
	return append(b, "\r\n"...)
}

var (
	unameOnce string
	buildID   = randomHex(16)
)

func osName() string {
	if unameOnce != "" {
		return unameOnce
	}
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "Linux"
	}
	str := func(a [65]int8) string {
		var sb strings.Builder
		for _, c := range a {
			if c == 0 {
				break
			}
			sb.WriteByte(byte(c))
		}
		return sb.String()
	}
	unameOnce = str(u.Sysname) + " " + str(u.Release) + " " + str(u.Machine)
	return unameOnce
}

func (s *Server) infoServer(b []byte) []byte {
	now := time.Now()
	up := int64(now.Sub(s.startTime) / time.Second)
	exe, _ := os.Executable()
	b = fieldStr(b, "redis_version", Version)
	b = fieldStr(b, "redis_git_sha1", "00000000")
	b = fieldStr(b, "redis_git_dirty", "0")
	b = fieldStr(b, "redis_build_id", buildID)
	b = fieldStr(b, "redis_mode", "standalone")
	b = fieldStr(b, "os", osName())
	b = fieldStr(b, "arch_bits", "64")
	b = fieldStr(b, "monotonic_clock", "POSIX clock_gettime")
	b = fieldStr(b, "multiplexing_api", "epoll")
	b = fieldStr(b, "atomicvar_api", "c11-builtin")
	b = fieldStr(b, "gcc_version", "0.0.0")
	b = field(b, "process_id", int64(os.Getpid()))
	b = fieldStr(b, "process_supervised", "no")
	b = fieldStr(b, "run_id", s.runID)
	b = field(b, "tcp_port", int64(s.tcpPort))
	b = field(b, "server_time_usec", now.UnixMicro())
	b = field(b, "uptime_in_seconds", up)
	b = field(b, "uptime_in_days", up/86400)
	b = field(b, "hz", int64(s.hz))
	b = field(b, "configured_hz", int64(s.cfg.Hz()))
	b = field(b, "lru_clock", (now.UnixMilli()/1000)&(1<<24-1))
	b = fieldStr(b, "executable", exe)
	b = fieldStr(b, "config_file", s.cfg.ConfigFile())
	b = fieldStr(b, "io_threads_active", "0")
	return b
}

func (s *Server) numBlocked() (blocked, withTimeout int64) {
	for _, cn := range s.conns {
		if b := cn.blocked; b != nil && b.resume == nil && !b.released {
			blocked++
			if !b.deadline.IsZero() {
				withTimeout++
			}
		}
	}
	return
}

func (s *Server) infoClients(b []byte) []byte {
	blocked, timeouts := s.numBlocked()
	b = field(b, "connected_clients", int64(len(s.conns)))
	b = field(b, "cluster_connections", 0)
	b = field(b, "maxclients", int64(s.cfg.Maxclients()))
	b = field(b, "client_recent_max_input_buffer", s.stats.maxInputBuffer)
	b = field(b, "client_recent_max_output_buffer", s.stats.maxOutputBuffer)
	b = field(b, "blocked_clients", blocked)
	tclients, _, _, _ := s.trackingStats()
	b = field(b, "tracking_clients", tclients)
	b = field(b, "clients_in_timeout_table", timeouts)
	return b
}

// bytesToHuman is Redis's bytesToHuman.
func bytesToHuman(n uint64) string {
	d := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatUint(n, 10) + "B"
	case n < 1<<20:
		return strconv.FormatFloat(d/1024, 'f', 2, 64) + "K"
	case n < 1<<30:
		return strconv.FormatFloat(d/(1<<20), 'f', 2, 64) + "M"
	case n < 1<<40:
		return strconv.FormatFloat(d/(1<<30), 'f', 2, 64) + "G"
	case n < 1<<50:
		return strconv.FormatFloat(d/(1<<40), 'f', 2, 64) + "T"
	case n < 1<<60:
		return strconv.FormatFloat(d/(1<<50), 'f', 2, 64) + "P"
	}
	return strconv.FormatUint(n, 10) + "B"
}

// memStats are the process's memory figures.
type memStats struct {
	used, heapTotal, heapReleased, total, rss uint64
}

var memSamples = []rtmetrics.Sample{
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
	{Name: "/memory/classes/heap/unused:bytes"},
}

func readMemStats() memStats {
	samples := make([]rtmetrics.Sample, len(memSamples))
	copy(samples, memSamples)
	rtmetrics.Read(samples)
	var m memStats
	get := func(i int) uint64 {
		if samples[i].Value.Kind() == rtmetrics.KindUint64 {
			return samples[i].Value.Uint64()
		}
		return 0
	}
	m.used = get(0)
	m.total = get(1)
	m.heapReleased = get(2)
	m.heapTotal = m.used + get(3)
	m.rss = processRSS()
	return m
}

// processRSS reads the resident set size from /proc/self/statm.
func processRSS() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(data)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(string(f[1]), 10, 64)
	return pages * uint64(os.Getpagesize())
}

var totalSystemMemory = func() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "MemTotal:") {
			fs := strings.Fields(line)
			if len(fs) >= 2 {
				v, _ := strconv.ParseUint(fs[1], 10, 64)
				return v * 1024
			}
		}
	}
	return 0
}()

func (s *Server) infoMemory(b []byte) []byte {
	m := readMemStats()
	e := s.eng
	s.updateClientsMemory(time.Now())
	mi := e.MemoryInfo()
	used, peak := uint64(mi.Used), uint64(mi.Peak)
	ratio := func(a, c uint64) float64 {
		if c == 0 {
			return 0
		}
		return float64(a) / float64(c)
	}
	maxmem := s.cfg.Maxmemory()
	policy, _ := s.cfg.Value("maxmemory-policy")
	// used_memory and what derives from it are Redis's figures for this dataset and these
	// clients (engine.UsedMemory); RSS and the allocator lines are this process's own.
	b = field(b, "used_memory", mi.Used)
	b = fieldStr(b, "used_memory_human", bytesToHuman(used))
	b = field(b, "used_memory_rss", int64(m.rss))
	b = fieldStr(b, "used_memory_rss_human", bytesToHuman(m.rss))
	b = field(b, "used_memory_peak", mi.Peak)
	b = fieldStr(b, "used_memory_peak_human", bytesToHuman(peak))
	b = fieldStr(b, "used_memory_peak_perc", strconv.FormatFloat(ratio(used, peak)*100, 'f', 2, 64)+"%")
	b = field(b, "used_memory_overhead", mi.Overhead)
	b = field(b, "used_memory_startup", mi.Startup)
	b = field(b, "used_memory_dataset", mi.Dataset)
	dsPerc := 0.0
	if mi.Used > mi.Startup {
		dsPerc = float64(mi.Dataset) * 100 / float64(mi.Used-mi.Startup)
	}
	b = fieldStr(b, "used_memory_dataset_perc", strconv.FormatFloat(dsPerc, 'f', 2, 64)+"%")
	b = field(b, "allocator_allocated", int64(m.used))
	b = field(b, "allocator_active", int64(m.heapTotal))
	b = field(b, "allocator_resident", int64(m.total-m.heapReleased))
	b = field(b, "total_system_memory", int64(totalSystemMemory))
	b = fieldStr(b, "total_system_memory_human", bytesToHuman(totalSystemMemory))
	b = s.appendScriptingInfo(b)
	b = field(b, "maxmemory", int64(maxmem))
	b = fieldStr(b, "maxmemory_human", bytesToHuman(maxmem))
	b = fieldStr(b, "maxmemory_policy", policy)
	b = fieldFloat(b, "allocator_frag_ratio", ratio(m.heapTotal, m.used), 2)
	b = field(b, "allocator_frag_bytes", int64(m.heapTotal)-int64(m.used))
	b = fieldFloat(b, "allocator_rss_ratio", ratio(m.total-m.heapReleased, m.heapTotal), 2)
	b = field(b, "allocator_rss_bytes", int64(m.total-m.heapReleased)-int64(m.heapTotal))
	b = fieldFloat(b, "rss_overhead_ratio", ratio(m.rss, m.total-m.heapReleased), 2)
	b = field(b, "rss_overhead_bytes", int64(m.rss)-int64(m.total-m.heapReleased))
	// RSS over used_memory, as Redis computes it: here it also shows how much more than
	// Redis this process holds for the same data.
	b = fieldFloat(b, "mem_fragmentation_ratio", ratio(m.rss, used), 2)
	b = field(b, "mem_fragmentation_bytes", int64(m.rss)-mi.Used)
	b = field(b, "mem_not_counted_for_evict", mi.NotCounted)
	b = append(b, "mem_replication_backlog:0\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\n"...)
	b = field(b, "mem_clients_normal", mi.Clients)
	b = append(b, "mem_cluster_links:0\r\nmem_aof_buffer:0\r\nmem_allocator:jemalloc-5.3.0\r\n"+
		"active_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n"...)
	return b
}

func (s *Server) infoPersistence(b []byte) []byte { return s.persist.AppendInfo(b, s.eng) }

func (s *Server) infoStats(b []byte) []byte {
	for _, cn := range s.conns {
		cn.foldStats()
	}
	e := s.eng
	st := &s.stats
	b = field(b, "total_connections_received", st.connsReceived)
	b = field(b, "total_commands_processed", e.Stats.NumCommands)
	b = field(b, "instantaneous_ops_per_sec", st.instOps.value())
	b = field(b, "total_net_input_bytes", st.netInput)
	b = field(b, "total_net_output_bytes", st.netOutput)
	b = append(b, "total_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\n"...)
	b = fieldFloat(b, "instantaneous_input_kbps", float64(st.instIn.value())/1024, 2)
	b = fieldFloat(b, "instantaneous_output_kbps", float64(st.instOut.value())/1024, 2)
	b = append(b, "instantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\n"...)
	b = field(b, "rejected_connections", st.rejectedConns)
	b = append(b, "sync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n"...)
	b = field(b, "expired_keys", e.Stats.ExpiredKeys)
	b = fieldFloat(b, "expired_stale_perc", st.expiredStalePerc, 2)
	b = append(b, "expired_time_cap_reached_count:0\r\n"...)
	b = field(b, "expire_cycle_cpu_milliseconds", e.Stats.ExpireCycleCPU.Milliseconds())
	b = field(b, "evicted_keys", e.Stats.EvictedKeys)
	b = field(b, "evicted_clients", st.evictedClients)
	evTotal, evCur := e.EvictionExceededTime()
	b = field(b, "total_eviction_exceeded_time", evTotal)
	b = field(b, "current_eviction_exceeded_time", evCur)
	b = field(b, "keyspace_hits", e.Stats.KeyspaceHits)
	b = field(b, "keyspace_misses", e.Stats.KeyspaceMisses)
	b = field(b, "pubsub_channels", int64(e.PubSub.NumChannels()))
	b = field(b, "pubsub_patterns", int64(e.PubSub.NumPatterns()))
	b = append(b, "pubsubshard_channels:0\r\nlatest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\n"+
		"slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\n"+
		"active_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"+
		"current_active_defrag_time:0\r\n"...)
	_, tkeys, titems, tprefixes := s.trackingStats()
	b = field(b, "tracking_total_keys", tkeys)
	b = field(b, "tracking_total_items", titems)
	b = field(b, "tracking_total_prefixes", tprefixes)
	b = append(b, "unexpected_error_replies:0\r\n"...)
	b = field(b, "total_error_replies", e.TotalErrorReplies+s.protoErrs)
	b = append(b, "dump_payload_sanitizations:0\r\n"...)
	b = field(b, "total_reads_processed", st.readsProcessed)
	b = field(b, "total_writes_processed", st.writesProcessed)
	b = append(b, "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n"+
		"reply_buffer_shrinks:0\r\nreply_buffer_expands:0\r\n"...)
	return b
}

func (s *Server) infoReplication(b []byte) []byte {
	b = append(b, "role:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"...)
	b = fieldStr(b, "master_replid", s.replID)
	b = fieldStr(b, "master_replid2", s.replID2)
	b = append(b, "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"...)
	b = field(b, "repl_backlog_size", s.cfg.ReplBacklogSize())
	b = append(b, "repl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n"...)
	return b
}

func timevalString(tv syscall.Timeval) string {
	us := strconv.FormatInt(int64(tv.Usec), 10)
	return strconv.FormatInt(int64(tv.Sec), 10) + "." + strings.Repeat("0", 6-len(us)) + us
}

func (s *Server) infoCPU(b []byte) []byte {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	b = fieldStr(b, "used_cpu_sys", timevalString(self.Stime))
	b = fieldStr(b, "used_cpu_user", timevalString(self.Utime))
	b = fieldStr(b, "used_cpu_sys_children", timevalString(children.Stime))
	b = fieldStr(b, "used_cpu_user_children", timevalString(children.Utime))
	b = fieldStr(b, "used_cpu_sys_main_thread", timevalString(self.Stime))
	b = fieldStr(b, "used_cpu_user_main_thread", timevalString(self.Utime))
	return b
}

// commandsWithStats lists every command and subcommand that has statistics.
func (s *Server) commandsWithStats() []*engine.Command {
	var out []*engine.Command
	add := func(c *engine.Command) {
		if c.Calls != 0 || c.FailedCalls != 0 || c.RejectedCalls != 0 {
			out = append(out, c)
		}
	}
	s.eng.Table().All(func(c *engine.Command) {
		add(c)
		for _, sc := range c.Subcommands {
			add(sc)
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Server) infoCommandstats(b []byte) []byte {
	for _, c := range s.commandsWithStats() {
		b = append(b, "cmdstat_"...)
		b = append(b, c.Name...)
		b = append(b, ":calls="...)
		b = strconv.AppendInt(b, c.Calls, 10)
		b = append(b, ",usec="...)
		b = strconv.AppendInt(b, c.Usec, 10)
		b = append(b, ",usec_per_call="...)
		per := 0.0
		if c.Calls > 0 {
			per = float64(c.Usec) / float64(c.Calls)
		}
		b = strconv.AppendFloat(b, per, 'f', 2, 64)
		b = append(b, ",rejected_calls="...)
		b = strconv.AppendInt(b, c.RejectedCalls, 10)
		b = append(b, ",failed_calls="...)
		b = strconv.AppendInt(b, c.FailedCalls, 10)
		b = append(b, "\r\n"...)
	}
	return b
}

func (s *Server) infoErrorstats(b []byte) []byte {
	counts := map[string]int64{}
	s.eng.ErrorStats(func(code string, n int64) { counts[code] += n })
	if s.protoErrs > 0 {
		counts["ERR"] += s.protoErrs
	}
	codes := make([]string, 0, len(counts))
	for k := range counts {
		codes = append(codes, k)
	}
	sort.Strings(codes)
	for _, k := range codes {
		b = append(b, "errorstat_"...)
		b = append(b, strings.TrimPrefix(k, "-")...)
		b = append(b, ":count="...)
		b = strconv.AppendInt(b, counts[k], 10)
		b = append(b, "\r\n"...)
	}
	return b
}

// trimDouble formats a percentile as Redis does ("%f" with trailing zeros removed).
func trimDouble(f float64) string {
	t := strconv.FormatFloat(f, 'f', 6, 64)
	t = strings.TrimRight(t, "0")
	return strings.TrimSuffix(t, ".")
}

func (s *Server) infoLatencystats(b []byte) []byte {
	pcts := s.cfg.LatencyTrackingInfoPercentiles()
	for _, c := range s.commandsWithStats() {
		h := s.hists[c]
		if h == nil || h.total == 0 {
			continue
		}
		b = append(b, "latency_percentiles_usec_"...)
		b = append(b, c.Name...)
		b = append(b, ':')
		for i, p := range pcts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, 'p')
			b = append(b, trimDouble(p)...)
			b = append(b, '=')
			b = strconv.AppendFloat(b, float64(h.percentile(p))/1000, 'f', 3, 64)
		}
		b = append(b, "\r\n"...)
	}
	return b
}

func (s *Server) infoKeyspace(b []byte) []byte {
	e := s.eng
	for i := 0; i < e.NumDBs(); i++ {
		db := e.DB(i)
		if db.Len() == 0 {
			continue
		}
		b = append(b, "db"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ":keys="...)
		b = strconv.AppendInt(b, int64(db.Len()), 10)
		b = append(b, ",expires="...)
		b = strconv.AppendInt(b, int64(db.ExpiresLen()), 10)
		b = append(b, ",avg_ttl="...)
		b = strconv.AppendInt(b, db.AvgTTL(), 10)
		b = append(b, "\r\n"...)
	}
	return b
}

// instMetric is Redis's instantaneous metric: 16 per-second rates sampled every 100 ms.
type instMetric struct {
	samples    [16]int64
	idx        int
	lastTimeMs int64
	lastCount  int64
}

func (m *instMetric) track(nowMs, reading int64) {
	if m.lastTimeMs == 0 {
		m.lastTimeMs, m.lastCount = nowMs, reading
		return
	}
	t := nowMs - m.lastTimeMs
	var rate int64
	if t > 0 {
		rate = (reading - m.lastCount) * 1000 / t
	}
	m.samples[m.idx] = rate
	m.idx = (m.idx + 1) % len(m.samples)
	m.lastTimeMs, m.lastCount = nowMs, reading
}

func (m *instMetric) value() int64 {
	var sum int64
	for _, v := range m.samples {
		sum += v
	}
	return sum / int64(len(m.samples))
}
