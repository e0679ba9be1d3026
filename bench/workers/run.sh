#!/usr/bin/env bash
# Worker pool benchmarks of issue 4, against real arena-server / arena-worker processes.
#   bench/workers/run.sh [build-dir] [runs] [scenario...]
# Scenarios (default: both):
#   ticks    duels per worker at a 20 Hz tick: one worker, N duels of 2 idle players each (arena-loadtest
#            --room-type duel), for N in $ARENA_BENCH_MATCHES (default "250 500 1000 2000 4000"); after the
#            joins, 5 samples of /workers/stats one second apart: the worker's p99 and max tick lag over
#            each watchdog interval, and its CPU
#   restore  100 duels on one worker; kill -9 it; the time from the kill to the server's log line
#            "restored N matches in X ms" (its timestamp; X is counted from the moment the server saw the
#            exit). Once with --workers-min 1 (100 duels on the one worker; the replacement process must
#            start before they can be restored) and once with --workers-min 2 (50 on each; the other worker
#            takes them).
set -euo pipefail
BUILD="${1:-build}"
RUNS="${2:-3}"
shift $(( $# >= 2 ? 2 : $# ))
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -eq 0 ] && SCENARIOS=(ticks restore)
SERVER="$BUILD/server/arena-server"
LOADTEST="$BUILD/tools/loadtest/arena-loadtest"
for bin in "$SERVER" "$LOADTEST" "$BUILD/worker/arena-worker"; do
    [ -x "$bin" ] || { echo "run.sh: $bin not found; build first" >&2; exit 2; }
done
OUT="${ARENA_BENCH_OUT:-$(mktemp -d /tmp/arena-bench-workers.XXXXXX)}"
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

SERVER_PID=""
LOAD_PID=""
stop_all() {
    [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null || true
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
    LOAD_PID=""
}
trap stop_all EXIT

start_server() { # log, args...
    local log="$1"
    shift
    "$SERVER" --player-port 0 --admin-port 0 --instance-id bench --session-limit 20000 "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        PLAYER_PORT="$(sed -n 's/^arena-server ready player=\([0-9]*\) admin=\([0-9]*\).*/\1/p' "$log")"
        ADMIN_PORT="$(sed -n 's/^arena-server ready player=\([0-9]*\) admin=\([0-9]*\).*/\2/p' "$log")"
        [ -n "$PLAYER_PORT" ] && return 0
        sleep 0.1
    done
    echo "run.sh: arena-server did not start" >&2
    cat "$log" >&2
    exit 1
}

stats() { curl -s "http://127.0.0.1:$ADMIN_PORT/workers/stats"; }

wait_matches() { # count, timeout seconds
    local want="$1" deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        local have
        have="$(stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["pool"]["total_matches"])' 2>/dev/null || echo 0)"
        [ "$have" -ge "$want" ] && return 0
        sleep 0.2
    done
    return 1
}

ticks() {
    local run="$1"
    for n in ${ARENA_BENCH_MATCHES:-250 500 1000 2000 4000}; do
        start_server "$OUT/ticks-$n-$run.log" --workers-min 1 --workers-max 1 --worker-match-limit 100000 \
            --worker-watchdog-timeout 3s
        "$LOADTEST" --url "ws://127.0.0.1:$PLAYER_PORT" --quiet --json --mode join --room-type duel --room-size 2 \
            --rate 0 --clients $((2 * n)) --connect-rate 2000 --duration 600 --join-timeout 60 \
            >"$OUT/ticks-$n-$run.json" 2>/dev/null &
        LOAD_PID=$!
        if ! wait_matches "$n" 90; then
            echo "ticks n=$n run $run: the duels did not all start" >&2
            stop_all
            continue
        fi
        sleep 2
        : >"$OUT/ticks-$n-$run.samples"
        for _ in 1 2 3 4 5; do
            sleep 1
            stats >>"$OUT/ticks-$n-$run.samples"
            echo >>"$OUT/ticks-$n-$run.samples"
        done
        stop_all
        python3 - "$OUT/ticks-$n-$run.samples" "$n" "$run" <<'PY'
import json, statistics, sys
path, n, run = sys.argv[1:]
samples = [json.loads(l)["workers"][0] for l in open(path) if l.strip()]
p99 = [s["tick_lag_p99_ms"] for s in samples]
mx = [s["tick_lag_max_ms"] for s in samples]
cpu = [s["cpu_percent"] for s in samples]
ticks = [s["ticks_last_interval"] for s in samples]
print(f"ticks n={n} run {run}: p99 lag median {statistics.median(p99):.2f} ms (samples {', '.join(f'{v:.2f}' for v in p99)})  "
      f"max {max(mx):.2f} ms  worker CPU median {statistics.median(cpu):.0f} %  ticks per interval {statistics.median(ticks):.0f}  "
      f"RSS {samples[-1]['rss_kb']} kB")
PY
    done
}

restore() {
    local run="$1"
    for min in 1 2; do
        start_server "$OUT/restore-$min-$run.log" --workers-min "$min" --workers-max 2 --worker-match-limit 500
        # With two workers up, fill the first one only: one at a time, 100 duels land on the least loaded,
        # so start with one worker taking all of them, then bring the second up.
        "$LOADTEST" --url "ws://127.0.0.1:$PLAYER_PORT" --quiet --json --mode join --room-type duel --room-size 2 \
            --rate 0 --clients 200 --connect-rate 2000 --duration 600 --join-timeout 60 >/dev/null 2>&1 &
        LOAD_PID=$!
        wait_matches 100 60 || { echo "restore: duels did not start" >&2; stop_all; continue; }
        local victim
        victim="$(stats | python3 -c 'import json,sys; w=max(json.load(sys.stdin)["workers"], key=lambda w: w["matches"]); print(w["pid"], w["matches"])')"
        local pid="${victim% *}" count="${victim#* }"
        local killed_ms
        killed_ms="$(date +%s%3N)"
        kill -KILL "$pid"
        for _ in $(seq 1 500); do
            grep -q "restored [0-9]* matches in" "$OUT/restore-$min-$run.log" && break
            sleep 0.02
        done
        # The server's log line carries its own clock (the same as ours), to the millisecond.
        python3 - "$OUT/restore-$min-$run.log" "$killed_ms" "$count" "$min" "$run" <<'PY'
import datetime, re, sys
log, killed_ms, count, min_workers, run = sys.argv[1:]
for line in open(log):
    m = re.match(r"(\S+Z) .*restored (\d+) matches in (\d+) ms", line)
    if m:
        at = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        total = at.timestamp() * 1000 - int(killed_ms)
        print(f"restore workers-min={min_workers} run {run}: {count} matches on the killed worker; "
              f"{m.group(2)} restored {total:.0f} ms after kill -9 ({m.group(3)} ms after the server saw the exit)")
        break
else:
    print(f"restore workers-min={min_workers} run {run}: no restore line in the log")
PY
        stop_all
    done
}

for run in $(seq 1 "$RUNS"); do
    for s in "${SCENARIOS[@]}"; do
        "$s" "$run"
    done
done
echo "output in $OUT"
