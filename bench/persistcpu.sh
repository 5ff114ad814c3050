#!/usr/bin/env bash
# Side-by-side persistence timings with CPU time (issue: persistence): redis-server 7.0.15
# and redisctl serve, one server at a time, alternating, on the same RDB file.
#   1. RDB load at startup: the file as dump.rdb; wall to the "DB loaded from disk" line,
#      the logged seconds, and the process's user+sys CPU (/proc/<pid>/stat) at that line.
#   2. BGREWRITEAOF of the loaded dataset (appendonly no) in three forms: RDB preamble with
#      LZF (default), RDB preamble with rdbcompression no, command base
#      (aof-use-rdb-preamble no): wall from the command to "rewrite finished successfully"
#      and the CPU of the server plus its reaped children (Redis's rewrite child) meanwhile.
# The load average is printed beside every figure: on a shared machine quote CPU time.
#   RDB=/path/file.rdb RUNS=2 bash bench/persistcpu.sh     (default: bench/rdbgen -size 1G)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-2}
ONLY=${ONLY:-load,rewrite}
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
go build -o "$dir/redisctl" ./cmd/redisctl
rdb=${RDB:-}
if [ -z "$rdb" ]; then
  go build -o "$dir/rdbgen" ./bench/rdbgen
  rdb="$dir/mixed.rdb"
  "$dir/rdbgen" -kind mixed -size 1G -out "$rdb" >/dev/null
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u '+%F %H:%M UTC'); redisctl $(git rev-parse --short HEAD); $(du -h "$rdb" | cut -f1) RDB"
tck=$(getconf CLK_TCK)
load() { cut -d' ' -f1-3 /proc/loadavg; }
# start NAME PORT ARGS...: a server on $rdb in a fresh dir, waiting for the load to end.
start() {
  local name=$1 port=$2; shift 2
  rm -rf "$dir/s" && mkdir -p "$dir/s" && ln -s "$(realpath "$rdb")" "$dir/s/dump.rdb"
  t0=$(date +%s.%N)
  if [ "$name" = redis ]; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir/s" --save "" --appendonly no "$@" >"$dir/s/log" 2>&1 &
  else
    "$dir/redisctl" serve --port "$port" --bind 127.0.0.1 --dir "$dir/s" --save "" --appendonly no "$@" >"$dir/s/log" 2>&1 &
  fi
  pid=$!
  until grep -q 'DB loaded from disk\|Fatal' "$dir/s/log"; do sleep 0.02; done
  t1=$(date +%s.%N)
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
cpu() { awk '{print $14+$15+$16+$17}' "/proc/$pid/stat"; }
secs() { echo "scale=2; $1/$tck" | bc; }

if [[ $ONLY == *load* ]]; then
  echo "== RDB load at startup"
  for r in $(seq 1 "$RUNS"); do
    for name in redisctl redis; do
      l0=$(load)
      start $name 17901
      c=$(cpu)
      rss=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status")
      s=$(grep -o 'DB loaded from disk: [0-9.]*' "$dir/s/log" | awk '{print $5}')
      stop
      printf '%-8s run %d: logged %6ss, wall %6.2fs, cpu %5ss, RSS %d MB, load %s\n' \
        $name "$r" "$s" "$(echo "$t1 - $t0" | bc)" "$(secs "$c")" "$rss" "$l0"
    done
  done
fi

if [[ $ONLY == *rewrite* ]]; then
  echo "== BGREWRITEAOF of the loaded dataset"
  for cfg in "yes yes" "yes no" "no yes"; do
    set -- $cfg
    for name in redisctl redis; do
      start $name 17902 --aof-use-rdb-preamble "$1" --rdbcompression "$2"
      until redis-cli -p 17902 ping 2>/dev/null | grep -q PONG; do sleep 0.05; done
      for r in $(seq 1 "$RUNS"); do
        l0=$(load)
        before=$(wc -l <"$dir/s/log")
        c0=$(cpu) w0=$(date +%s.%N)
        redis-cli -p 17902 bgrewriteaof >/dev/null
        until tail -n +$((before + 1)) "$dir/s/log" | grep -q 'rewrite finished successfully\|terminated with error'; do sleep 0.05; done
        w1=$(date +%s.%N) c1=$(cpu)
        size=$(du -b "$dir/s/appendonlydir/"*base* | tail -1 | cut -f1)
        printf '%-8s preamble %-3s rdbcompression %-3s run %d: wall %6.2fs, cpu %5ss, base %d MB, load %s\n' \
          $name "$1" "$2" "$r" "$(echo "$w1 - $w0" | bc)" "$(secs "$((c1 - c0))")" $((size / 1048576)) "$l0"
        sleep 1
      done
      stop
    done
  done
fi
