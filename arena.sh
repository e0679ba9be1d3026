#!/usr/bin/env bash
# arena.sh — set up, build, test and demo Arena on Debian 12.
#
#   ./arena.sh setup            install the Debian packages Arena needs (only those missing)
#   ./arena.sh build            configure and build into build/ (RelWithDebInfo)
#   ./arena.sh test             setup + build + the whole test suite: normal build, its packages
#                               (installers/check-packages.sh), ASan+UBSan build, and a short
#                               libFuzzer run of the protocol decoder
#   ./arena.sh test --quick     setup + build + the test suite of the normal build and its packages
#   ./arena.sh demo [--once]    setup + build, start arena-server on the in-memory store and an
#                               arena-agent beside it, show it is healthy, play 20 simulated players
#                               against it, show the agent's view with arena-ctl, serve the browser
#                               duel demo (http://127.0.0.1:8080/, ARENA_DEMO_WEB_PORT); runs until
#                               Ctrl-C (--once: stop after showing)
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
          clang libclang-rt-14-dev libbenchmark-dev libgtest-dev chromium help2man)
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
    configure_and_build "$BUILD-asan" -DARENA_SANITIZE=ON -DARENA_WERROR=ON -DARENA_PACKAGING=OFF \
        -DARENA_BUILD_BENCHMARKS=OFF -DARENA_BUILD_CONSOLE=OFF -DARENA_TEST_WEB_DEMO=OFF "$(sdk_cmake_flags)"
    run_ctest "$BUILD-asan" "ASan + UBSan build"

    log "building the libFuzzer targets (clang)"
    CXX=clang++ cmake -S "$ROOT" -B "$BUILD-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARENA_BUILD_FUZZERS=ON \
        -DARENA_BUILD_BENCHMARKS=OFF -DARENA_BUILD_CONSOLE=OFF -DARENA_BUILD_TESTS=ON -DARENA_PACKAGING=OFF >/dev/null
    # Only the fuzzers (fuzz_*): the rest of the tree was already built and tested twice.
    local fuzzers
    fuzzers="$(cmake --build "$BUILD-fuzz" --target help | sed -n 's/^\.\.\. \(fuzz_[a-z_]*\)$/\1/p' | grep -v _autogen)"
    [ -n "$fuzzers" ] || die "no fuzz_* targets found in $BUILD-fuzz"
    # shellcheck disable=SC2086
    cmake --build "$BUILD-fuzz" -j "$JOBS" --target $fuzzers
    log "tests: fuzz smoke"
    ctest --test-dir "$BUILD-fuzz" --output-on-failure -L fuzz
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

demo() {
    local once=0
    [ "${1:-}" = "--once" ] && once=1
    setup
    build
    local out; out="$(mktemp)"
    log "starting arena-server on the in-memory store"
    "$BUILD/server/arena-server" --player-port 0 --admin-port 0 --instance-id demo-1 >"$out" 2>&1 &
    local pid=$!
    # Expanded now, not at exit: these locals are gone by then.
    trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f '$out'" EXIT
    wait_ready arena-server $pid "$out"
    local port; port="$(sed -n 's/^arena-server ready .*admin=\([0-9]*\).*/\1/p' "$out")"
    sleep 0.5
    log "GET /live";   curl -fsS "http://127.0.0.1:$port/live"; echo
    log "GET /ready";  curl -fsS "http://127.0.0.1:$port/ready"; echo
    log "GET /health"; curl -fsS "http://127.0.0.1:$port/health" | python3 -m json.tool 2>/dev/null \
                         || curl -fsS "http://127.0.0.1:$port/health"
    log "GET /metrics (first lines)"; curl -fsS "http://127.0.0.1:$port/metrics" | head -12 || true
    local status; status="$(curl -fsS "http://127.0.0.1:$port/health" | sed -n 's/.*"status":"\([a-z_]*\)".*/\1/p')"
    [ "$status" = "ok" ] || die "arena-server reports status \"$status\""
    log "arena-server is healthy (admin API on 127.0.0.1:$port)"
    local player; player="$(sed -n 's/^arena-server ready player=\([0-9]*\).*/\1/p' "$out")"
    log "starting arena-agent beside it (no Redis: it serves this one instance)"
    local agentout; agentout="$(mktemp)"
    "$BUILD/agent/arena-agent" --server "http://127.0.0.1:$port" --port 0 >"$agentout" 2>&1 &
    local agentpid=$!
    trap "kill $agentpid $pid 2>/dev/null; wait $agentpid $pid 2>/dev/null; rm -f '$out' '$agentout'" EXIT
    wait_ready arena-agent $agentpid "$agentout"
    local agentport; agentport="$(sed -n 's/^arena-agent ready port=\([0-9]*\).*/\1/p' "$agentout")"
    local ctl=("$BUILD/tools/ctl/arena-ctl" --agent "ws://127.0.0.1:$agentport")
    log "20 simulated players in relay rooms of 4 for 3 s (arena-loadtest)"
    "$BUILD/tools/loadtest/arena-loadtest" --url "ws://127.0.0.1:$player" --admin-url "http://127.0.0.1:$port" \
        --clients 20 --room-size 4 --rate 5 --duration 3 --quiet
    log "arena-ctl fleet";              "${ctl[@]}" fleet
    log "arena-ctl stats";              "${ctl[@]}" stats
    log "arena-ctl cleanup --dry-run";  "${ctl[@]}" cleanup --dry-run
    local web=""
    if [ "${ARENA_SKIP_SDK:-0}" != 1 ]; then
        log "building the browser demo (clients/typescript/demo) and serving it"
        (cd "$SDK" && npm run --silent build:demo >/dev/null)
        local webout; webout="$(mktemp)"
        node "$SDK/demo/serve.mjs" --port "${ARENA_DEMO_WEB_PORT:-8080}" --arena "ws://127.0.0.1:$player" >"$webout" 2>&1 &
        local webpid=$!
        trap "kill $webpid $agentpid $pid 2>/dev/null; wait $webpid $agentpid $pid 2>/dev/null; rm -f '$out' '$agentout' '$webout'" EXIT
        wait_ready demo $webpid "$webout"
        web="$(sed -n 's/^demo ready \(http[^ ]*\).*/\1/p' "$webout")"
        curl -fsS "${web}config.json"; echo
        curl -fsS "$web" | grep -q '<title>' || die "the browser demo's page did not load"
    fi
    [ $once -eq 1 ] && return 0
    log "players can connect to ws://127.0.0.1:$player (docs/PROTOCOL.md)"
    [ -n "$web" ] && log "browser demo: open ${web} in two tabs to play a duel, and ${web}?view=lobby to watch"
    log "operators: ${ctl[*]} <command> (docs/ADMIN-API.md)"
    log "running until Ctrl-C"
    wait $pid
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
    *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
