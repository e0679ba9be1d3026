#!/usr/bin/env bash
# Agent benchmarks of issue 5, against a real redis-server, arena-server (+ its worker) and arena-agent at
# the default 1 s interval, with one idle console subscribed to the agent's instance. Per run, all fresh:
#   overhead  the agent's CPU (utime + stime from /proc/<pid>/stat, % of one core) and RSS (VmRSS) over
#             $ARENA_BENCH_OVERHEAD_S seconds (default 60) of steady operation after a 5 s warm-up; the
#             server's and Redis' CPU over the same window for context
#   latency   bench_agentlatency with $ARENA_BENCH_ROUNDS rounds (default 100): a player joins (leaves);
#             the time from its welcome (the end of its close handshake) to the first snapshot at the
#             console that shows the new sessions.total
# Prints one line per run and the medians over the runs.
#   bench/agent/run.sh [build-dir] [runs]
# Environment: ARENA_BENCH_OUT=dir (default: a new temp dir, printed), ARENA_BENCH_OVERHEAD_S,
# ARENA_BENCH_ROUNDS.
set -euo pipefail
BUILD="${1:-build}"
RUNS="${2:-3}"
OVERHEAD_S="${ARENA_BENCH_OVERHEAD_S:-60}"
ROUNDS="${ARENA_BENCH_ROUNDS:-100}"
SERVER="$BUILD/server/arena-server"
WORKER="$BUILD/worker/arena-worker"
AGENT="$BUILD/agent/arena-agent"
LATENCY="$BUILD/bench/agent/bench_agentlatency"
for bin in "$SERVER" "$WORKER" "$AGENT" "$LATENCY"; do
    [ -x "$bin" ] || { echo "run.sh: $bin not found; build arena-server, arena-worker, arena-agent and bench_agentlatency first" >&2; exit 2; }
done
command -v redis-server >/dev/null || { echo "run.sh: redis-server not found" >&2; exit 2; }
OUT="${ARENA_BENCH_OUT:-$(mktemp -d /tmp/arena-bench-agent.XXXXXX)}"
mkdir -p "$OUT"

