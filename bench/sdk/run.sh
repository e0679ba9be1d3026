#!/usr/bin/env bash
# The TypeScript SDK's figures for docs/BENCHMARKS.md: the browser bundle's size (minified + gzip) and
# the time from a server-side drop to the game back in its room, over `runs` runs of 100 drops each,
# with the median of each percentile over the runs.
#   bench/sdk/run.sh [build-dir] [runs]
set -euo pipefail
BUILD="$(cd "${1:-build}" && pwd)"
RUNS="${2:-3}"
HERE="$(cd "$(dirname "$0")" && pwd)"
SDK="$HERE/../../clients/typescript"
(cd "$SDK" && npm run --silent build >/dev/null)
echo "== bundle size (dist/, minified; gzip -9)"
node "$HERE/bundle-size.mjs"
echo "== server-side drop -> resumed, 100 drops per run"
out="$(mktemp)"
for run in $(seq 1 "$RUNS"); do
    node "$HERE/reconnect.mjs" "$BUILD/server/arena-server" 100 | tee -a "$out"
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for key in p50_ms p99_ms max_ms mean_backoff_ms without_backoff_p50_ms without_backoff_p99_ms; do
    echo "median $key over $RUNS runs: $(sed -n "s/.*\"$key\":\([0-9.]*\).*/\1/p" "$out" | median)"
done
rm -f "$out"
