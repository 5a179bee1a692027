#!/usr/bin/env bash
# The inbox benchmarks of SPEC S5 (issue 10), end to end: starts a Release app host on its own ports and data folder and
#   1. live: N SignalR clients of N users of the demo tenant connected to the Web's hub; events posted open loop at a
#      steady rate (first a tenth of it, the baseline), each to one random connected user, in-app only; every event
#      timed from its 202 (and from its request's start) until its user's client receives notificationReceived,
#   2. fills the inbox straight in PostgreSQL: 100 items for each of M users (10 M rows for 100,000), VACUUM ANALYZE,
#   3. the first page and the count at the database (the API's own InboxService code, plus EXPLAIN ANALYZE),
#   4. GET /me/notifications and /me/notifications/count over HTTP, a random user's token per request.
# Results are printed and saved in bench/results/.
# Usage: bench/run-inbox.sh [clients=2000] [events/s=200] [seconds=60] [inbox-users=100000] [requests=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
comms_prerequisites

clients=${1:-2000}
rate=${2:-200}
seconds=${3:-60}
inbox_users=${4:-100000}
requests=${5:-2000}
base=${COMMS_BENCH_PORT_BASE:-16200}
# Two thousand WebSockets on each side (the load generator and the Web) need more than the usual 1,024 descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
data=$(mktemp -d /var/tmp/comms-bench.XXXXXX)
chmod 755 "$data"
results="bench/results/inbox-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p bench/results

echo "==> Building (Release)"
dotnet build Comms.AppHost/Comms.AppHost.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Comms.Bench.Inbox/Comms.Bench.Inbox.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
bench="dotnet bench/Comms.Bench.Inbox/bin/Release/net10.0/Comms.Bench.Inbox.dll"

export Comms__AppHost__DataDirectory="$data"
export Comms__AppHost__Ports__postgres=$((base + 1)) Comms__AppHost__Ports__redis=$((base + 2))
export Comms__AppHost__Ports__mail_smtp=$((base + 3)) Comms__AppHost__Ports__mail_http=$((base + 4))
export Comms__AppHost__DispatcherReplicas=${COMMS_BENCH_DISPATCHERS:-1} Comms__AppHost__Dashboard=false DOTNET_ENVIRONMENT=Development
export Comms__AppHost__Ports__api=$((base + 5)) Comms__AppHost__Ports__web=$((base + 6)) Comms__AppHost__Ports__dispatcher=$((base + 7))
# One API key drives the whole load (200 events/s is twice its default 6,000 a minute): raised out of the way.
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
web="http://127.0.0.1:$((base + 6))"
db="Host=127.0.0.1;Port=$((base + 1));Username=postgres;Password=$(cat "$data/postgres.password");Database=commsdb"

{
  echo "Comms inbox benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?'), Release, 1 dispatcher"
  echo
  echo "1. Event → item shown in a connected client ($clients clients, $rate events/s for $seconds s, in-app only)"
  $bench live --api "$api" --web "$web" --db "$db" --users "$clients" --rate "$rate" --seconds "$seconds"
  echo
  echo "   Baseline for step 4: the same HTTP reads before the fill (the $clients live users, about $(( (rate * seconds + rate / 10 * 25) / clients )) items each)"
  $bench http --api "$api" --who live --users "$clients" --requests "$requests" --concurrency 8
  echo
  echo "2. Filling the inbox: $inbox_users users × 100 items"
  $bench fill --db "$db" --users "$inbox_users"
  echo
  echo "3. At the database: the first page and the count"
  $bench db --db "$db" --users "$inbox_users" --requests "$requests"
  echo
  echo "4. Over HTTP (the API, Release, user tokens)"
  $bench http --api "$api" --users "$inbox_users" --requests "$requests" --concurrency 8
} | tee "$results"
echo "Saved to $results"
