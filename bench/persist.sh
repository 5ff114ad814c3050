#!/usr/bin/env bash
# Side-by-side persistence benchmarks (issue: RDB persistence): redis-server 7.0.15 and
# redisctl serve on the same mixed dataset (bench/persistgen: 5 M keys, 640 MB RDB, about
# 1 GB in memory, 40 big keys of 100k elements):
#   1. RDB load at startup ("DB loaded from disk: x seconds" of each log), RSS after;
#   2. SAVE wall time (redis-cli, best of $RUNS);
#   3. BGSAVE under a redis-benchmark SET load: write p99 and max latency idle vs during
#      the snapshot, the SETs slower than 5 and 10 ms, extra memory during the snapshot
#      (RSS sampled every 200 ms; for Redis the parent's and the child's RSS, and
#      rdb_last_cow_size). Each run's line, with its end time from the BGSAVE (t=), is
#      kept in $BENCH_DIR/<who>-bgbench-<round>; the last round's raw redis-benchmark
#      outputs in $BENCH_DIR/<who>/runs. Beside each window's latencies, the
#      machine's own stalls over 5 and 10 ms, measured by bench/stallprobe (root): see
#      probe_start; and for each run with SETs over 10 ms, the machine stalls inside it.
# Servers run one after the other (memory); everything under $BENCH_DIR. CONTROL_RUNS=n
# runs n SET runs without a BGSAVE instead (the RSS the load alone adds, and its
# latencies, in $BENCH_DIR/<who>/controlbench). ROUNDS=n repeats the idle runs and the
# BGSAVE on one server, after ROUND_PAUSE seconds of rest each. LOAD=inplace replaces the
# SET load with changes in place to the 40 big keys (see set_load).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/persistbench}
RUNS=${RUNS:-2}
N=${N:-50000}
ONLY_BGSAVE=${ONLY_BGSAVE:-}
# SNAP=bgrewriteaof: the snapshot under the SET load is a BGREWRITEAOF (the AOF stays
# off; the base goes to appendonlydir), with aof-use-rdb-preamble $PREAMBLE (yes): "no"
# writes a command base. The default, SNAP=bgsave, is a BGSAVE.
SNAP=${SNAP:-bgsave}
cowfield=rdb_last_cow_size
[ "$SNAP" = bgrewriteaof ] && cowfield=aof_last_cow_size
# ONLY_LOAD=1: start each server, report its load, stop it. Where a server starts
# matters on this VM: right after another server stopped, our load took 4.9-5.9 s; as
# the first server of a sitting, 6.6-11.3 s (the guest hands free memory back to the
# host, which must back it again). Compare loads in the same position: name each server
# twice, alternating (WHO="redisctl redis redisctl redis"), and read the last two.
mkdir -p "$dir"
rm -f "$dir/.nap"; mkfifo "$dir/.nap"; exec {NAPFD}<>"$dir/.nap"
bin=${REDISCTL_BIN:-bin/redisctl} # REDISCTL_BIN: an experiment's binary instead of the tree's
[ -n "${REDISCTL_BIN:-}" ] || go build -o bin/redisctl ./cmd/redisctl
go build -o bin/persistgen ./bench/persistgen
go build -o bin/stallprobe ./bench/stallprobe
data="$dir/mixed5m.rdb"
[ -f "$data" ] || bin/persistgen -keys 5000000 -out "$data"
load() { cut -d' ' -f1-3 /proc/loadavg; }
# rss PID: VmRSS in kB, read with shell builtins only: the sampling loops below run
# beside the benchmark on the same two cores, and a process per sample (awk, pgrep,
# redis-cli) every 50 ms measurably slowed both servers' clients.
rss() {
  rss_of "$1"
  echo "$RSS"
}
# rss_of PID: the same into $RSS, without the subshell $(rss PID) costs (a fork).
rss_of() {
  local k v _
  RSS=0
  { while read -r k v _; do [ "$k" = VmRSS: ] && RSS=$v; done < "/proc/$1/status"; } 2>/dev/null
  return 0 # the loop's status is its last test's (set -e)
}
# nap: a 0.2 s sleep without a process (read's timeout on a FIFO nobody writes).
nap() { read -r -t 0.2 -u "$NAPFD" _ || true; }
# compact_stalls: the kernel's direct compactions so far (machine-wide), the stalls a
# page fault takes when it wants a huge page and none is free.
compact_stalls() { awk '/^compact_stall /{print $2}' /proc/vmstat; }
# kids_of PID: its children's pids (a fork child: Redis) into $KIDS, without a process.
kids_of() {
  local f c
  KIDS=""
  for f in /proc/$1/task/*/children; do
    c=()
    { read -r -a c < "$f"; } 2>/dev/null || true # no newline at its end: read says EOF
    KIDS="$KIDS ${c[*]}"
  done
  return 0
}
# damon_applied: bytes the machine's DAMON schemes have acted on so far (the pageout of
# memory left unused for a while), summed over its schemes; empty without DAMON.
damon_applied() {
  local d=/sys/kernel/mm/damon/admin/kdamonds t=0 f v
  [ -w "$d/0/state" ] || return 0
  for f in "$d"/*/state; do echo update_schemes_stats > "$f" 2>/dev/null || true; done
  for f in "$d"/*/contexts/*/schemes/*/stats/sz_applied; do read -r v < "$f" && t=$((t + v)); done
  echo "$t"
}
# The machine's own stalls: bench/stallprobe runs a thread per CPU at SCHED_FIFO priority
# 50 that wakes every 1 ms (cyclictest's measure, with times). Such a thread preempts
# every ordinary process the moment its timer fires, so a wake-up 10 ms late means that
# CPU did not run anything for 10 ms: the hypervisor stopped it, or it ran with interrupts
# off. No process's CPU use or scheduling causes that; memory handed back to the host can
# (free page reporting: BENCHMARKS.md). probe_start FILE starts it for a window (30 min
# at most); FILE gets a line per wake-up over 5 ms late ("cpu late-ms start-unix-ns").
# probe_stop ends it and prints the counts over 5 and 10 ms, and the latest. Root only
# (FIFO). Its threads wake 1000 times a second on each CPU, a cost both servers share.
PROBE=""
if [ "$(id -u)" = 0 ]; then PROBE=1; fi
probe_start() {
  [ -n "$PROBE" ] || return 0
  bin/stallprobe -d 1800s -over 5ms -mem 100ms >"$1" 2>&1 &
  probe_pid=$!
}
probe_pid=""
trap '[ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null || true' EXIT # set -e: a failed kill (the probe already ended) would be the exit status
probe_stop() { # FILE -> "machine stalls … over 5 ms: n, over 10 ms: m, max x ms"
  if [ -z "$PROBE" ]; then echo "machine stalls: no probe (bench/stallprobe, as root)"; return; fi
  # SIGINT: the probe prints its per-CPU maxima and ends. Called in $(…) too, where the
  # probe is not a child to wait for: poll, 10 s at most.
  kill -INT "$probe_pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$probe_pid" 2>/dev/null || break; sleep 0.05; done
  awk '!/^#/ && NF == 3 {n5++; if ($2 + 0 >= 10) n10++}
    /^# cpu/ {if ($7 + 0 > mx) mx = $7 + 0}
    END {printf "machine stalls (stallprobe, a FIFO thread per CPU) over 5 ms: %d, over 10 ms: %d, max %.1f ms\n", n5, n10, mx}' "$1"
}
# slow_runs BENCHFILE PROBEFILE: each run with SETs over 10 ms (its window: a0..a1, unix
# ns), the machine stalls over 5 ms that overlap it, and the share of the CPUs the
# hypervisor gave to something else during it (steal: the probe's samples every 100 ms,
# ticks of 10 ms summed over the CPUs), beside the whole window's. Steal comes in pieces
# shorter than the probe's 5 ms too, and many of them add up within one request.
slow_runs() {
  awk -v ncpu="$(nproc)" 'NR == FNR {if ($1 == "m") {ns++; mt[ns] = $2; stl[ns] = $6} else if (NF == 3 && $1 !~ /^#/) {n++; c[n] = $1; l[n] = $2; st[n] = $3}; next}
    {o = 0; a0 = 0; a1 = 0; mx = ""
     for (i = 1; i <= NF; i++) {split($i, kv, "="); if (kv[1] == "over10") o = kv[2]; if (kv[1] == "a0") a0 = kv[2]; if (kv[1] == "a1") a1 = kv[2]; if (kv[1] == "max") mx = kv[2]}
     if (!w0) w0 = a0; w1 = a1
     if (o + 0 == 0) next
     runs++; m = ""; sr[runs] = a0; se[runs] = a1
     for (k = 1; k <= n; k++) if (st[k] + l[k] * 1e6 >= a0 && st[k] <= a1) m = m sprintf(" cpu%d %.1f ms", c[k], l[k])
     if (m != "") with++
     line[runs] = sprintf("     run to t=%s: %d SETs over 10 ms, max %s; machine stalls in it:%s", substr($NF, 3), o, mx, (m == "" ? " none" : m))}
    function steal(a, b,   i, x, y) {x = 0; y = 0; for (i = 1; i <= ns; i++) {if (mt[i] <= a) x = i; if (mt[i] <= b) y = i}
      if (!x || !y || y <= x) return -1; return (stl[y] - stl[x]) / (ncpu * (mt[y] - mt[x]) / 1e9)} # ticks of 10 ms -> % of all CPUs
    END {avg = steal(w0, w1)
      for (r = 1; r <= runs; r++) {v = steal(sr[r] - 1e8, se[r] + 1e8)
        printf "%s; steal %s\n", line[r], (v < 0 ? "n/a" : sprintf("%.0f%% (walk %.0f%%)", v, avg))}
      printf "     runs with SETs over 10 ms: %d, with a machine stall over 5 ms in the same run: %d\n", runs, with}' "$2" "$1"
}
# stall_context PROBEFILE T0NS: for each stall over 10 ms, when it began (seconds from
# T0NS) and the memory around it, from the probe's samples every 100 ms: MemFree's change
# over the 5 s before (memory handed back to the host follows a large free), Dirty and
# Writeback just before (page cache being written out), and the steal ticks the kernel
# counted from 1 s before to 1 s after.
stall_context() {
  awk -v t0="$2" '$1 == "m" {n++; mt[n] = $2; fr[n] = $3; di[n] = $4; wb[n] = $5; stl[n] = $6; next}
    !/^#/ && NF == 3 && $2 + 0 >= 10 {k++; sc[k] = $1; sl[k] = $2; ss[k] = $3}
    END {for (j = 1; j <= k; j++) {
      b = 0; b5 = 0; a = 0
      for (i = 1; i <= n; i++) {if (mt[i] <= ss[j]) b = i; if (mt[i] <= ss[j] - 5e9) b5 = i; if (!a && mt[i] >= ss[j] + 1e9) a = i}
      if (!b) continue; if (!b5) b5 = 1; if (!a) a = n
      bs = b; while (bs > 1 && mt[bs] > ss[j] - 1e9) bs--
      printf "     stall cpu%d %.1f ms at %+.2f s: MemFree %+d MB over the 5 s before; Dirty %d MB, Writeback %d MB; steal +%d ticks (±1 s)\n",
        sc[j], sl[j], (ss[j] - t0) / 1e9, (fr[b] - fr[b5]) / 1024, di[b] / 1024, wb[b] / 1024, stl[a] - stl[bs]}}' "$1"
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); date: $(date -u '+%F %H:%M')"
echo "dataset: $(du -h "$data" | cut -f1)"
# set_load PORT N: one run of the SET load (the idle runs and the walk's are the same),
# redis-benchmark's raw output on stdout. LOAD=inplace makes it changes in place to the
# dataset's 40 big keys instead, one key per run and the next one the run after (HSET of a
# new field, SADD, ZINCRBY of a new member, LPUSH, by the key's type): each run's first
# change to a key the walk has not reached runs the snapshot's hook on the whole value.
load_n=0
set_load() {
  if [ "${LOAD:-}" = inplace ]; then
    local m key
    m=$((load_n % 40)); load_n=$((load_n + 1))
    printf -v key 'key:%012d' $((62500 + 125000 * m)) # bench/persistgen's big keys
    case $((m % 4)) in
      0) set -- "$1" "$2" HSET "$key" field:__rand_int__ x ;;
      1) set -- "$1" "$2" SADD "$key" member:__rand_int__ ;;
      2) set -- "$1" "$2" ZINCRBY "$key" 1 m:__rand_int__ ;;
      3) set -- "$1" "$2" LPUSH "$key" x ;;
    esac
    redis-benchmark -p "$1" -n "$2" -r 100000 -c 20 "${@:3}" 2>/dev/null
    return
  fi
  redis-benchmark -p "$1" -t set -n "$2" -r 5000000 -d 64 -c 20 2>/dev/null
}
bench() { # port n -> "p99=… max=… rps=… over5=… over10=…"
  set_load "$1" "$2" | bench_parse "$2"
}
bench_parse() { # n < redis-benchmark's output -> "p99=… max=… rps=… over5=… over10=…"
  # over5/over10: requests slower than 5.1 / 10.1 ms, from redis-benchmark's cumulative
  # distribution (1 ms buckets past 2 ms, printed where the count changes).
  tr '\r' '\n' |
    awk -v n="$1" '
      /^Cumulative distribution/ {cum=1; next}
      cum && /milliseconds \(cumulative count/ {
        v=$3+0; c=$NF; sub(/\)/,"",c)
        if (v <= 5.2) c5=c; if (v <= 10.2) c10=c }
      /^Summary/ {cum=0}
      /throughput summary/ {rps=$3}
      /^ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ *$/ {p99=$5; mx=$6}
      END {print "p99=" p99 "ms max=" mx "ms rps=" rps " over5=" n-c5 " over10=" n-c10}'
}
# stats FILE -> a summary of bench lines: runs, p99 median and worst, max, requests past
# 5 and 10 ms.
stats() {
  local p99s n med worst mx o5 o10
  p99s=$(sed 's/p99=\([0-9.]*\)ms.*/\1/' "$1" | sort -g)
  n=$(echo "$p99s" | grep -c . || true)
  med=$(echo "$p99s" | sed -n "$(( (n+1)/2 ))p"); worst=$(echo "$p99s" | tail -1)
  mx=$(sed 's/.*max=\([0-9.]*\)ms.*/\1/' "$1" | sort -g | tail -1)
  o5=$(sed 's/.*over5=\([0-9]*\).*/\1/' "$1" | paste -sd+ | bc)
  o10=$(sed 's/.*over10=\([0-9]*\).*/\1/' "$1" | paste -sd+ | bc)
  echo "$n runs ($((n * N)) SETs), p99 median ${med} ms worst ${worst} ms, max ${mx} ms; SETs over 5 ms: $o5, over 10 ms: $o10"
}
# walk_load COND: back-to-back redis-benchmark runs of $N SETs on $port while COND (a
# shell function) holds, RSS sampled every 0.2 s meanwhile (peaks against $base into
# $peak, and $cpeak for a fork child's), each run's line appended to $out with its window
# (a0/a1, unix ns) and its end from the start (t=, seconds); raw outputs in $runs (tmpfs);
# sets s/e (start and end, seconds) and s_ns. The BGSAVE's walk and the control without
# one use this same loop, so their latencies compare.
# While it runs, the harness starts two processes per run (redis-cli for INFO when COND
# asks, redis-benchmark) and none to sample: the clock is bash's $EPOCHREALTIME, each
# run's output is kept raw and read after the loop, the memory sampler uses builtins
# only. Shell pipelines (tr, awk, bc, date, sleep: a dozen processes a run) on the same
# two cores were measurably in the way of both servers' clients.
walk_load() {
  local t k a0 a1 bp
  peak=$base; cpeak=0; t=$EPOCHREALTIME; s_ns=${t/./}000; s=$t
  ( k=0; while "$1"; do k=$((k + 1)); t=$EPOCHREALTIME; a0=${t/./}000
      set_load $port "$N" > "$runs/$k"
      t=$EPOCHREALTIME; echo "$k ${a0} ${t/./}000"; done > "$runs/times" ) & bp=$!
  while kill -0 $bp 2>/dev/null; do
    rss_of $pid; [ "$RSS" -gt "$peak" ] && peak=$RSS
    kids_of $pid; for c in $KIDS; do rss_of $c; [ "$RSS" -gt "$cpeak" ] && cpeak=$RSS; done
    nap
  done
  e=$EPOCHREALTIME
  wait $bp || true
  while read -r k a0 a1; do
    echo "$(bench_parse "$N" < "$runs/$k") a0=$a0 a1=$a1 t=$(( (a1 - s_ns) / 1000000000 )).$(printf %09d $(( (a1 - s_ns) % 1000000000 )))"
  done < "$runs/times" >> "$out"
  return 0
}
for who in ${WHO:-redis redisctl}; do
  d="$dir/$who"; rm -rf "$d"; mkdir -p "$d"; cp "$data" "$d/dump.rdb"
  port=$((17600 + RANDOM % 300))
  if [ $who = redis ]; then
    redis-server --port $port --dir "$d" --save "" --appendonly no --logfile "$d/log" &
  else
    # stderr (GODEBUG=gctrace=1 lines, if set) goes to $d/stderr. LOGLEVEL=verbose (the
    # default) logs the walk's line, and also a line per connection accepted and closed,
    # which Redis at its notice level does not write: LOGLEVEL=notice for the same log.
    "$bin" serve --port $port --dir "$d" --save "" --appendonly no --logfile "$d/log" \
      --loglevel "${LOGLEVEL:-verbose}" 2>"$d/stderr" &
  fi
  pid=$!
  until redis-cli -p $port ping 2>/dev/null | grep -q PONG; do sleep 0.2; done
  echo "== $who (pid $pid) load $(load)"
  grep -h "DB loaded from disk\|Done loading" "$d/log" | sed 's/^.*[*#] /   /'
  echo "   keys: $(redis-cli -p $port dbsize), RSS after load: $(( $(rss $pid) / 1024 )) MB"
  if [ -n "${ONLY_LOAD:-}" ]; then # the load alone: WHO="redisctl redis redisctl redis"
    redis-cli -p $port shutdown nosave >/dev/null 2>&1 || true
    wait $pid 2>/dev/null || true
    continue
  fi
  if [ -z "$ONLY_BGSAVE" ]; then
    for i in $(seq "$RUNS"); do
      s=$(date +%s.%N); redis-cli -p $port save >/dev/null; e=$(date +%s.%N)
      echo "   SAVE: $(echo "$e - $s" | bc) s (load $(load))"
    done
  fi
  if [ -n "${CONTROL_RUNS:-}" ]; then
    # Control for the memory figure: the same SET load, CONTROL_RUNS runs, on this fresh
    # server without a BGSAVE. The load's own garbage grows RSS until Go's GC (GOGC 100 over
    # a 1.4 GB heap: none in a minute of SETs); extra memory of a BGSAVE = its RSS growth
    # minus this one over as many runs.
    for i in 1 2 3; do echo "   idle SET load: $(bench $port "$N") (load $(load))"; done
    out="$d/controlbench"; : > "$out"
    runs=$(mktemp -d /dev/shm/persistbench.XXXXXX)
    probe_start "$d/probe-control"
    left=$CONTROL_RUNS; base=$(rss $pid)
    # The same INFO per run as the walk's inprog, so both start the same processes.
    counted() { redis-cli -p $port info persistence >/dev/null; [ "$left" -gt 0 ] && left=$((left - 1)); }
    walk_load counted
    echo "   control: $CONTROL_RUNS runs of $N SETs without BGSAVE in $(echo "$e - $s" | bc) s: RSS before $((base/1024)) MB, peak $((peak/1024)) MB (+$(( (peak-base)/1024 )) MB)"
    echo "   control SET load: $(stats "$out"); $(probe_stop "$d/probe-control")"
    rm -rf "$d/runs"; mv "$runs" "$d/runs"
    [ -n "$PROBE" ] && slow_runs "$out" "$d/probe-control"
    redis-cli -p $port shutdown nosave >/dev/null 2>&1 || true
    wait $pid 2>/dev/null || true
    continue
  fi
  for round in $(seq "${ROUNDS:-1}"); do # ROUNDS: repeat the idle runs and the BGSAVE on one server
  [ "${ROUNDS:-1}" -gt 1 ] && echo "   -- round $round"
  # ROUND_PAUSE: seconds of rest before a round. The previous BGSAVE's rename unlinks the
  # old dump and frees its page cache; on a VM with free page reporting (virtio_balloon)
  # the host takes those pages back about two seconds later, and both vCPUs stop for
  # 10-30 ms meanwhile (BENCHMARKS.md): without a rest that lands in the next walk.
  [ "$round" -gt 1 ] && sleep "${ROUND_PAUSE:-0}"
  probe_start "$d/probe-$round-idle"
  for i in 1 2 3; do echo "   idle SET load: $(bench $port "$N") (load $(load))"; done
  echo "   idle: $(probe_stop "$d/probe-$round-idle")"
  base=$(rss $pid)
  # BGSAVE under load: back-to-back redis-benchmark runs of $N SETs cover the whole
  # snapshot; each run's p99 and max are kept (worst max, median and worst p99 reported).
  out="$d/bgbench"; : > "$out"
  gc0=$(grep -c '^gc ' "$d/stderr" 2>/dev/null || true)
  cs0=$(compact_stalls)
  dam0=$(damon_applied)
  # The runs' raw outputs go to a memory file system, so the client's own writes (a
  # progress line every 250 ms) stay off the disk the snapshot is writing and syncing.
  # (Tried as a cause of the clients' stalls: it was not one, BENCHMARKS.md.)
  runs=$(mktemp -d /dev/shm/persistbench.XXXXXX)
  probe_start "$d/probe-$round-bgsave"
  # The load runs as long as the BGSAVE; the wall printed below runs to the end of the
  # load's last run, which overlaps the BGSAVE's end by less than one run (≈ 0.3 s).
  if [ "$SNAP" = bgrewriteaof ]; then
    inprog() { local i; i=$(redis-cli -p $port info persistence); [[ $i == *aof_rewrite_in_progress:1* ]]; }
    redis-cli -p $port config set aof-use-rdb-preamble "${PREAMBLE:-yes}" >/dev/null
    redis-cli -p $port bgrewriteaof >/dev/null
  else
    inprog() { local i; i=$(redis-cli -p $port info persistence); [[ $i == *rdb_bgsave_in_progress:1* ]]; }
    redis-cli -p $port bgsave >/dev/null
  fi
  walk_load inprog
  rm -rf "$d/runs"; mv "$runs" "$d/runs"
  stalls=$(probe_stop "$d/probe-$round-bgsave")
  dam1=$(damon_applied)
  summary=$(stats "$out")
  cp "$out" "$dir/$who-bgbench-$round" # kept past the next server's start
  echo "   $SNAP: $(echo "$e - $s" | bc) s; SET load during it: $summary (load $(load)); direct compactions (machine-wide): $(( $(compact_stalls) - cs0 ))"
  echo "   during the BGSAVE, $stalls"
  [ -n "$dam0" ] && echo "   DAMON (machine-wide) acted on $(( (dam1 - dam0) >> 20 )) MB during the BGSAVE"
  [ -n "$PROBE" ] && slow_runs "$out" "$d/probe-$round-bgsave" && stall_context "$d/probe-$round-bgsave" "$s_ns"
  echo "   RSS before $((base/1024)) MB, peak during $((peak/1024)) MB (+$(( (peak-base)/1024 )) MB); child peak RSS $((cpeak/1024)) MB; $(redis-cli -p $port info persistence | tr -d '\r' | grep "${cowfield}")"
  grep -h "Snapshot walk" "$d/log" 2>/dev/null | tail -1 | sed 's/^.*[*#-] /   /' || true
  if [ -s "$d/stderr" ] && grep -q '^gc ' "$d/stderr"; then # GODEBUG=gctrace=1
    echo "   GC cycles during BGSAVE: $(( $(grep -c '^gc ' "$d/stderr") - ${gc0:-0} )); last: $(grep '^gc ' "$d/stderr" | tail -1)"
  fi
  done
  redis-cli -p $port shutdown nosave >/dev/null 2>&1 || true
  wait $pid 2>/dev/null || true
done
