#!/usr/bin/env bash
# Side-by-side AOF benchmarks (issue: AOF): redisctl serve vs redis-server 7.0, one after
# the other on the same files, best of RUNS, the load average beside every measurement.
#   1. AOF load of N (default 1M) commands (one incr file written by bench/aofgen):
#      the "DB loaded from append only file: X seconds" line of each server's log.
#   2. BGREWRITEAOF of a ~SIZE (default 1G) mixed dataset (bench/rdbgen, loaded from an
#      RDB at start): from "Background append only file rewriting started" to
#      "Background AOF rewrite finished successfully" in each log (aof-use-rdb-preamble
#      yes and no).
#   3. redis-benchmark -c 50 -t set with appendonly yes, appendfsync always: servers
#      alternating, SETs/s, server CPU per SET, and (with perf) epoll calls and context
#      switches per fdatasync.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
SIZE=${SIZE:-1G}
RUNS=${RUNS:-3}
ONLY=${ONLY:-load,rewrite,fsync}
dir=${BENCH_DIR:-$(mktemp -d)}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -z "${BENCH_DIR:-}" ] && rm -rf "$dir"
}
trap cleanup EXIT
go build -o bin/redisctl ./cmd/redisctl
go build -o bin/aofgen ./bench/aofgen
go build -o bin/rdbgen ./bench/rdbgen
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); date: $(date -u '+%F %H:%M UTC')"
echo "redis: $(redis-server --version | cut -d' ' -f3)  redisctl: $(git rev-parse --short HEAD)"
load() { cut -d' ' -f1-3 /proc/loadavg; }
port=17700

# start NAME DIR ARGS...: starts a server (redis or ours) logging to DIR/log, waits for PING.
start() {
  local name=$1 d=$2; shift 2
  port=$((port + 1))
  if [ "$name" = redis ]; then
    redis-server --port $port --bind 127.0.0.1 --dir "$d" --save "" "$@" >"$d/log" 2>&1 &
  elif [ "$name" = other ]; then
    "$OTHER_BIN" serve --port $port --bind 127.0.0.1 --dir "$d" --save "" "$@" >"$d/log" 2>&1 &
  else
    bin/redisctl serve --port $port --bind 127.0.0.1 --dir "$d" --save "" "$@" >"$d/log" 2>&1 &
  fi
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 6000); do
    redis-cli -p $port ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.05
  done
  echo "server $name did not start"; tail "$d/log"; exit 1
}
stop() { redis-cli -p $port shutdown nosave >/dev/null 2>&1 || true; wait "$pid" 2>/dev/null || true; }
# ms of a log line's timestamp ("... 21 Nov 2026 18:51:02.470 * msg")
ms() { grep -m1 "$2" "$1" | awk '{split($5,t,":"); printf "%d\n", ((t[1]*60+t[2])*60+t[3])*1000}'; }

if [[ $ONLY == *load* ]]; then
  bin/aofgen -n "$N" -out "$dir/gen/appendonlydir"
  echo "== AOF load: $N commands, $(du -h "$dir/gen/appendonlydir" | cut -f1)"
  for name in redis redisctl; do
    best=""
    for r in $(seq 1 "$RUNS"); do
      rm -rf "$dir/s" && mkdir -p "$dir/s" && cp -r "$dir/gen/appendonlydir" "$dir/s/"
      l0=$(load)
      start $name "$dir/s" --appendonly yes
      s=$(grep -m1 'DB loaded from append only file' "$dir/s/log" | sed 's/.*file: \([0-9.]*\) seconds.*/\1/')
      keys=$(redis-cli -p $port dbsize)
      stop
      echo "  $name run $r: ${s}s ($keys keys), load $l0"
      if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
    done
    echo "  $name best: ${best}s"
  done
fi

