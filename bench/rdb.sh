#!/usr/bin/env bash
# Side-by-side RDB benchmarks (issue: RDB codec): a >= 1 GB mixed RDB and a 1 GB single-list
# RDB, generated under $BENCH_DIR (default: a temp dir, removed at the end). Measures decode
# and encode MB/s, then wall time and peak RSS of `redisctl rdb check`, `redisctl rdb dump`
# and redis-check-rdb on the same files, in one sitting.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}
RUNS=${RUNS:-3}
dir=${BENCH_DIR:-$(mktemp -d)}
cleanup() { [ -z "${BENCH_DIR:-}" ] && rm -rf "$dir"; }
trap cleanup EXIT
go build -o bin/redisctl ./cmd/redisctl
go build -o bin/rdbgen ./bench/rdbgen
go build -o bin/rdbspeed ./bench/rdbspeed
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); date: $(date -u +%F)"
# The machine may be shared: the load average is printed beside every measurement.
load() { cut -d' ' -f1-3 /proc/loadavg; }
for kind in mixed list; do
  f="$dir/$kind.rdb"
  [ -f "$f" ] || bin/rdbgen -kind "$kind" -size "$SIZE" -out "$f" >/dev/null
  echo "== $kind: $(du -h "$f" | cut -f1)"
  echo "load $(load)"
  bin/rdbspeed -runs "$RUNS" "$f"
  echo "load $(load)"
  for cmd in "bin/redisctl rdb check $f" "redis-check-rdb $f" "bin/redisctl rdb dump $f"; do
    /usr/bin/time -f "%e s wall, %M KB peak RSS" -o "$dir/time" $cmd >/dev/null 2>&1 || true
    printf '%-60s %s, load %s\n' "${cmd/$dir\//}" "$(cat "$dir/time" | tail -1)" "$(load)"
  done
done
