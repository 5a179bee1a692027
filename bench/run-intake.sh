#!/usr/bin/env bash
# The intake benchmark, end to end: starts a Release app host on its own ports and data folder, sets up
# an in-app-only event through the API, and measures
#   1. intake alone (dispatcher paused): sustained events/s and p50/p99 event→queued latency (the 202),
#   2. the raw PostgreSQL insert rate on the same machine (one INSERT+COMMIT per row),
#   3. the dispatcher draining that backlog (events routed and delivered in-app per second),
#   4. the whole system at once (intake with the dispatcher routing and delivering alongside).
# Results are printed and saved in bench/results/. Usage: bench/run-intake.sh [concurrency] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
comms_prerequisites

concurrency=${1:-64}
seconds=${2:-20}
base=${COMMS_BENCH_PORT_BASE:-16000}
data=$(mktemp -d /var/tmp/comms-bench.XXXXXX)
chmod 755 "$data"
results="bench/results/intake-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p bench/results

echo "==> Building (Release)"
dotnet build Comms.AppHost/Comms.AppHost.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Comms.Bench.Intake/Comms.Bench.Intake.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
bench="dotnet bench/Comms.Bench.Intake/bin/Release/net10.0/Comms.Bench.Intake.dll"

export Comms__AppHost__DataDirectory="$data"
export Comms__AppHost__Ports__postgres=$((base + 1)) Comms__AppHost__Ports__redis=$((base + 2))
export Comms__AppHost__Ports__mail_smtp=$((base + 3)) Comms__AppHost__Ports__mail_http=$((base + 4))
# One dispatcher replica (the figures below are per dispatcher), no dashboard, the demo seed.
export Comms__AppHost__DispatcherReplicas=${COMMS_BENCH_DISPATCHERS:-1} Comms__AppHost__Dashboard=false DOTNET_ENVIRONMENT=Development
export Comms__AppHost__Ports__api=$((base + 5)) Comms__AppHost__Ports__web=$((base + 6)) Comms__AppHost__Ports__dispatcher=$((base + 7))
# One API key drives the whole load: keep the limiter in the path (its Redis round trip is part of the cost) but out of the way.
export Comms__RateLimits__ApiKey__PermitLimit=10000000
log="$data/apphost.log"
(cd Comms.AppHost && exec setsid dotnet bin/Release/net10.0/Comms.AppHost.dll) >"$log" 2>&1 </dev/null &
apphost=$!
stop() {
  kill -TERM "$apphost" 2>/dev/null || true
  wait "$apphost" 2>/dev/null || true
  rm -rf "$data" 2>/dev/null || true
}
trap stop EXIT

echo "==> Starting the app host (logs: $log)"
for _ in $(seq 1 180); do
  grep -q "Comms is running" "$log" && break
  kill -0 "$apphost" 2>/dev/null || { tail -n 40 "$log"; exit 1; }
  sleep 1
done
api="http://127.0.0.1:$((base + 5))"
db="Host=127.0.0.1;Port=$((base + 1));Username=postgres;Password=$(cat "$data/postgres.password");Database=commsdb"
# The Release dispatcher(s) the app host's orchestrator started (nothing else runs a Release build).
dispatcher=$(pgrep -f "Comms.Dispatcher/bin/Release/net10.0/Comms.Dispatcher$" | tr '\n' ' ')

{
  echo "Comms intake benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  $bench setup --api "$api" --key demo-api-key
  echo
  echo "1. Intake alone (dispatcher paused)"
  kill -STOP $dispatcher
  $bench load --api "$api" --key demo-api-key --concurrency "$concurrency" --seconds "$seconds" --warmup 5
  echo
  echo "2. Raw PostgreSQL baseline"
  $bench raw --db "$db" --concurrency 32 --seconds 10
  echo
  echo "3. Dispatcher working off the backlog of step 1"
  kill -CONT $dispatcher
  $bench drain --db "$db" --seconds 300
  echo
  echo "4. Whole system (intake while the dispatcher routes and delivers)"
  $bench load --api "$api" --key demo-api-key --db "$db" --concurrency "$concurrency" --seconds "$seconds" --warmup 5
} | tee "$results"
echo "Saved to $results"
