package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics serves the Prometheus text endpoint (--metrics-addr). Nothing is counted on the
// hot path for it: at scrape time the collector takes the engine lock once and reads the
// counters the server keeps anyway (command statistics, latency histograms, keyspace).
type metrics struct {
	s    *Server
	addr string
	reg  *prometheus.Registry
	srv  *http.Server
	ln   net.Listener

	clients, blocked, cmdsTotal, cmdCalls, cmdUsec, cmdLatency, keys, expires, memUsed,
	memRSS, expired, evicted, netIn, netOut, connsTotal, rejected, uptime, errors *prometheus.Desc
}

func newMetrics(s *Server, addr string) *metrics {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("redis_"+name, help, labels, nil)
	}
	m := &metrics{s: s, addr: addr, reg: prometheus.NewRegistry(),
		clients:    d("connected_clients", "Number of client connections."),
		blocked:    d("blocked_clients", "Clients blocked in a command."),
		cmdsTotal:  d("commands_processed_total", "Commands processed."),
		cmdCalls:   d("commands_total", "Calls per command.", "cmd"),
		cmdUsec:    d("commands_duration_seconds_total", "Time spent per command.", "cmd"),
		cmdLatency: d("command_duration_seconds", "Command latency.", "cmd"),
		keys:       d("db_keys", "Keys per database.", "db"),
		expires:    d("db_keys_expiring", "Keys with a TTL per database.", "db"),
		memUsed:    d("memory_used_bytes", "Memory in use (used_memory)."),
		memRSS:     d("memory_rss_bytes", "Resident set size."),
		expired:    d("expired_keys_total", "Keys deleted because they expired."),
		evicted:    d("evicted_keys_total", "Keys evicted under maxmemory."),
		netIn:      d("net_input_bytes_total", "Bytes read from clients."),
		netOut:     d("net_output_bytes_total", "Bytes written to clients."),
		connsTotal: d("connections_received_total", "Connections accepted."),
		rejected:   d("rejected_connections_total", "Connections refused (maxclients, protected mode)."),
		uptime:     d("uptime_in_seconds", "Seconds since the server started."),
		errors:     d("errors_total", "Error replies per error code.", "err"),
	}
	m.reg.MustRegister(m)
	return m
}

// Describe implements prometheus.Collector.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.clients, m.blocked, m.cmdsTotal, m.cmdCalls, m.cmdUsec, m.cmdLatency,
		m.keys, m.expires, m.memUsed, m.memRSS, m.expired, m.evicted, m.netIn, m.netOut, m.connsTotal,
		m.rejected, m.uptime, m.errors} {
		ch <- d
	}
}

// histogramBounds are the latency histogram's upper bounds, in seconds.
var histogramBounds = []float64{1e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1}

// Collect implements prometheus.Collector: one pass under the engine lock.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	s := m.s
	e := s.eng
	type cmdStat struct {
		name    string
		calls   int64
		usec    int64
		buckets map[float64]uint64
		sum     float64
		count   uint64
	}
	var cmds []cmdStat
	type dbStat struct{ keys, expires int }
	var dbs []dbStat
	errs := map[string]int64{}

	e.Lock()
	nconns := len(s.conns)
	blocked, _ := s.numBlocked()
	total := e.Stats.NumCommands
	expired, evicted := e.Stats.ExpiredKeys, e.Stats.EvictedKeys
	netIn, netOut := s.stats.netInput, s.stats.netOutput
	connsTotal, rejected := s.stats.connsReceived, s.stats.rejectedConns
	for _, c := range s.commandsWithStats() {
		cs := cmdStat{name: c.Name, calls: c.Calls, usec: c.Usec}
		if h := s.hists[c]; h != nil && h.total > 0 {
			cs.buckets = make(map[float64]uint64, len(histogramBounds))
			var cum uint64
			i := 0
			for _, bound := range histogramBounds {
				limit := int64(bound * 1e9)
				for i < histBuckets && histHighest(i) <= limit {
					cum += uint64(h.counts[i])
					i++
				}
				cs.buckets[bound] = cum
			}
			cs.count = uint64(h.total)
			cs.sum = float64(c.Usec) / 1e6
		}
		cmds = append(cmds, cs)
	}
	for i := 0; i < e.NumDBs(); i++ {
		db := e.DB(i)
		dbs = append(dbs, dbStat{db.Len(), db.ExpiresLen()})
	}
	e.ErrorStats(func(code string, n int64) { errs[code] += n })
	if s.protoErrs > 0 {
		errs["ERR"] += s.protoErrs
	}
	e.Unlock()

	mem := readMemStats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge(m.clients, float64(nconns))
	gauge(m.blocked, float64(blocked))
	counter(m.cmdsTotal, float64(total))
	for _, c := range cmds {
		counter(m.cmdCalls, float64(c.calls), c.name)
		counter(m.cmdUsec, float64(c.usec)/1e6, c.name)
		if c.buckets != nil {
			ch <- prometheus.MustNewConstHistogram(m.cmdLatency, c.count, c.sum, c.buckets, c.name)
		}
	}
	for i, d := range dbs {
		if d.keys == 0 && d.expires == 0 {
			continue
		}
		gauge(m.keys, float64(d.keys), "db"+strconv.Itoa(i))
		gauge(m.expires, float64(d.expires), "db"+strconv.Itoa(i))
	}
	gauge(m.memUsed, float64(mem.used))
	gauge(m.memRSS, float64(mem.rss))
	counter(m.expired, float64(expired))
	counter(m.evicted, float64(evicted))
	counter(m.netIn, float64(netIn))
	counter(m.netOut, float64(netOut))
	counter(m.connsTotal, float64(connsTotal))
	counter(m.rejected, float64(rejected))
	gauge(m.uptime, time.Since(s.startTime).Seconds())
	for code, n := range errs {
		counter(m.errors, float64(n), code)
	}
}

// listen opens the endpoint's socket (from Server.Listen, so that a bad address fails at
// startup).
func (m *metrics) listen() error {
	ln, err := net.Listen("tcp", m.addr)
	if err != nil {
		return fmt.Errorf("server: metrics endpoint %s: %w", m.addr, err)
	}
	m.ln = ln
	return nil
}

// serve answers scrapes until stop.
func (m *metrics) serve() {
	ln := m.ln
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.s.log.Logf(LevelWarning, "Metrics endpoint stopped: %s", err)
		}
	}()
	m.s.log.Logf(LevelNotice, "Prometheus metrics at http://%s/metrics", ln.Addr())
}

// Addr is the metrics listener's address once started.
func (m *metrics) Addr() net.Addr {
	if m.ln == nil {
		return nil
	}
	return m.ln.Addr()
}

func (m *metrics) stop() {
	if m.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = m.srv.Shutdown(ctx)
	}
}

// MetricsAddr returns the address of the Prometheus endpoint, or nil.
func (s *Server) MetricsAddr() net.Addr {
	if s.metrics == nil {
		return nil
	}
	return s.metrics.Addr()
}
