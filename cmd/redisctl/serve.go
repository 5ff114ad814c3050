package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/internal/procs"
	"github.com/redisctl/redisctl/server"
	"github.com/redisctl/redisctl/server/persist"
)

// newServeCommand is `redisctl serve`: a Redis 7.0 server. Its command line is
// redis-server's: an optional redis.conf path, then --directive value pairs.
func newServeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve [/path/to/redis.conf] [--directive value ...] [--metrics-addr host:port]",
		Short: "Run a Redis 7.0 compatible server",
		Long: `serve runs a Redis 7.0 compatible server on the redisctl engine.

The command line is redis-server's: an optional configuration file first, then any
redis.conf directive as "--name value" (several values for directives that take them,
e.g. --save "3600 1 300 100"). "-" reads the configuration from standard input.
Directives given on the command line override the file. An unknown directive stops the
server with Redis's "FATAL CONFIG FILE ERROR" report naming the offending line.

Persistence is Redis 7.0's, file for file, without fork: at start the server loads
dump.rdb from dir (or, with appendonly yes, the multi-part AOF in appenddirname); save
points, SAVE and BGSAVE write point-in-time snapshots; appendonly yes keeps the AOF with
the appendfsync policy, and BGREWRITEAOF rewrites it. Real redis-server loads these files.

Logs go to the logfile directive, or standard error when it is empty, in Redis's log
format. io-threads (default 1) is the number of threads that serve client I/O
(GOMAXPROCS; loading the dataset at start uses every core, and a second thread runs
while the AOF is on, a snapshot is written, or the garbage collector marks a big heap);
the GOMAXPROCS environment variable overrides it. On a heap of 256 MB or more the server
paces Go's garbage collector itself, as GOGC=100 would but without its cycle every two
minutes; GOGC or GOMEMLIMIT in the environment leaves the collector to the runtime.
SIGTERM and SIGINT shut the server down gracefully (a final save when save points are
configured).

redisctl-only option:
  --metrics-addr host:port   serve Prometheus metrics at http://host:port/metrics`,
		Example: `  redisctl serve --port 7000 --maxmemory 1gb --maxmemory-policy allkeys-lru
  redisctl serve --dir /var/lib/redis --save "900 1 300 10" --appendonly yes
  redisctl serve /etc/redis/redis.conf --loglevel verbose
  redisctl serve --bind 127.0.0.1 --port 6379 --dir ./data --metrics-addr 127.0.0.1:9121`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range args {
				switch a {
				case "--help", "-h":
					return cmd.Help()
				case "--version", "-v":
					fmt.Fprintf(cmd.OutOrStdout(), "Redis server v=%s sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=redisctl-%s\n", server.Version, version)
					return nil
				}
			}
			metricsAddr, rest, err := extractMetricsAddr(args)
			if err != nil {
				return usageError("%v", err)
			}
			return runServe(cmd.InOrStdin(), cmd.ErrOrStderr(), rest, metricsAddr)
		},
	}
	return cmd
}

// extractMetricsAddr removes "--metrics-addr value" (or --metrics-addr=value) from args.
func extractMetricsAddr(args []string) (string, []string, error) {
	var addr string
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--metrics-addr":
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("--metrics-addr needs a host:port")
			}
			addr = args[i+1]
			i++
		case strings.HasPrefix(a, "--metrics-addr="):
			addr = strings.TrimPrefix(a, "--metrics-addr=")
		default:
			out = append(out, a)
		}
	}
	return addr, out, nil
}

func runServe(stdin io.Reader, stderr io.Writer, args []string, metricsAddr string) error {
	cfg, err := server.LoadConfig(args, stdin)
	if err != nil {
		fmt.Fprint(stderr, server.ConfigErrorReport(err))
		return withCode(exitFailure, nil)
	}
	// The engine executes one command at a time under its lock, as Redis's main thread;
	// extra Go processors only move bytes. Fewer of them means less scheduler spinning and
	// less CPU per request (measured with server/bench), so io-threads (default 1, as in
	// Redis) sets GOMAXPROCS unless the environment does.
	// Loading the dataset (Listen) happens before any client is accepted: it runs with
	// every core, so the garbage collector marks the growing heap beside the loader
	// (a 1 GB RDB loads about 18% faster), and drops to io-threads once it is done.
	serveProcs := 0
	if os.Getenv("GOMAXPROCS") == "" {
		serveProcs = int(cfg.Int("io-threads"))
		if serveProcs < 1 {
			serveProcs = 1
		}
		runtime.GOMAXPROCS(max(serveProcs, runtime.NumCPU()))
	}
	var logw io.Writer
	if cfg.Logfile() == "" {
		logw = stderr
	}
	srv, err := server.New(server.Options{Config: cfg, Log: logw, MetricsAddr: metricsAddr,
		Persistence: persist.New(persist.Options{Config: cfg, AOF: persist.NewAOF(cfg)})})
	if err != nil {
		return err
	}
	err = srv.Listen()
	if serveProcs > 0 {
		procs.SetBase(serveProcs) // raised while a snapshot or the AOF holds a second P
	}
	if err != nil {
		return withCode(exitFailure, err)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		for sig := range sigs {
			name := "SIGTERM"
			if sig == syscall.SIGINT {
				name = "SIGINT"
			}
			srv.Logger().Logf(server.LevelWarning, "Received %s scheduling shutdown...", name)
			if err := srv.Shutdown(context.Background(), server.ShutdownDefault); err != nil {
				srv.Logger().Logf(server.LevelWarning, "%s received but errors trying to shut down the server, check the logs for more information", name)
			}
		}
	}()
	if serveProcs > 0 {
		// A second P around the GC cycles of a big heap, whose collector it paces
		// (internal/procs).
		stop := make(chan struct{})
		defer close(stop)
		go procs.WatchGC(50*time.Millisecond, stop, srv.UsedMemory)
	}
	return srv.Serve()
}
