#!/usr/bin/env bash
# Compares the benchmarks of a revision (before) with the work tree (after)
# in one run: COUNT rounds (default 6), each running the before binary and
# then the after binary, so both are measured minutes apart at most. Writes
# before.txt and after.txt to OUT (default bench/compare) and prints
# benchstat's comparison of the two, then each side's ratios to raw bbolt.
#   bench/compare.sh REV [COUNT] [BENCH-REGEXP]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$1
count=${2:-6}
pattern=${3:-'Put/size=4KiB|Get/size=4KiB|Restore|ConcurrentWriters'}
out=${OUT:-bench/compare}
go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/src" "$rev" >/dev/null
(cd "$tmp/src" && go test -c -o "$tmp/before.test" ./bench/)
go test -c -o "$tmp/after.test" ./bench/
mkdir -p "$out"
: >"$out/before.txt"
: >"$out/after.txt"
for i in $(seq "$count"); do
  echo "round $i of $count" >&2
  for side in before after; do
    (cd bench && "$tmp/$side.test" -test.run '^$' -test.bench "$pattern" -test.count 1 -test.timeout 60m) >>"$out/$side.txt"
  done
done
bs="$(go env GOPATH)/bin/benchstat"
"$bs" -filter '/impl:engine' "$out/before.txt" "$out/after.txt"
for side in before after; do
  echo "== $side: engine against raw bbolt"
  "$bs" -col /impl "$out/$side.txt"
done