if [[ $ONLY == *rewrite* ]]; then
  rdb="$dir/data.rdb"
  [ -f "$rdb" ] || bin/rdbgen -kind mixed -size "$SIZE" -out "$rdb" >/dev/null
  echo "== BGREWRITEAOF of $(du -h "$rdb" | cut -f1) RDB (mixed) loaded in memory"
  for preamble in yes no; do
    for name in redis redisctl; do
      best=""
      rm -rf "$dir/s" && mkdir -p "$dir/s" && ln -s "$rdb" "$dir/s/dump.rdb"
      start $name "$dir/s" --appendonly no --aof-use-rdb-preamble $preamble
      for r in $(seq 1 "$RUNS"); do
        l0=$(load)
        : >"$dir/s/log.mark"
        before=$(wc -l <"$dir/s/log")
        redis-cli -p $port bgrewriteaof >/dev/null
        while ! redis-cli -p $port info persistence | grep -q 'aof_rewrite_in_progress:0'; do sleep 0.05; done
        while ! tail -n +$((before + 1)) "$dir/s/log" | grep -q 'rewrite finished successfully\|terminated with error'; do sleep 0.05; done
        tail -n +$((before + 1)) "$dir/s/log" >"$dir/s/log.run"
        a=$(ms "$dir/s/log.run" 'rewriting started') b=$(ms "$dir/s/log.run" 'rewrite finished successfully')
        s=$(awk "BEGIN{printf \"%.3f\", ($b - $a)/1000}")
        size=$(du -b "$dir/s/appendonlydir/"*base* | cut -f1)
        echo "  preamble $preamble $name run $r: ${s}s (base $((size / 1048576)) MB), load $l0"
        if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
      done
      rss=$(ps -o rss= -p "$pid")
      stop
      echo "  preamble $preamble $name best: ${best}s, RSS $((rss / 1024)) MB"
    done
  done
fi

if [[ $ONLY == *fsync* ]]; then
  # Servers alternate (RUNS sittings of redis then redisctl, a fresh start each, two
  # measured runs after a warm-up), since the machine's load changes from minute to
  # minute. Server CPU per SET from /proc/<pid>/stat; with perf installed, its epoll
  # calls and context switches per fdatasync too (PERF=0 turns that off). OTHER_BIN=<a
  # redisctl binary> adds a third server, "other" (an earlier build, for before/after).
  FN=${FSYNC_N:-400000}
  echo "== redis-benchmark -c 50 -n $FN -t set, appendonly yes, appendfsync always"
  tck=$(getconf CLK_TCK)
  cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
  declare -A rps
  for r in $(seq 1 "$RUNS"); do
    for name in redis redisctl ${OTHER_BIN:+other}; do
      rm -rf "$dir/s" && mkdir -p "$dir/s"
      start $name "$dir/s" --appendonly yes --appendfsync always
      redis-benchmark -p $port -c 50 -n 100000 -t set -q >/dev/null 2>&1
      for k in 1 2; do
        l0=$(load)
        c0=$(cpu "$pid")
        perfout=""
        if [ "${PERF:-1}" = 1 ] && command -v perf >/dev/null; then
          out=$(perf stat -x, -e context-switches,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_fdatasync \
            -p "$pid" -o "$dir/perf" -- redis-benchmark -p $port -c 50 -n "$FN" -t set --csv 2>/dev/null | tail -1)
          perfout=$(awk -F, -v n="$FN" '$3 ~ /context/ {cs=$1} $3 ~ /epoll/ {ep+=$1} $3 ~ /fdatasync/ {fs=$1}
            END {if (fs > 0) printf ", per fdatasync: %.1f SETs, %.1f epoll calls, %.1f context switches", n/fs, ep/fs, cs/fs}' "$dir/perf")
        else
          out=$(redis-benchmark -p $port -c 50 -n "$FN" -t set --csv 2>/dev/null | tail -1)
        fi
        c1=$(cpu "$pid")
        r1=$(echo "$out" | cut -d, -f2 | tr -d '"')
        p50=$(echo "$out" | cut -d, -f5 | tr -d '"')
        rps[$name]="${rps[$name]:-} $r1"
        echo "  $name sitting $r run $k: $r1 SETs/s, p50 $p50 ms, server CPU $(echo "scale=2; ($c1 - $c0) * 1000000 / $tck / $FN" | bc) µs/SET$perfout; load $l0"
      done
      stop
    done
  done
  med() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
  mr=$(echo "${rps[redis]}" | med); mc=$(echo "${rps[redisctl]}" | med)
  echo "  median SETs/s: redis $mr, redisctl $mc, ratio $(echo "scale=3; $mc / $mr" | bc)"
  if [ -n "${OTHER_BIN:-}" ]; then
    mo=$(echo "${rps[other]}" | med)
    echo "  median SETs/s: other ($OTHER_BIN) $mo, ratio $(echo "scale=3; $mo / $mr" | bc)"
  fi
fi
