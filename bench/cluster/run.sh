#!/usr/bin/env bash
# Many instances as one (issue 8): arena-servers sharing one redis-server, a fresh fleet per run,
# medians over the runs. Prints one line per run and a summary for docs/BENCHMARKS.md.
#   bench/cluster/run.sh [build-dir] [runs] [scenario...]
# Scenarios (default: all):
#   span400    400 clients over 2 instances (client i on instance i mod 2), relay rooms of 4 joined with
#              join_or_create, 5 msg/s each for 20 s (2,000 sends/s, 8,000 deliveries/s). Rooms span both
#              instances: the report says how many of the members were stand-ins (players of the other
#              instance) halfway through. Latency is send → the sender's own copy of the event, so a
#              remote member's figure includes two crossings of Redis.
#   match3     matchmaking throughput: bench_matchmaking, three matchmakers (a RedisStore each, as three
#              servers have) on one Redis take 60,000 duel tickets with random levels between them, then
#              all run passes at once until nothing more forms. Formation only (the mm.form script):
#              the rooms and notifications that follow are in queue1200.
#   queue1200  end to end: 1,200 arena-loadtest clients over three instances queue for 2-player relay
#              rooms, are matched (across instances), join and send 1 msg/s for 5 s. Reports queue →
#              joined per client (which includes waiting for the next 250 ms matchmaking pass).
#   cleanup1m  a dead instance's leftovers: 250,000 sessions (session:<sid> + player:<pid>) and 250,000 rooms
#              (room:{<rid>} + room:{<rid>}:state) = 1,000,000 keys indexed under an instance whose lease is
#              gone, seeded with redis-cli --pipe; one live arena-server runs POST /health/cleanup (every
#              kind) while a prober sends PING once a millisecond on its own connection. Reports the sweep's
#              wall time, what it removed, the keys left and the PING round trips (p50/p99/max).
# Everything runs on the same 2-core machine: two servers, Redis and the load generator share it.
set -euo pipefail
BUILD="${1:-build}"
RUNS="${2:-3}"
shift $(( $# >= 2 ? 2 : $# ))
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -eq 0 ] && SCENARIOS=(span400 match3 queue1200 cleanup1m)
SERVER="$BUILD/server/arena-server"
LOADTEST="$BUILD/tools/loadtest/arena-loadtest"
MATCHBENCH="$BUILD/bench/cluster/bench_matchmaking"
for bin in "$SERVER" "$LOADTEST" "$MATCHBENCH"; do
    [ -x "$bin" ] || { echo "run.sh: $bin not found; build arena-server and arena-loadtest first" >&2; exit 2; }
done
command -v redis-server >/dev/null || { echo "run.sh: redis-server not found" >&2; exit 2; }
OUT="${ARENA_BENCH_OUT:-$(mktemp -d /tmp/arena-bench-cluster.XXXXXX)}"
mkdir -p "$OUT"

# Every process started is listed in $PIDFILE (start_server runs in a subshell, so no array would do).
PIDFILE="$OUT/pids"
: >"$PIDFILE"
stop_all() {
    local pids; pids="$(cat "$PIDFILE" 2>/dev/null || true)"
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in $pids; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    : >"$PIDFILE"
}
trap stop_all EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts redis-server; sets REDIS_PID and REDIS_URL.
start_redis() {
    local port; port="$(free_port)"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --logfile "$OUT/redis.log" &
    REDIS_PID=$!
    echo "$REDIS_PID" >>"$PIDFILE"
    for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    REDIS_URL="redis://127.0.0.1:$port/0"
}

# start_server <id>: prints "<pid> <player port> <admin port>" once the server is ready.
start_server() {
    local id="$1" log="$OUT/server-$1.log"
    "$SERVER" --redis "$REDIS_URL" --instance-id "$id" --player-port 0 --admin-port 0 --workers-max 0 \
        >"$log" 2>&1 &
    local pid=$!
    echo "$pid" >>"$PIDFILE"
    for _ in $(seq 1 100); do
        if grep -q '^arena-server ready' "$log"; then
            local line; line="$(grep '^arena-server ready' "$log")"
            echo "$pid $(sed -E 's/.*player=([0-9]+).*/\1/' <<<"$line") $(sed -E 's/.*admin=([0-9]+).*/\1/' <<<"$line")"
            return 0
        fi
        sleep 0.1
    done
    echo "run.sh: server $id did not start; see $log" >&2
    exit 1
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

span400() {
    local run="$1" report="$OUT/span400-$run.json"
    start_redis
    read -r A_PID A_PLAYER A_ADMIN < <(start_server "bench-a")
    read -r B_PID B_PLAYER B_ADMIN < <(start_server "bench-b")
    # Halfway through the sends: how the rooms and their members are spread.
    (
        sleep 14
        for admin in "$A_ADMIN" "$B_ADMIN"; do curl -s "http://127.0.0.1:$admin/health"; echo; done >"$OUT/span400-$run.health"
    ) &
    local sampler=$!
    "$LOADTEST" --url "ws://127.0.0.1:$A_PLAYER" --url "ws://127.0.0.1:$B_PLAYER" --clients 400 --room-size 4 \
        --rate 5 --duration 20 --server-pid "$A_PID" --watch-pid "$B_PID" --watch-pid "$REDIS_PID" \
        --quiet --json >"$report"
    wait "$sampler" || true
    python3 - "$report" "$OUT/span400-$run.health" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
health = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
lat, join = r["latency_ms"], r["join_ms"]
watched = r.get("watched", [])
srv = r["server"]
rooms = [h.get("rooms", 0) for h in health]
stand = [h.get("cluster", {}).get("standIns", 0) for h in health]
print(f'p50 {lat["p50"]} p99 {lat["p99"]} max {lat["max"]} join_p99 {join["p99"]} '
      f'cpuA {srv["cpu_percent"]} rssA {srv["after"]["rss_kb"]} cpuB {watched[0]["cpu_percent"]} rssB {watched[0]["rss_kb"]} '
      f'cpuRedis {watched[1]["cpu_percent"]} rssRedis {watched[1]["rss_kb"]} roomsA {rooms[0]} roomsB {rooms[1]} '
      f'standInsA {stand[0]} standInsB {stand[1]} rooms {r["clients"]["rooms"]} joined {r["clients"]["joined"]} lost {r["messages"]["lost"]} errors {r["errors"]["total"]} passed {r["passed"]}')
EOF
    stop_all
}

match3() {
    start_redis
    local port="${REDIS_URL##*:}"
    "$MATCHBENCH" --port "${port%/0}" --tickets 60000 --instances 3 2>/dev/null >"$OUT/match3-$1.json" || true
    python3 - "$OUT/match3-$1.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(f'matched_per_s {r["players_matched_per_s"]} matched {r["matched_players"]} seconds {r["match_seconds"]:.3f} '
      f'enqueue_per_s {r["enqueue_per_s"]} duplicates {r["duplicates"]} '
      f'matches_per_instance {"/".join(str(x["matches"]) for x in r["per_instance"])}')
EOF
    stop_all
}

queue1200() {
    local run="$1" report="$OUT/queue1200-$1.json"
    start_redis
    read -r A_PID A_PLAYER _ < <(start_server "bench-a")
    read -r B_PID B_PLAYER _ < <(start_server "bench-b")
    read -r C_PID C_PLAYER _ < <(start_server "bench-c")
    "$LOADTEST" --url "ws://127.0.0.1:$A_PLAYER" --url "ws://127.0.0.1:$B_PLAYER" --url "ws://127.0.0.1:$C_PLAYER" \
        --mode matchmaking --clients 1200 --room-size 2 --rate 1 --duration 5 --connect-rate 2000 \
        --server-pid "$A_PID" --watch-pid "$B_PID" --watch-pid "$C_PID" --watch-pid "$REDIS_PID" --quiet --json >"$report" || true
    python3 - "$report" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
j = r["join_ms"]
print(f'joined {r["clients"]["joined"]} rooms {r["clients"]["rooms"]} queue_to_joined_p50 {j["p50"]} queue_to_joined_p99 {j["p99"]} '
      f'p99 {r["latency_ms"]["p99"]} lost {r["messages"]["lost"]} errors {r["errors"]["total"]} passed {r["passed"]}')
EOF
    stop_all
}

cleanup1m() {
    local run="$1"
    start_redis
    local port="${REDIS_URL##*:}"; port="${port%/0}"
    python3 - <<'EOF' | redis-cli -p "$port" --pipe >/dev/null
import sys
out = sys.stdout.buffer
def cmd(*args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
N = 250000
for i in range(N):
    cmd("HSET", f"arena:session:s-{i}", "player", f"p-{i}", "instance", "ghost", "created", "1", "active", "1")
    cmd("SET", f"arena:player:p-{i}", f"s-{i}")
    cmd("HSET", f"arena:room:{{r-{i}}}", "type", "relay", "instance", "ghost", "clients", "0", "max_clients", "4",
        "locked", "0", "private", "0", "created", "1", "metadata", "{}")
    cmd("SET", f"arena:room:{{r-{i}}}:state", '{"score":0}')
for start in range(0, N, 1000):
    cmd("SADD", "arena:instance:ghost:sessions", *[f"s-{i}" for i in range(start, start + 1000)])
    cmd("SADD", "arena:instance:ghost:rooms", *[f"r-{i}" for i in range(start, start + 1000)])
    cmd("SADD", "arena:rooms:relay", *[f"r-{i}" for i in range(start, start + 1000)])
cmd("ZADD", "arena:instances", "1", "ghost")
EOF
    local before; before="$(redis-cli -p "$port" dbsize)"
    read -r A_PID _ A_ADMIN < <(start_server "bench-a")
    python3 - "$port" "$OUT/cleanup1m-$run.ping" <<'EOF' &
import socket, sys, time, signal
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
samples = []
stop = False
def done(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, done)
while not stop:
    t = time.perf_counter()
    s.sendall(b"PING\r\n")
    buf = b""
    while not buf.endswith(b"\r\n"):
        buf += s.recv(64)
    samples.append((time.perf_counter() - t) * 1000)
    time.sleep(0.001)
open(sys.argv[2], "w").write("\n".join(f"{x:.4f}" for x in samples))
EOF
    local prober=$!
    sleep 0.5
    local t0 t1
    t0="$(date +%s.%N)"
    curl -s -X POST "http://127.0.0.1:$A_ADMIN/health/cleanup" >"$OUT/cleanup1m-$run.json"
    t1="$(date +%s.%N)"
    sleep 0.3
    kill -TERM "$prober"; wait "$prober" 2>/dev/null || true
    local after; after="$(redis-cli -p "$port" dbsize)"
    python3 - "$OUT/cleanup1m-$run.json" "$OUT/cleanup1m-$run.ping" "$t0" "$t1" "$before" "$after" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
pings = sorted(float(x) for x in open(sys.argv[2]).read().split())
q = lambda p: pings[min(len(pings) - 1, int(p * len(pings)))]
print(f'sweep_s {float(sys.argv[4]) - float(sys.argv[3]):.2f} reported_ms {r["durationMs"]} removed {r["counts"].get("instances")} '
      f'keys_before {sys.argv[5]} keys_after {sys.argv[6]} ping_p50 {q(0.5):.3f} ping_p99 {q(0.99):.3f} ping_max {pings[-1]:.3f} '
      f'pings {len(pings)} errors {len(r.get("errors", {}))}')
EOF
    stop_all
}

for scenario in "${SCENARIOS[@]}"; do
    : >"$OUT/$scenario.lines"
    for run in $(seq 1 "$RUNS"); do
        line="$("$scenario" "$run")"
        echo "$scenario run $run: $line"
        echo "$line" >>"$OUT/$scenario.lines"
    done
    echo "$scenario medians over $RUNS runs:"
    for key in p50 p99 max join_p99 cpuA cpuB cpuRedis rssA rssB rssRedis standInsA standInsB matched_per_s \
        queue_to_joined_p50 queue_to_joined_p99 sweep_s ping_p50 ping_p99 ping_max; do
        grep -qE "(^| )$key " "$OUT/$scenario.lines" || continue
        printf '  %-10s %s\n' "$key" "$(awk -v k="$key" '{for (i=1;i<NF;i++) if ($i==k) print $(i+1)}' "$OUT/$scenario.lines" | median)"
    done
done
echo "reports in $OUT"