PIDS=() # started by this script, stopped in reverse order
stop_all() {
    local i pid
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        pid="${PIDS[$i]}"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_line log pid sed-expression: the first match of the expression in the log (waits up to 15 s).
wait_line() {
    local log="$1" pid="$2" expr="$3" value
    for _ in $(seq 1 150); do
        value="$(sed -n "$expr" "$log" 2>/dev/null | head -1 || true)"
        [ -n "$value" ] && { echo "$value"; return 0; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "run.sh: no ready line in $log:" >&2
    cat "$log" >&2
    return 1
}

alive() { # name pid log
    kill -0 "$2" 2>/dev/null && return 0
    echo "run.sh: $1 (pid $2) died during the run (someone else's pkill?); see $3" >&2
    tail -5 "$3" >&2
    return 1
}

run_once() {
    local run="$1" p="$OUT/run$1"
    echo "run $run: loadavg before: $(cat /proc/loadavg)" | tee "$p.loadavg"

    local redis_port
    redis_port="$(free_port)"
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        >"$p.redis.log" 2>&1 &
    local redis_pid=$!
    PIDS+=("$redis_pid")
    for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

    "$SERVER" --player-port 0 --admin-port 0 --redis "redis://127.0.0.1:$redis_port/1" \
        --worker-binary "$WORKER" >"$p.server.log" 2>&1 &
    local server_pid=$!
    PIDS+=("$server_pid")
    local ports player_port admin_port
    ports="$(wait_line "$p.server.log" "$server_pid" 's/^arena-server ready player=\([0-9]*\) admin=\([0-9]*\).*/\1 \2/p')"
    read -r player_port admin_port <<<"$ports"

    "$AGENT" --server "http://127.0.0.1:$admin_port" --port 0 --redis "redis://127.0.0.1:$redis_port/0" \
        >"$p.agent.log" 2>&1 &
    local agent_pid=$!
    PIDS+=("$agent_pid")
    local agent_port
    agent_port="$(wait_line "$p.agent.log" "$agent_pid" 's/^arena-agent ready port=\([0-9]*\) instance=.*/\1/p')"

    # The idle console: authenticated, subscribed to the agent's instance, receiving fleet + snapshot
    # every second, during both phases.
    "$LATENCY" --agent-port "$agent_port" --rounds 0 >"$p.console.log" 2>&1 &
    local console_pid=$!
    PIDS+=("$console_pid")
    wait_line "$p.console.log" "$console_pid" 's/^bench_agentlatency: \(subscribed\).*/\1/p' >/dev/null

    sleep 5
    python3 - "$agent_pid" "$server_pid" "$redis_pid" "$OVERHEAD_S" "$redis_port" >"$p.overhead.json" <<'PY'
import json, os, statistics, subprocess, sys, time
agent, server, redis, seconds, redis_port = (int(a) for a in sys.argv[1:6])
tck = os.sysconf("SC_CLK_TCK")
def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
def status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
def rss_kb(pid):
    return status(pid, "VmRSS")
def commandstats():
    # Redis commands per command name, all clients (the server uses db 1, the agent db 0).
    text = subprocess.run(["redis-cli", "-p", str(redis_port), "info", "commandstats"],
                          capture_output=True, text=True).stdout
    calls = {}
    for line in text.splitlines():
        if line.startswith("cmdstat_"):
            name, rest = line[len("cmdstat_"):].split(":", 1)
            calls[name] = int(dict(kv.split("=") for kv in rest.split(","))["calls"])
    return calls
pids = {"agent": agent, "server": server, "redis": redis}
commands_before = commandstats()
start = {k: cpu_ticks(p) for k, p in pids.items()}
t0 = time.monotonic()
rss = {"agent": [], "server": []}
for i in range(seconds):
    for k in rss:
        rss[k].append(rss_kb(pids[k]))
    time.sleep(max(0.0, t0 + i + 1 - time.monotonic()))
elapsed = time.monotonic() - t0
end = {k: cpu_ticks(p) for k, p in pids.items()}
commands_after = commandstats()
report = {"seconds": round(elapsed, 2), "clk_tck": tck}
# What the agent's RSS is made of: its own anonymous memory, and mapped files (Qt, libc: shared).
report["agent_memory_kb"] = {k: status(agent, k) for k in ("RssAnon", "RssFile", "RssShmem", "VmHWM", "Threads")}
try:
    for line in open(f"/proc/{agent}/smaps_rollup"):
        if line.startswith("Pss:"):
            report["agent_memory_kb"]["Pss"] = int(line.split()[1])
except OSError:
    pass
report["redis_commands_per_second"] = {
    k: round((v - commands_before.get(k, 0)) / elapsed, 2)
    for k, v in sorted(commands_after.items()) if v != commands_before.get(k, 0)}
for k in pids:
    report[f"{k}_cpu_percent"] = round(100.0 * (end[k] - start[k]) / tck / elapsed, 3)
    report[f"{k}_cpu_seconds"] = (end[k] - start[k]) / tck
for k, v in rss.items():
    report[f"{k}_rss_kb"] = {"median": statistics.median(v), "max": max(v), "first": v[0], "last": v[-1]}
print(json.dumps(report))
PY
    alive arena-agent "$agent_pid" "$p.agent.log"
    alive arena-server "$server_pid" "$p.server.log"

    local status=0
    "$LATENCY" --agent-port "$agent_port" --player-port "$player_port" --rounds "$ROUNDS" \
        >"$p.latency.log" 2>&1 || status=$?
    tail -1 "$p.latency.log" >"$p.latency.json"
    alive arena-agent "$agent_pid" "$p.agent.log"
    alive arena-server "$server_pid" "$p.server.log"
    echo "run $run: loadavg after: $(cat /proc/loadavg)" | tee -a "$p.loadavg"
    if [ "$status" != 0 ]; then
        echo "run.sh: bench_agentlatency failed (exit $status):" >&2
        cat "$p.latency.log" >&2
        exit 1
    fi
    # Agent RSS once more after the latency phase (200 session changes) for growth.
    grep VmRSS "/proc/$agent_pid/status" | awk '{print $2}' >"$p.rss-after-latency"
    stop_all

    python3 - "$p" "$run" <<'PY'
import json, sys
p, run = sys.argv[1:]
o, l = json.load(open(f"{p}.overhead.json")), json.load(open(f"{p}.latency.json"))
a = l["all"]
print(f"run {run}: agent CPU {o['agent_cpu_percent']:.2f} % of a core  RSS {o['agent_rss_kb']['median'] / 1024:.1f} MiB "
      f"(first {o['agent_rss_kb']['first']} kB, last {o['agent_rss_kb']['last']} kB, after latency "
      f"{open(p + '.rss-after-latency').read().strip()} kB)  server CPU {o['server_cpu_percent']:.2f} %  "
      f"redis CPU {o['redis_cpu_percent']:.2f} %  |  latency ms (join+leave, n={a['n']}): p50 {a['p50_ms']}  "
      f"p90 {a['p90_ms']}  p99 {a['p99_ms']}  max {a['max_ms']}  (join p50 {l['join']['p50_ms']} p99 "
      f"{l['join']['p99_ms']}, leave p50 {l['leave']['p50_ms']} p99 {l['leave']['p99_ms']}; early {l['early']}, "
      f"timeouts {l['timeouts']}; {l['snapshots']} snapshots, {l['short_gaps']} of them under half an interval "
      f"after the previous one)")
PY
}

for run in $(seq 1 "$RUNS"); do
    run_once "$run"
done

python3 - "$OUT" "$RUNS" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
o = [json.load(open(f"{out}/run{i}.overhead.json")) for i in range(1, runs + 1)]
l = [json.load(open(f"{out}/run{i}.latency.json")) for i in range(1, runs + 1)]
med = statistics.median
each = lambda values, fmt: " / ".join(fmt.format(v) for v in values)
print(f"\nmedians over {runs} runs (logs and reports in {out}):")
print("| figure | per run | median | target |")
print("|---|---|---|---|")
cpu = [r["agent_cpu_percent"] for r in o]
rss = [r["agent_rss_kb"]["median"] / 1024 for r in o]
print(f"| agent CPU, % of one core | {each(cpu, '{:.2f}')} | **{med(cpu):.2f}** | ≤ 1 % |")
print(f"| agent RSS, MiB | {each(rss, '{:.1f}')} | **{med(rss):.1f}** | ≤ 25 MB |")
srv = [r["server_cpu_percent"] for r in o]
red = [r["redis_cpu_percent"] for r in o]
print(f"| server CPU, % (context) | {each(srv, '{:.2f}')} | {med(srv):.2f} | |")
print(f"| redis-server CPU, % (context) | {each(red, '{:.2f}')} | {med(red):.2f} | |")
for part in ("all", "join", "leave"):
    for q in ("p50", "p90", "p99", "max"):
        v = [r[part][f"{q}_ms"] for r in l]
        target = "≤ 1500 ms" if part == "all" and q in ("p99", "max") else ""
        bold = "**" if part == "all" else ""
        print(f"| change → snapshot, {part} {q}, ms | {each(v, '{:.0f}')} | {bold}{med(v):.0f}{bold} | {target} |")
PY
