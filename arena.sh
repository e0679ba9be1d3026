#!/usr/bin/env bash
# arena.sh — set up, build, test and demo Arena on Debian 12.
#
#   ./arena.sh setup            install the Debian packages Arena needs (only those missing)
#   ./arena.sh build            configure and build into build/ (RelWithDebInfo)
#   ./arena.sh test             setup + build + the whole test suite: normal build, its packages
#                               (installers/check-packages.sh), ASan+UBSan build, and a short
#                               libFuzzer run of the protocol decoder
#   ./arena.sh test --quick     setup + build + the test suite of the normal build and its packages
#   ./arena.sh demo [--once]    setup + build, start redis-server (when installed; else each instance
#                               uses the in-memory store), two arena-server instances with an
#                               arena-agent each, and arena-loadtest players in rooms and matchmaking
#                               over both; show the fleet with arena-ctl, open arena-console on it (or,
#                               without a display, write a picture of it: build/demo-console.png,
#                               ARENA_DEMO_SCREENSHOT); runs until Ctrl-C stops everything (--once:
#                               15 s of players, then stop)
#   ./arena.sh bench            build and run the benchmarks (figures for docs/BENCHMARKS.md)
#
# Environment: ARENA_JOBS (parallel build jobs, default 2), ARENA_BUILD_DIR (default ./build),
# ARENA_SKIP_SDK=1 (no TypeScript SDK: no Node.js needed, its tests and the browser demo left out).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JOBS="${ARENA_JOBS:-2}"
BUILD="${ARENA_BUILD_DIR:-$ROOT/build}"
PACKAGES=(build-essential cmake pkg-config git curl
          qt6-base-dev qt6-websockets-dev qt6-charts-dev qt6-httpserver-dev libqt6opengl6-dev
          libhiredis-dev redis-server xvfb xauth fonts-dejavu-core libxkbcommon-dev
          clang libclang-rt-14-dev libbenchmark-dev libgtest-dev chromium help2man openssl)
SDK="$ROOT/clients/typescript"
NODE_MIN=20.19 # vite 7 and vitest 3 (the SDK's build and tests)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'arena.sh: %s\n' "$*" >&2; exit 1; }

setup() {
    apt_setup
    sdk_setup
}

apt_setup() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "run as root or install sudo to install: ${missing[*]}"
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The TypeScript SDK's tools (clients/typescript): Node.js >= $NODE_MIN and its npm packages, from
# package-lock.json. Debian 12's own nodejs is 18, too old: a machine without a new enough Node gets it
# from wherever its admin gets Node (NodeSource, nvm); ARENA_SKIP_SDK=1 builds and tests without the SDK.
sdk_setup() {
    [ "${ARENA_SKIP_SDK:-0}" = 1 ] && return 0
    command -v node >/dev/null && command -v npm >/dev/null \
        || die "Node.js >= $NODE_MIN and npm are needed for the TypeScript SDK (or set ARENA_SKIP_SDK=1)"
    local have; have="$(node -p 'process.versions.node')"
    node -e "const [a,b]=process.versions.node.split('.').map(Number), [x,y]='$NODE_MIN'.split('.').map(Number);
             process.exit(a>x||(a===x&&b>=y)?0:1)" \
        || die "Node.js $have is too old for the TypeScript SDK: $NODE_MIN or newer (or set ARENA_SKIP_SDK=1)"
    if [ ! -f "$SDK/node_modules/.package-lock.json" ] || [ "$SDK/package-lock.json" -nt "$SDK/node_modules/.package-lock.json" ]; then
        # The versions of package-lock.json. Not `npm ci`: npm 11 refuses a lock file that lacks the
        # optional packages of other platforms (rollup's), which a registry mirror may not hold at the
        # locked version; `npm install --no-save` installs the same versions and leaves the lock alone.
        log "installing the TypeScript SDK's npm packages (from package-lock.json)"
        (cd "$SDK" && npm install --no-save --no-audit --no-fund --loglevel=error)
    fi
}

configure_and_build() { # dir, extra cmake args...
    local dir="$1"; shift
    cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j "$JOBS"
}

sdk_cmake_flags() {
    [ "${ARENA_SKIP_SDK:-0}" = 1 ] && echo "-DARENA_TEST_SDK=OFF" || echo "-DARENA_TEST_SDK=ON"
}

build() {
    log "building into $BUILD"
    configure_and_build "$BUILD" -DARENA_WERROR=ON "$(sdk_cmake_flags)"
}

run_ctest() { # dir, label
    log "tests: $2"
    ctest --test-dir "$1" --output-on-failure --timeout 300 -j "$JOBS"
}

