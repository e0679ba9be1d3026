#!/usr/bin/env bash
# Runs all of Arena's benchmarks (Redis client against a private redis-server, protocol codec, server
# load, worker pool, agent overhead and latency, console repaint and memory, the TypeScript SDK's bundle
# size and reconnection time) and prints the figures for
# docs/BENCHMARKS.md.
#   bench/run.sh [build-dir] [runs]
# Redis client: redis-benchmark and bench_redis_pipeline alternate against the same redis-server, so
# each ratio is measured in one run; the medians over the runs are printed at the end.
set -euo pipefail
BUILD="${1:-build}"
RUNS="${2:-5}"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null &
REDIS=$!
trap 'kill $REDIS 2>/dev/null' EXIT
for _ in $(seq 1 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for clients in 1 50; do
    : >"/tmp/arena-bench-ratio-$clients"
    for run in $(seq 1 "$RUNS"); do
        theirs="$(redis-benchmark -p "$PORT" -t set -P 16 -c "$clients" -n 1000000 -q 2>/dev/null \
                  | tr '\r' '\n' | sed -n 's/^SET: \([0-9.]*\) requests per second.*/\1/p' | tail -1)"
        ours="$("$BUILD/bench/redis/bench_redis_pipeline" --port "$PORT" --clients "$clients" \
                --pipeline 16 --requests 1000000 | sed -n 's/^arena SET: \([0-9]*\)\/s.*/\1/p')"
        ratio="$(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}')"
        echo "clients=$clients run=$run redis-benchmark=$theirs arena=$ours ratio=$ratio"
        echo "$ratio" >>"/tmp/arena-bench-ratio-$clients"
    done
    echo "clients=$clients median ratio over $RUNS runs: $(median <"/tmp/arena-bench-ratio-$clients")"
done

if [ -x "$BUILD/bench/protocol/bench_protocol" ]; then
    "$BUILD/bench/protocol/bench_protocol" --benchmark_repetitions="$RUNS" --benchmark_report_aggregates_only=true
fi

# The server, worker-pool and agent benchmarks start their own processes (a fresh server per run).
HERE="$(cd "$(dirname "$0")" && pwd)"
"$HERE/server/run.sh" "$BUILD" "$RUNS"
"$HERE/workers/run.sh" "$BUILD" 3
"$HERE/agent/run.sh" "$BUILD" 3
# The console benchmark needs no server: a synthetic fleet fed to the real window (offscreen platform).
if [ -x "$BUILD/bench/console/bench_console" ]; then
    "$HERE/console/run.sh" "$BUILD" 3
fi
# The TypeScript SDK (needs Node.js and clients/typescript/node_modules: ./arena.sh setup).
if [ -d "$HERE/../clients/typescript/node_modules" ]; then
    "$HERE/sdk/run.sh" "$BUILD" 3
fi
