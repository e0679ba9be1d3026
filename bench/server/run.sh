#!/usr/bin/env bash
# Server benchmarks of issue 3: arena-loadtest against arena-server (in-memory store), a fresh server per
# run, medians over the runs. Prints one line per run and a summary table for docs/BENCHMARKS.md.
#   bench/server/run.sh [build-dir] [runs] [scenario...]
# Scenarios (default: all):
#   relay200   200 clients, relay rooms of 4, 10 msg/s each, 10 s  (2,000 sends/s, 8,000 deliveries/s)
#   relay1000  1000 clients, relay rooms of 4, 2 msg/s each, 10 s  (2,000 sends/s, 8,000 deliveries/s)
#   relay1000x10  the same at 10 msg/s each (10,000 sends/s, 40,000 deliveries/s): what a busier loop costs
#   idle10k    10,000 idle sessions: server RSS increment from 0 to 10,000 sessions, per session
# Environment:
#   ARENA_BENCH_NODELAY=1   preload bench/server/nodelay.c into the server (TCP_NODELAY on accepted
#                           sockets), a diagnostic of what Nagle's algorithm costs; off by default
#   ARENA_BENCH_OUT=dir     where the JSON reports go (default: a new temp dir, printed)
#   ARENA_BENCH_SERVER_ARGS="--player-transport qt"   extra arena-server arguments for every run
#                           (split on whitespace), e.g. to compare the player transports
# The load generator runs on the same 2-core machine as the server and competes with it for CPU; its
# own CPU share is printed with every run.
set -euo pipefail
BUILD="${1:-build}"
RUNS="${2:-3}"
shift $(( $# >= 2 ? 2 : $# ))
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -eq 0 ] && SCENARIOS=(relay200 relay1000 relay1000x10 idle10k)
SERVER="$BUILD/server/arena-server"
LOADTEST="$BUILD/tools/loadtest/arena-loadtest"
for bin in "$SERVER" "$LOADTEST"; do
    [ -x "$bin" ] || { echo "run.sh: $bin not found; build arena-server and arena-loadtest first" >&2; exit 2; }
done
OUT="${ARENA_BENCH_OUT:-$(mktemp -d /tmp/arena-bench-server.XXXXXX)}"
mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"

read -r -a EXTRA_SERVER_ARGS <<<"${ARENA_BENCH_SERVER_ARGS:-}"

PRELOAD=""
if [ "${ARENA_BENCH_NODELAY:-0}" = 1 ]; then
    cc -shared -fPIC -O2 -o "$OUT/nodelay.so" "$HERE/nodelay.c" -ldl
    PRELOAD="$OUT/nodelay.so"
fi

# 10,000 sessions need 10,000 sockets in each process, plus a margin.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10500 ]; then
    echo "run.sh: the open-file limit is $(ulimit -n); idle10k needs about 10,500 (raise the hard limit)" >&2
fi

SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
trap stop_server EXIT

# Starts a fresh server on free ports; sets SERVER_PID and PLAYER_PORT.
start_server() {
    local log="$1"
    shift
    : >"$log"
    LD_PRELOAD="$PRELOAD" "$SERVER" --player-port 0 --admin-port 0 --instance-id bench "$@" \
        ${EXTRA_SERVER_ARGS[@]+"${EXTRA_SERVER_ARGS[@]}"} >"$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        PLAYER_PORT="$(sed -n 's/^arena-server ready player=\([0-9]*\) .*/\1/p' "$log")"
        [ -n "$PLAYER_PORT" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "run.sh: arena-server did not start:" >&2
    cat "$log" >&2
    exit 1
}

run_scenario() {
    local name="$1" run="$2"
    local server_args=() load_args=()
    case "$name" in
    relay200) load_args=(--clients 200 --room-size 4 --rate 10 --duration 10 --connect-rate 500) ;;
    relay1000) load_args=(--clients 1000 --room-size 4 --rate 2 --duration 10 --connect-rate 500) ;;
    relay1000x10) load_args=(--clients 1000 --room-size 4 --rate 10 --duration 10 --connect-rate 500) ;;
    idle10k)
        server_args=(--session-limit 11000)
        load_args=(--mode connect --rate 0 --clients 10000 --duration 5 --connect-rate 1000 --join-timeout 30)
        ;;
    *) echo "run.sh: unknown scenario $name" >&2; exit 2 ;;
    esac
    start_server "$OUT/$name-$run.server.log" "${server_args[@]}"
    # Let the server settle (first store check, allocator warm-up) before the "before" sample.
    sleep 1
    local status=0
    "$LOADTEST" --url "ws://127.0.0.1:$PLAYER_PORT" --server-pid "$SERVER_PID" --json --quiet \
        "${load_args[@]}" >"$OUT/$name-$run.json" || status=$?
    stop_server
    python3 - "$OUT/$name-$run.json" "$name" "$run" "$status" <<'PY'
import json, sys
path, name, run, status = sys.argv[1:]
r = json.load(open(path))
s, l, m = r["server"], r["latency_ms"], r["messages"]
print(f"{name} run {run}: exit {status}  joined {r['clients']['joined']}/{r['clients']['requested']}  "
      f"delivered/s {m['delivered_per_second']:.0f}  p50 {l['p50']:.3f} ms  p99 {l['p99']:.3f} ms  "
      f"max {l['max']:.3f} ms  server CPU {s.get('cpu_us_per_delivery', -1):.2f} us/delivery "
      f"({s.get('cpu_percent', -1):.0f} %)  RSS {s['after']['rss_kb']} kB  "
      f"{s.get('rss_kb_per_session', -1):.2f} kB/session  loadgen CPU {r['loadgen'].get('cpu_percent', -1):.0f} %  "
      f"errors {r['errors']['total']}  disconnects {r['disconnects']}")
PY
}

for name in "${SCENARIOS[@]}"; do
    for run in $(seq 1 "$RUNS"); do
        run_scenario "$name" "$run"
    done
done

python3 - "$OUT" "$RUNS" "${SCENARIOS[@]}" <<'PY'
import json, statistics, sys
out, runs, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def med(values):
    return statistics.median(values) if values else float("nan")
print(f"\nmedians over {runs} runs (reports in {out}):")
print("| scenario | deliveries/s | p50 ms | p99 ms | server CPU µs/delivery | server CPU % | server RSS after kB | RSS kB/session | loadgen CPU % |")
print("|---|---|---|---|---|---|---|---|---|")
for name in names:
    reports = [json.load(open(f"{out}/{name}-{i}.json")) for i in range(1, runs + 1)]
    col = lambda f: med([f(r) for r in reports])
    print(f"| {name} | {col(lambda r: r['messages']['delivered_per_second']):.0f} "
          f"| {col(lambda r: r['latency_ms']['p50']):.3f} | {col(lambda r: r['latency_ms']['p99']):.3f} "
          f"| {col(lambda r: r['server']['cpu_us_per_delivery']):.2f} | {col(lambda r: r['server']['cpu_percent']):.0f} "
          f"| {col(lambda r: r['server']['after']['rss_kb']):.0f} | {col(lambda r: r['server']['rss_kb_per_session']):.2f} "
          f"| {col(lambda r: r['loadgen']['cpu_percent']):.0f} |")
PY
