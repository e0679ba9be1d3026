#!/usr/bin/env bash
# Console benchmark of issue 6: bench_console (bench/console/consolebench.cpp) with a synthetic fleet of 50
# instances at 1 Hz, an hour of history pre-filled, the real MainWindow on the offscreen platform:
#   repaint   per tick of 50 snapshots + a fleet push, ChartGrid::refresh() and the deferred paint of the
#             window, whole fleet and one instance, 200 ticks each (median, p95)
#   RSS       VmRSS after the pre-fill and every synthetic minute of 30 minutes fed as fast as possible
#             (the charts redraw at their own 250 ms throttle): start, max, end, drift
# Runs it `runs` times with the 1-hour window and prints each run and the medians; then once with the
# 24-hour window for context (ARENA_BENCH_CONSOLE_24H=0 skips it).
#   bench/console/run.sh [build-dir] [runs]
# Environment: ARENA_BENCH_OUT=dir (default: a new temp dir, printed), ARENA_BENCH_CONSOLE_24H.
set -euo pipefail
BUILD="${1:-build}"
RUNS="${2:-3}"
BENCH="$BUILD/bench/console/bench_console"
[ -x "$BENCH" ] || { echo "run.sh: $BENCH not found; build bench_console first" >&2; exit 2; }
OUT="${ARENA_BENCH_OUT:-$(mktemp -d /tmp/arena-bench-console.XXXXXX)}"
mkdir -p "$OUT"
echo "console bench: output in $OUT; load before: $(cat /proc/loadavg)"

KEYS="repaint_fleet_median_ms repaint_fleet_p95_ms repaint_fleet_refresh_median_ms repaint_fleet_paint_median_ms
repaint_instance_median_ms repaint_instance_p95_ms repaint_instance_refresh_median_ms repaint_instance_paint_median_ms
repaint_fleet_grab_median_ms repaint_instance_grab_median_ms rss_after_prefill_kb
accel_fleet_rss_start_kb accel_fleet_rss_max_kb accel_fleet_rss_end_kb accel_fleet_rss_drift_pct accel_fleet_wall_s
accel_fleet_refreshes prefill_wall_s"

value() { sed -n "s/^$1=//p" "$2"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for run in $(seq 1 "$RUNS"); do
    "$BENCH" --window 1h >"$OUT/run-$run.txt"
    line="run=$run"
    for key in $KEYS; do line="$line $key=$(value "$key" "$OUT/run-$run.txt")"; done
    echo "$line load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)"
done
line="medians over $RUNS runs:"
for key in $KEYS; do
    line="$line $key=$(for run in $(seq 1 "$RUNS"); do value "$key" "$OUT/run-$run.txt"; done | median)"
done
echo "$line"

if [ "${ARENA_BENCH_CONSOLE_24H:-1}" != 0 ]; then
    "$BENCH" --window 24h >"$OUT/run-24h.txt"
    line="window=24h (1 run):"
    for key in $KEYS; do line="$line $key=$(value "$key" "$OUT/run-24h.txt")"; done
    echo "$line"
fi
echo "load after: $(cat /proc/loadavg)"
