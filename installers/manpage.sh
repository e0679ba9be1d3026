#!/bin/sh
# manpage.sh HELP2MAN BINARY NAME SUMMARY OUT: the man page of BINARY from its --help and --version,
# gzipped to OUT. The usage line of a QCommandLineParser names argv[0] as given; the page names the
# program only.
set -eu
help2man="$1" binary="$2" name="$3" summary="$4" out="$5"
mkdir -p "$(dirname "$out")"
QT_QPA_PLATFORM=offscreen "$help2man" --no-info --no-discard-stderr --name="$summary" "$binary" \
    | sed "s|[^ ]*/$name|$name|g" | gzip -9n > "$out"
