#!/usr/bin/env bash
# Runs BenchmarkCluster and BenchmarkClusterOneClient COUNT rounds
# (default 6: benchstat wants 6 for its intervals) against a throwaway
# PostgreSQL (scripts/with-postgres), writes their output to
# bench/cluster-results.txt (or $OUT) and summarises it with benchstat.
# Each round runs every operation once, on bbolt and then on 1, 2 and 3
# nodes, one go test run per operation (each about a minute on two cores),
# so the stores compared are measured minutes apart at most.
#   bench/cluster.sh [COUNT] [BENCHTIME]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-6}
benchtime=${2:-1s}
out=${OUT:-bench/cluster-results.txt}
go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
bin=$(mktemp -d)/bench.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./bench/
: >"$out"
BIN=$bin COUNT=$count BENCHTIME=$benchtime OUT=$(realpath "$out") scripts/with-postgres bash -c '
set -euo pipefail
cd bench
for i in $(seq "$COUNT"); do
  for op in Put4KiB Restore Get4KiB; do
    echo "round $i of $COUNT: $op" >&2
    "$BIN" -test.run "^\$" -test.bench "^BenchmarkCluster(OneClient)?\$/^op=$op\$" \
      -test.benchtime "$BENCHTIME" -test.count 1 -test.cpu 2 -test.timeout 10m | tee -a "$OUT"
  done
done'
"$(go env GOPATH)/bin/benchstat" -filter '.name:Cluster' -col /store,/nodes -row /op "$out"
"$(go env GOPATH)/bin/benchstat" -filter '.name:ClusterOneClient' -col /store -row /op "$out"
