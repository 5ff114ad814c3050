#!/bin/bash
# Big strings during a BGSAVE (issue: persistence, "no stall over 10 ms"): redis-server
# 7.0.15 and redisctl serve on the same dataset, 200k small keys and 48 strings of 8 MB
# of text (bench/persistgen -bigstr; IN=hash or IN=list: 48 hashes of two 4 MB values or
# lists of two 4 MB elements), one after the other. For each server: $IDLE
# redis-benchmark SET runs (-n $N, 20 clients, 64-byte values over the small keys), then
# a BGSAVE and the same runs back to back until it ends (at most 200). Prints each run's
# p99 and max latency (ms), then the walk's length, the runs whose max passed 10 ms and
# rdb_last_cow_size.
#
#   BENCH_DIR=/tmp/bigstrbench WHO="redisctl redis" bash bench/bigstr.sh
#
# REDISCTL_BIN: an experiment's binary instead of the tree's. Everything under
# $BENCH_DIR; each server is stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/bigstrbench}
N=${N:-50000}
IDLE=${IDLE:-3}
WHO=${WHO:-"redisctl redis"}
mkdir -p "$dir"
bin=${REDISCTL_BIN:-bin/redisctl}
[ -n "${REDISCTL_BIN:-}" ] || go build -o bin/redisctl ./cmd/redisctl
go build -o bin/persistgen ./bench/persistgen
IN=${IN:-string} # string, or hash / list: each 8 MB split into two values / elements
data="$dir/bigstr48-$IN.rdb"
[ -f "$data" ] || bin/persistgen -keys 200000 -big 0 -bigstr 48 -bigstr-mb 8 -bigstr-in "$IN" -out "$data"

pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT

# free_port: a loopback port nothing listens on.
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  echo "no free port" >&2
  exit 1
}

# run_set PORT: one redis-benchmark SET run; prints "p99 max".
run_set() {
  redis-benchmark -p "$1" -t set -r 200000 -n "$N" -d 64 -c 20 2>/dev/null |
    awk '/latency summary/{getline; getline; print $5, $6; exit}'
}

for who in $WHO; do
  port=$(free_port)
  d="$dir/$who"
  rm -rf "$d"
  mkdir -p "$d"
  cp "$data" "$d/dump.rdb"
  case $who in
    redis) redis-server --port "$port" --bind 127.0.0.1 --dir "$d" --save "" --logfile "$d/log" & ;;
    redisctl) "$bin" serve --port "$port" --bind 127.0.0.1 --dir "$d" --save "" --logfile "$d/log" & ;;
    *) echo "WHO: redis or redisctl, not $who" >&2; exit 2 ;;
  esac
  pid=$!
  for _ in $(seq 600); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] &&
      redis-cli -p "$port" info persistence | grep -q '^loading:0' && break
    sleep 0.2
  done
  echo "== $who (pid $pid, port $port): $(redis-cli -p "$port" dbsize) keys"
  for _ in $(seq "$IDLE"); do echo "idle   $(run_set "$port")"; done
  redis-cli -p "$port" bgsave >/dev/null
  t0=$(date +%s%N)
  n=0
  slow=0
  while redis-cli -p "$port" info persistence | grep -q '^rdb_bgsave_in_progress:1' && [ $n -lt 200 ]; do
    r=$(run_set "$port")
    echo "bgsave $r"
    n=$((n + 1))
    awk -v m="${r#* }" 'BEGIN{exit !(m > 10)}' && slow=$((slow + 1))
  done
  for _ in $(seq 600); do
    redis-cli -p "$port" info persistence | grep -q '^rdb_bgsave_in_progress:0' && break
    sleep 0.1
  done
  echo "walk $(( ($(date +%s%N) - t0) / 1000000 )) ms, $n runs, $slow with a max over 10 ms"
  redis-cli -p "$port" info persistence | grep -E '^rdb_last_bgsave_status|^rdb_last_cow_size' | tr -d '\r'
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
done
