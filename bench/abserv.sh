#!/usr/bin/env bash
# Side-by-side CPU per request: start every server once (real redis-server for "redis",
# otherwise `<binary> serve`), then run the same redis-benchmark test against each in turn,
# rounds times, reading each server's user+sys CPU from /proc/<pid>/stat around each run.
# Prints per server the median and minimum CPU µs/request and the median and best rps.
#   usage: [P=16] bench/abserv.sh <test> <requests> <rounds> redis <redisctl binary> ...
set -euo pipefail
T=$1; N=$2; R=$3; shift 3
dir=$(mktemp -d /tmp/abserv.XXXXXX)
declare -a PIDS PORTS NAMES
cleanup() { for q in "${PIDS[@]:-}"; do [ -n "$q" ] && kill "$q" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
i=0
for b in "$@"; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$dir/$i"
  if [ "$b" = redis ]; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir/$i" --save "" --appendonly no --logfile "" >"$dir/$i.log" 2>&1 &
  else
    "$b" serve --port "$port" --bind 127.0.0.1 --dir "$dir/$i" --save "" --appendonly no --logfile "" >"$dir/$i.log" 2>&1 &
  fi
  PIDS[$i]=$!; PORTS[$i]=$port; NAMES[$i]=$(basename "$b"); i=$((i+1))
done
for j in $(seq 0 $((i-1))); do
  for _ in $(seq 100); do timeout 1 redis-cli -p "${PORTS[$j]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
  timeout 1 redis-cli -p "${PORTS[$j]}" ping >/dev/null 2>&1 || { echo "server ${NAMES[$j]} did not start"; exit 1; }
done
tck=$(getconf CLK_TCK)
for _ in $(seq "$R"); do
  for j in $(seq 0 $((i-1))); do
    p=${PORTS[$j]}; pid=${PIDS[$j]}
    timeout 10 redis-cli -p "$p" flushall >/dev/null
    a=$(awk '{print $14+$15}' "/proc/$pid/stat")
    rps=$(timeout 120 redis-benchmark -p "$p" -c 50 -r 100000 -n "$N" -P "${P:-16}" -t "$T" --csv | tail -1 | cut -d, -f2 | tr -d '"')
    b=$(awk '{print $14+$15}' "/proc/$pid/stat")
    echo "${NAMES[$j]} $(echo "($b-$a)*1000000/$tck/$N" | bc -l | cut -c1-5) $rps"
  done
done | python3 -c '
import sys, collections
c = collections.defaultdict(list); q = collections.defaultdict(list); order = []
for l in sys.stdin:
    k, v, r = l.split(); c[k].append(float(v)); q[k].append(float(r))
    if k not in order: order.append(k)
for k in order:
    s = sorted(c[k]); t = sorted(q[k])
    print("%-16s cpu us/req median %.3f min %.3f  rps median %.0f max %.0f   cpu all %s" % (k, s[len(s)//2], s[0], t[len(t)//2], t[-1], c[k]))
'
