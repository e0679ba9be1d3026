#!/usr/bin/env bash
# tst_demo: the README's demo command, `./arena.sh demo --once`, on the build under test (no setup or
# build step: ARENA_DEMO_PREBUILT=1; no browser demo: ARENA_SKIP_SDK=1). It must start Redis, two
# servers with their agents and the simulated players, show a fleet of two instances that are up with
# players on both, write the console's picture, and leave no process of its own behind.
#   run_demo.sh <source dir> <build dir>
set -euo pipefail
src="$1" build="$2"
out="$(mktemp -d /tmp/arena-demo-test.XXXXXX)"
trap 'rm -rf "$out"' EXIT
shot="$out/console.png"
status=0
ARENA_DEMO_PREBUILT=1 ARENA_SKIP_SDK=1 ARENA_BUILD_DIR="$build" ARENA_DEMO_SCREENSHOT="$shot" \
    timeout 240 "$src/arena.sh" demo --once >"$out/demo.log" 2>&1 || status=$?
fail() { echo "tst_demo: $*"; cat "$out/demo.log"; exit 1; }
[ "$status" -eq 0 ] || fail "the demo exited with $status"
grep -q '^arena-server ready .*instance=demo-1 store=redis' "$out/demo.log" || fail "demo-1 did not start on Redis"
grep -q '^arena-server ready .*instance=demo-2 store=redis' "$out/demo.log" || fail "demo-2 did not start on Redis"
grep -c '^arena-agent ready .*redis=redis://' "$out/demo.log" | grep -qx 2 || fail "not two agents on Redis"
# arena-ctl fleet: both instances up, each with sessions (the simulated players spread over both).
for id in demo-1 demo-2; do
    line="$(grep -E "^$id +[^ ]+ +up +[0-9]+" "$out/demo.log" || true)"
    [ -n "$line" ] || fail "arena-ctl fleet does not show $id up"
    sessions="$(awk '{print $4}' <<<"$line")"
    [ "$sessions" -gt 0 ] || fail "$id has no players"
done
[ -s "$shot" ] || fail "no picture of the console"
python3 - "$shot" <<'PY' || fail "the console's picture is not a 1440x900 PNG"
import struct, sys
with open(sys.argv[1], "rb") as f:
    head = f.read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n"
assert struct.unpack(">II", head[16:24]) == (1440, 900)
PY
# Everything the demo started is gone.
sleep 1
rport="$(sed -n 's/.*starting redis-server on 127.0.0.1:\([0-9]*\).*/\1/p' "$out/demo.log")"
[ -n "$rport" ] || fail "no redis-server port in the output"
for pattern in "instance-id demo-1" "instance-id demo-2" "redis-server 127.0.0.1:$rport" "arena-loadtest --url ws://127.0.0.1"; do
    if pgrep -f -- "$pattern" >/dev/null; then fail "left running: $pattern"; fi
done
echo "tst_demo: passed"
