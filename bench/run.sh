#!/usr/bin/env bash
# Runs the paired benchmarks COUNT times (default 6) and summarises them
# with benchstat. Ratios matter, not absolute times: the machines are noisy.
#   bench/run.sh [COUNT] [BENCH-REGEXP]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-6}
pattern=${2:-'Put|Get|Head|List|Restore|SetStorageClass|ConcurrentWriters'}
out=${OUT:-bench/results.txt}
go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
go test -run '^$' -bench "$pattern" -count "$count" -timeout 60m ./bench/ | tee "$out"
"$(go env GOPATH)/bin/benchstat" -col /impl "$out"
