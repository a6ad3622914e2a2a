#!/usr/bin/env bash
# Runs the paired benchmarks COUNT times (default 6) and summarises them
# with benchstat. Ratios matter, not absolute times: the machines are noisy.
#   bench/run.sh [COUNT] [BENCH-REGEXP]
#
# Each round runs every benchmark once, raw bbolt then the engine, so the
# two sides of a pair are measured minutes apart at most; `go test -count N`
# would run one side N times before the other, and the disk of a shared
# machine drifts more than that from one quarter hour to the next.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-6}
pattern=${2:-'Put|Get|Head|List|Restore|SetStorageClass|ConcurrentWriters'}
out=${OUT:-bench/results.txt}
go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
bin=$(mktemp -d)/bench.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./bench/
: >"$out"
for i in $(seq "$count"); do
  echo "round $i of $count" >&2
  (cd bench && "$bin" -test.run '^$' -test.bench "$pattern" -test.count 1 -test.timeout 60m) | tee -a "$out"
done
"$(go env GOPATH)/bin/benchstat" -col /impl "$out"