test_all() {
    local quick=0
    [ "${1:-}" = "--quick" ] && quick=1
    setup
    build
    run_ctest "$BUILD" "normal build"
    log "packages: build and check (installers/check-packages.sh)"
    "$ROOT/installers/check-packages.sh" "$BUILD"
    [ $quick -eq 1 ] && return 0

    log "building with AddressSanitizer + UndefinedBehaviorSanitizer"
    # The SDK's suite runs against the sanitized server too; the browser demo test once is enough.
    # -g1: line tables only, enough for the sanitizers' stack traces, and a quicker build than -g.
    configure_and_build "$BUILD-asan" -DARENA_SANITIZE=ON -DARENA_WERROR=ON -DARENA_PACKAGING=OFF \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
        -DARENA_BUILD_BENCHMARKS=OFF -DARENA_BUILD_CONSOLE=OFF -DARENA_TEST_WEB_DEMO=OFF "$(sdk_cmake_flags)"
    run_ctest "$BUILD-asan" "ASan + UBSan build"

    log "building the libFuzzer targets (clang)"
    CXX=clang++ cmake -S "$ROOT" -B "$BUILD-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARENA_BUILD_FUZZERS=ON \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
        -DARENA_BUILD_BENCHMARKS=OFF -DARENA_BUILD_CONSOLE=OFF -DARENA_BUILD_TESTS=ON -DARENA_PACKAGING=OFF >/dev/null
    # Only the fuzzers (fuzz_*): the rest of the tree was already built and tested twice.
    local fuzzers
    fuzzers="$(cmake --build "$BUILD-fuzz" --target help | sed -n 's/^\.\.\. \(fuzz_[a-z_]*\)$/\1/p' | grep -v _autogen)"
    [ -n "$fuzzers" ] || die "no fuzz_* targets found in $BUILD-fuzz"
    # shellcheck disable=SC2086
    cmake --build "$BUILD-fuzz" -j "$JOBS" --target $fuzzers
    log "tests: fuzz smoke"
    ctest --test-dir "$BUILD-fuzz" --output-on-failure -L fuzz -j "$JOBS"
}

# wait_ready NAME PID OUTPUT: waits (10 s at most) for the daemon's "NAME ready …" line in OUTPUT and
# prints it; dies with the output if the daemon exits or never gets there.
wait_ready() {
    local name="$1" pid="$2" out="$3"
    for _ in $(seq 1 100); do
        if grep -q "^$name ready" "$out"; then
            grep "^$name ready" "$out"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$out"; die "$name exited"; }
        sleep 0.1
    done
    cat "$out"; die "$name did not become ready"
}

# free_port: a TCP port nobody listens on now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The demo's processes, stopped (and its folder removed) on exit or Ctrl-C.
DEMO_PIDS=()
DEMO_DIR=""
demo_stop() {
    local pid
    for pid in "${DEMO_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${DEMO_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -n "$DEMO_DIR" ] && rm -rf "$DEMO_DIR"
}

