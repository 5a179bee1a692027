#!/usr/bin/env bash
# The recipient bulk-sync benchmark (issue 15), end to end: starts a Release app host on its own ports and data folder
# (its own PostgreSQL and Redis; the dispatcher is paused, nothing routes) and measures, in the same run,
#   1. POST /v1/recipients/bulk through the real HTTP API: N new recipients in calls of 1,000 from C concurrent clients,
#   2. the same N again (every item unchanged: the cost of a repeated sync that writes nothing),
#   3. a bare binary COPY of the same N rows (another external-id prefix) into the same recipients table: the floor,
# and prints recipients/s for each and the ratio bulk/COPY. Results are printed and saved in bench/results/.
# Usage: bench/run-recipients-bulk.sh [recipients=200000] [concurrency=4] [batch=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
comms_prerequisites

recipients=${1:-200000}
concurrency=${2:-4}
batch=${3:-1000}
base=${COMMS_BENCH_PORT_BASE:-16100}
data=$(mktemp -d /var/tmp/comms-bench.XXXXXX)
chmod 755 "$data"
results="bench/results/recipients-bulk-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p bench/results

echo "==> Building (Release)"
dotnet build Comms.AppHost/Comms.AppHost.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Comms.Bench.Recipients/Comms.Bench.Recipients.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
bench="dotnet bench/Comms.Bench.Recipients/bin/Release/net10.0/Comms.Bench.Recipients.dll"

export Comms__AppHost__DataDirectory="$data"
export Comms__AppHost__Ports__postgres=$((base + 1)) Comms__AppHost__Ports__redis=$((base + 2))
export Comms__AppHost__Ports__mail_smtp=$((base + 3)) Comms__AppHost__Ports__mail_http=$((base + 4))
export Comms__AppHost__DispatcherReplicas=1 Comms__AppHost__Dashboard=false DOTNET_ENVIRONMENT=Development
export Comms__AppHost__Ports__api=$((base + 5)) Comms__AppHost__Ports__web=$((base + 6)) Comms__AppHost__Ports__dispatcher=$((base + 7))
# One API key drives the whole load: keep the limiter in the path but out of the way.
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
# Nothing here needs the dispatcher (the Release build the app host started): pause it so it takes no CPU.
dispatcher=$(pgrep -f "Comms.Dispatcher/bin/Release/net10.0/Comms.Dispatcher$" | tr '\n' ' ')
[ -n "$dispatcher" ] && kill -STOP $dispatcher

{
  echo "Comms recipient bulk-sync benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  # Warm-up (not counted): JIT, connection pools, the tenant catalog.
  $bench http --api "$api" --recipients 20000 --batch "$batch" --concurrency "$concurrency" --prefix warm --label "warm-up (not counted)" >/dev/null
  echo "| Path | Recipients | Calls | Seconds | Recipients/s | Call p50 / p99 | Outcomes |"
  echo "|---|---:|---|---:|---:|---|---|"
  $bench http --api "$api" --recipients "$recipients" --batch "$batch" --concurrency "$concurrency" --prefix bulk --label "POST /v1/recipients/bulk, new recipients" --save "$data/bulk.rate"
  $bench http --api "$api" --recipients "$recipients" --batch "$batch" --concurrency "$concurrency" --prefix bulk --label "the same call repeated (nothing changes)"
  $bench copy --db "$db" --recipients "$recipients" --prefix copy --save "$data/copy.rate"
  bulk_rate=$(cat "$data/bulk.rate")
  copy_rate=$(cat "$data/copy.rate")
  echo
  echo "Bulk sync of new recipients vs bare COPY: $(awk -v b="$bulk_rate" -v c="$copy_rate" 'BEGIN { printf "%.2f", b / c }') (goal: ≥ 10,000 recipients/s)"
} | tee "$results"
[ -n "$dispatcher" ] && kill -CONT $dispatcher
echo "Saved to $results"
