#!/usr/bin/env bash
# Where arena-server's time and memory go under arena-loadtest: one profile of a fresh server.
#   bench/server/profile.sh [build-dir] perf|callgrind|massif [clients] [rate]
#   perf       `perf record -e cpu-clock` on the running server for 5 s in the middle of a 10 s run
#              (software clock sampling: works without hardware counters; kernel symbols show the
#              syscalls); flat profile by symbol, kernel and user space together
#   callgrind  the server under valgrind --tool=callgrind (user space only, about 50x slower, so the
#              default load is lighter: 200 clients at 1 msg/s); top functions by own and inclusive cost
#   massif     the server's heap under valgrind --tool=massif with `clients` idle sessions (default
#              1000); the allocation sites at the peak
# Output goes to a temp dir, printed at the end.
set -euo pipefail
BUILD="${1:-build}"
TOOL="${2:-perf}"
SERVER="$BUILD/server/arena-server"
LOADTEST="$BUILD/tools/loadtest/arena-loadtest"
OUT="$(mktemp -d /tmp/arena-profile-server.XXXXXX)"
case "$TOOL" in
perf) CLIENTS="${3:-200}" RATE="${4:-10}" ;;
callgrind) CLIENTS="${3:-200}" RATE="${4:-1}" ;;
massif) CLIENTS="${3:-1000}" RATE=0 ;;
*) echo "profile.sh: tool must be perf, callgrind or massif" >&2; exit 2 ;;
esac

WRAP=()
case "$TOOL" in
callgrind) WRAP=(valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out") ;;
massif) WRAP=(valgrind --tool=massif --threshold=0.2 --massif-out-file="$OUT/massif.out") ;;
esac

"${WRAP[@]}" "$SERVER" --player-port 0 --admin-port 0 --instance-id profile --session-limit 20000 \
    >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill -TERM $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 1 600); do
    PORT="$(sed -n 's/^arena-server ready player=\([0-9]*\) .*/\1/p' "$OUT/server.log")"
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "profile.sh: arena-server did not start" >&2; cat "$OUT/server.log" >&2; exit 1; }

if [ "$TOOL" = massif ]; then
    "$LOADTEST" --url "ws://127.0.0.1:$PORT" --mode connect --rate 0 --clients "$CLIENTS" --duration 3 \
        --connect-rate 200 --join-timeout 60 --quiet >"$OUT/loadtest.txt" || true
else
    "$LOADTEST" --url "ws://127.0.0.1:$PORT" --server-pid "$SERVER_PID" --clients "$CLIENTS" --room-size 4 \
        --rate "$RATE" --duration 10 --join-timeout 60 --drain-timeout 10 --quiet >"$OUT/loadtest.txt" &
    LOADTEST_PID=$!
    if [ "$TOOL" = perf ]; then
        sleep 4
        perf record -e cpu-clock -F 999 -p "$SERVER_PID" -o "$OUT/perf.data" -- sleep 5 2>/dev/null
    fi
    wait "$LOADTEST_PID" || true
fi
cat "$OUT/loadtest.txt"
# valgrind writes its file when the server exits: stop it gracefully first.
kill -TERM "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
trap - EXIT

case "$TOOL" in
perf)
    echo "== by binary =="
    perf report -i "$OUT/perf.data" --no-children -g none --sort dso -F overhead,dso --stdio 2>/dev/null \
        | grep -E '^ +[0-9.]+%' | sort -rn | head -12
    echo "== by function =="
    perf report -i "$OUT/perf.data" --no-children -g none --sort dso,symbol -F overhead,dso,sym --stdio 2>/dev/null \
        | grep -E '^ +[0-9.]+%' | sort -rn | head -40 | cut -c1-160
    ;;
callgrind)
    echo "== own cost (instructions) =="
    callgrind_annotate --inclusive=no "$OUT/callgrind.out" 2>/dev/null | sed -n '/^Ir/,$p' | head -40
    echo "== inclusive cost =="
    callgrind_annotate --inclusive=yes "$OUT/callgrind.out" 2>/dev/null | sed -n '/^Ir/,$p' | head -40
    ;;
massif)
    ms_print "$OUT/massif.out" | head -120
    ;;
esac
echo "profile data in $OUT"