demo() {
    local once=0
    [ "${1:-}" = "--once" ] && once=1
    if [ "${ARENA_DEMO_PREBUILT:-0}" != 1 ]; then # tst_demo runs it on the build under test
        setup
        build
    fi
    DEMO_DIR="$(mktemp -d /tmp/arena-demo.XXXXXX)"
    trap demo_stop EXIT
    trap 'exit 130' INT TERM
    local tokens="$DEMO_DIR/tokens"
    printf 'operator %s demo\n' "$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" >"$tokens"
    chmod 600 "$tokens"

    local redis=()
    if command -v redis-server >/dev/null; then
        local rport; rport="$(free_port)"
        log "starting redis-server on 127.0.0.1:$rport (in memory only)"
        redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$DEMO_DIR" \
            >"$DEMO_DIR/redis.log" 2>&1 &
        DEMO_PIDS+=($!)
        for _ in $(seq 1 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
        redis-cli -p "$rport" ping >/dev/null 2>&1 || { cat "$DEMO_DIR/redis.log"; die "redis-server did not start"; }
        redis=(--redis "redis://127.0.0.1:$rport/0")
    else
        log "no redis-server: each instance on its own in-memory store (a fleet needs Redis)"
    fi

    local i players=() admins=() agents=()
    for i in 1 2; do
        log "starting arena-server demo-$i${redis:+ on that Redis}"
        "$BUILD/server/arena-server" --player-port 0 --admin-port 0 --instance-id "demo-$i" \
            --admin-token-file "$tokens" "${redis[@]}" >"$DEMO_DIR/server-$i.log" 2>&1 &
        DEMO_PIDS+=($!)
        wait_ready arena-server $! "$DEMO_DIR/server-$i.log"
        players+=("$(sed -n 's/^arena-server ready player=\([0-9]*\).*/\1/p' "$DEMO_DIR/server-$i.log")")
        admins+=("$(sed -n 's/^arena-server ready .*admin=\([0-9]*\).*/\1/p' "$DEMO_DIR/server-$i.log")")
    done
    for i in 0 1; do
        local status
        status="$(curl -fsS "http://127.0.0.1:${admins[$i]}/health" | sed -n 's/.*"status":"\([a-z_]*\)".*/\1/p')"
        [ "$status" = "ok" ] || die "arena-server demo-$((i + 1)) reports status \"$status\""
    done
    log "both instances are healthy: GET /live, /ready, /health on the admin ports ${admins[*]}"
    for i in 1 2; do
        log "starting arena-agent beside demo-$i"
        "$BUILD/agent/arena-agent" --server "http://127.0.0.1:${admins[$((i - 1))]}" --server-token-file "$tokens" \
            --token-file "$tokens" --port 0 "${redis[@]}" >"$DEMO_DIR/agent-$i.log" 2>&1 &
        DEMO_PIDS+=($!)
        wait_ready arena-agent $! "$DEMO_DIR/agent-$i.log"
        agents+=("$(sed -n 's/^arena-agent ready port=\([0-9]*\).*/\1/p' "$DEMO_DIR/agent-$i.log")")
    done

    # A moderate population: players in relay rooms over both instances, others queueing for duels.
    local seconds=86400
    [ $once -eq 1 ] && seconds=15
    local urls=(--url "ws://127.0.0.1:${players[0]}" --url "ws://127.0.0.1:${players[1]}")
    log "arena-loadtest: 60 players in relay rooms of 4 and 40 matched in pairs, 1-2 msg/s each, over both instances"
    "$BUILD/tools/loadtest/arena-loadtest" "${urls[@]}" --clients 60 --room-size 4 --rate 2 --duration "$seconds" \
        --connect-rate 30 --quiet >"$DEMO_DIR/loadtest-rooms.log" 2>&1 &
    DEMO_PIDS+=($!)
    "$BUILD/tools/loadtest/arena-loadtest" "${urls[@]}" --clients 40 --mode matchmaking --room-size 2 --rate 1 \
        --duration "$seconds" --connect-rate 10 --quiet >"$DEMO_DIR/loadtest-match.log" 2>&1 &
    DEMO_PIDS+=($!)
    sleep 4
    local ctl=("$BUILD/tools/ctl/arena-ctl" --agent "ws://127.0.0.1:${agents[0]}" --token-file "$tokens")
    log "arena-ctl fleet"; "${ctl[@]}" fleet
    log "arena-ctl stats"; "${ctl[@]}" stats

    local console=("$BUILD/console/app/arena-console" --agent "ws://127.0.0.1:${agents[0]}" --token-file "$tokens"
                   --fallback "ws://127.0.0.1:${agents[1]}")
    if [ -x "${console[0]}" ] && [ $once -eq 0 ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        log "opening arena-console on the fleet"
        "${console[@]}" >"$DEMO_DIR/console.log" 2>&1 &
        DEMO_PIDS+=($!)
    elif [ -x "${console[0]}" ]; then
        local shot="${ARENA_DEMO_SCREENSHOT:-$BUILD/demo-console.png}"
        log "no display: a picture of arena-console after 8 s of live figures goes to $shot"
        XDG_CONFIG_HOME="$DEMO_DIR/console-config" QT_QPA_PLATFORM=offscreen \
            "${console[@]}" --screenshot "$shot" --screenshot-after 8 >/dev/null 2>"$DEMO_DIR/console.log" \
            || { cat "$DEMO_DIR/console.log"; die "arena-console could not take its picture"; }
    fi

    local web=""
    if [ "${ARENA_SKIP_SDK:-0}" != 1 ]; then
        log "building the browser duel demo (clients/typescript/demo) and serving it for demo-1"
        (cd "$SDK" && npm run --silent build:demo >/dev/null)
        "$(command -v node)" "$SDK/demo/serve.mjs" --port "${ARENA_DEMO_WEB_PORT:-8080}" \
            --arena "ws://127.0.0.1:${players[0]}" >"$DEMO_DIR/web.log" 2>&1 &
        DEMO_PIDS+=($!)
        wait_ready demo $! "$DEMO_DIR/web.log"
        web="$(sed -n 's/^demo ready \(http[^ ]*\).*/\1/p' "$DEMO_DIR/web.log")"
        curl -fsS "$web" | grep -q '<title>' || die "the browser demo's page did not load"
    fi

    if [ $once -eq 1 ]; then
        log "arena-ctl cleanup --dry-run"; "${ctl[@]}" cleanup --dry-run
        log "demo done (--once): stopping everything"
        return 0
    fi
    log "players connect to ws://127.0.0.1:${players[0]} or ws://127.0.0.1:${players[1]} (docs/PROTOCOL.md)"
    [ -n "$web" ] && log "browser demo: open ${web} in two tabs to play a duel, and ${web}?view=lobby to watch"
    log "operators: ${console[*]}"
    log "       or: ${ctl[*]} <command> (docs/ADMIN-API.md); the token is in $tokens"
    log "running until Ctrl-C"
    wait "${DEMO_PIDS[@]}"
}

bench() {
    setup
    log "building benchmarks into $BUILD"
    configure_and_build "$BUILD" -DARENA_BUILD_BENCHMARKS=ON
    "$ROOT/bench/run.sh" "$BUILD"
}

cmd="${1:-}"; shift || true
case "$cmd" in
    setup) setup ;;
    build) setup; build ;;
    test) test_all "$@" ;;
    demo) demo "$@" ;;
    bench) bench ;;
    *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
