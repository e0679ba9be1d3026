#!/usr/bin/env bash
# Builds the packages from a build directory and checks them (CI runs this through ./arena.sh test):
#   installers/check-packages.sh [build-dir]
# - cpack makes the Debian packages (one per component) and the .tar.gz;
# - each .deb's contents are listed (dpkg-deb -c) and its control data shown, and each is unpacked
#   into a temporary root, where every binary it ships runs --version;
# - the expected files are there: binaries, man pages, systemd units, example configs, desktop entry;
# - the systemd units pass `systemd-analyze verify` against that root when systemd-analyze is present.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$(cd "${1:-$ROOT/build}" && pwd)"
fail() { printf 'check-packages: %s\n' "$*" >&2; exit 1; }

rm -rf "$BUILD/packages"
(cd "$BUILD" && cpack -G "DEB;TGZ" >/dev/null) || fail "cpack failed"
shopt -s nullglob
debs=("$BUILD"/packages/*.deb)
tars=("$BUILD"/packages/*.tar.gz)
[ ${#debs[@]} -ge 3 ] || fail "expected a .deb per component, found ${#debs[@]}"
[ ${#tars[@]} -eq 1 ] || fail "expected one .tar.gz, found ${#tars[@]}"

STAGE="$(mktemp -d /tmp/arena-packages.XXXXXX)"
trap 'rm -rf "$STAGE"' EXIT
declare -A expect=(
    [arena-server]="usr/bin/arena-server usr/bin/arena-worker usr/lib/systemd/system/arena-server@.service usr/share/man/man1/arena-server.1.gz usr/share/doc/arena-server/examples/server.conf usr/share/doc/arena/OPERATIONS.md"
    [arena-agent]="usr/bin/arena-agent usr/lib/systemd/system/arena-agent@.service usr/share/man/man1/arena-agent.1.gz usr/share/doc/arena-agent/examples/agent.conf"
    [arena-tools]="usr/bin/arena-ctl usr/bin/arena-loadtest usr/share/man/man1/arena-ctl.1.gz"
    [arena-console]="usr/bin/arena-console usr/share/applications/arena-console.desktop usr/share/icons/hicolor/scalable/apps/arena-console.svg"
)
for deb in "${debs[@]}"; do
    name="$(dpkg-deb -f "$deb" Package)"
    echo "== $(basename "$deb"): $(dpkg-deb -f "$deb" Version), depends: $(dpkg-deb -f "$deb" Depends)"
    dpkg-deb -c "$deb" | awk '{print "   " $6}'
    [[ "$(dpkg-deb -f "$deb" Depends)" == *libqt6core6* ]] || fail "$name does not depend on the Qt runtime"
    root="$STAGE/$name"
    dpkg-deb -x "$deb" "$root"
    for f in ${expect[$name]:-}; do
        [ -e "$root/$f" ] || fail "$name lacks $f"
    done
    for bin in "$root"/usr/bin/*; do
        out="$(QT_QPA_PLATFORM=offscreen "$bin" --version 2>/dev/null)" || fail "$bin --version failed"
        [[ "$out" == "$(basename "$bin") "* ]] || fail "$bin --version said: $out"
        echo "   $(basename "$bin") --version: $out"
    done
done
[[ "$(dpkg-deb -f "$BUILD"/packages/arena-server_*.deb Depends)" == *libhiredis* ]] \
    || fail "arena-server does not depend on hiredis"
listing="$(tar -tzf "${tars[0]}")"
for bin in arena-server arena-worker arena-agent arena-ctl arena-loadtest; do
    grep -q "/usr/bin/$bin\$" <<<"$listing" || fail "the .tar.gz lacks $bin"
done
echo "== $(basename "${tars[0]}"): $(grep -c -v '/$' <<<"$listing") files"

if command -v systemd-analyze >/dev/null; then
    # Verified against the unpacked root, where the units' ExecStart binaries exist.
    # The host's units (targets the ours refer to) beside ours, in a root where the binaries exist.
    all="$STAGE/all"
    mkdir -p "$all/usr/lib/systemd/system"
    for dir in /lib/systemd/system /usr/lib/systemd/system; do
        [ -d "$dir" ] && cp -an "$dir/." "$all/usr/lib/systemd/system/" 2>/dev/null || true
    done
    for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$all"; done
    for unit in arena-server@.service arena-agent@.service; do
        instance="${unit/@/@check}"
        cp "$all/usr/lib/systemd/system/$unit" "$all/usr/lib/systemd/system/$instance"
        out="$(systemd-analyze verify --man=no --root="$all" "$instance" 2>&1 || true)"
        # Only complaints about the units themselves count (not the host's other units).
        bad="$(printf '%s\n' "$out" | grep -F "${unit%@.service}@check" || true)"
        [ -z "$bad" ] || fail "systemd-analyze verify $unit: $bad"
        echo "== systemd-analyze verify $unit: ok"
    done
else
    echo "== systemd-analyze not found: units not verified"
fi
echo "check-packages: ${#debs[@]} packages and the archive are fine"
