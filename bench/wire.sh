#!/usr/bin/env bash
# Runs BenchmarkWire in ROUNDS interleaved rounds (default 5) in one
# process, so that every server of a row is measured seconds from the
# others and the servers, their data and the 100,000 keys of the listing
# rows are set up once; then prints benchstat's table (a column a server)
# and bench/wireratio's tables of ratios. Peers come from scripts/peers.
#   bench/wire.sh [ROUNDS] [BENCH-REGEXP] [BENCHTIME]
# The raw output goes to OUT (default bench/wire.txt), with Go's #01, #02
# … suffixes of the rounds after the first taken off the names.
#
# It waits until the 1-minute load average is below MAX_LOAD (default 2.5)
# before it starts: these numbers mean something only on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
pattern=${2:-Wire}
benchtime=${3:-1s}
out=${OUT:-bench/wire.txt}
max_load=${MAX_LOAD:-2.5}
go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/bench.test" ./bench/
while :; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  if awk -v l="$load" -v m="$max_load" 'BEGIN { exit !(l < m) }'; then break; fi
  echo "load average $load, not below $max_load: waiting" >&2
  sleep 60
done
{
  echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD) rounds=$rounds benchtime=$benchtime load=$load"
  echo "# $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-); $(go version)"
} | sed 's/^# /Note: /' >"$out"
(cd bench && COLDSTORE_WIRE_ROUNDS=$rounds "$tmp/bench.test" -test.run '^$' -test.bench "$pattern" \
  -test.benchtime "$benchtime" -test.count 1 -test.timeout 0) |
  sed -E 's/^(BenchmarkWire[^ \t]*)#[0-9]+(-[0-9]+[ \t])/\1\2/' | tee -a "$out"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out" >&2
"$(go env GOPATH)/bin/benchstat" -col /server "$out"
go run ./bench/wireratio "$out"
