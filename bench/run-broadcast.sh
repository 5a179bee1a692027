#!/usr/bin/env bash
# The broadcast benchmark (issue 12), end to end: starts a Release app host on its own ports and data folder (its own
# PostgreSQL, Redis, MailDev; one dispatcher) and measures, in the same run,
#   1. a broadcast to N recipients of one tenant through the real API and dispatcher: sign in as the seed operator,
#      compose, test-send, send; the clock runs from the send until the audience is expanded into message rows
#      (every recipient sits inside quiet hours, so the email is routed into a queued, deferred row and no SMTP
#      sending competes for the cores); the dispatcher's resident memory is sampled every 250 ms meanwhile,
#   2. a bare binary COPY of the very rows the expansion wrote (messages, renders, decisions; then also message_keys, the
#      idempotency keys the expansion writes for each message, timed apart) into twin tables,
# and prints messages/s for each and the ratio expansion/COPY. Results are printed and saved in bench/results/.
# Before 1., an unmeasured broadcast to BENCH_WARMUP recipients (default 150,000) of another tenant warms the dispatcher up
# (its tiered JIT recompiles the hot methods during the first tens of thousands; 0 skips it); the CPU seconds of the
# dispatcher and of PostgreSQL over the measured expansion are printed too.
# Usage: bench/run-broadcast.sh [recipients=1000000]   (BENCH_SHARED_BODY=1: a body that reads nothing of the recipient)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
comms_prerequisites

recipients=${1:-1000000}
base=${COMMS_BENCH_PORT_BASE:-16200}
data=$(mktemp -d /var/tmp/comms-bench.XXXXXX)
chmod 755 "$data"
results="bench/results/broadcast-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p bench/results

echo "==> Building (Release)"
dotnet build Comms.AppHost/Comms.AppHost.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Comms.Bench.Broadcast/Comms.Bench.Broadcast.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
bench="dotnet bench/Comms.Bench.Broadcast/bin/Release/net10.0/Comms.Bench.Broadcast.dll"

export Comms__AppHost__DataDirectory="$data"
export Comms__AppHost__Ports__postgres=$((base + 1)) Comms__AppHost__Ports__redis=$((base + 2))
export Comms__AppHost__Ports__mail_smtp=$((base + 3)) Comms__AppHost__Ports__mail_http=$((base + 4))
export Comms__AppHost__DispatcherReplicas=1 Comms__AppHost__Dashboard=false DOTNET_ENVIRONMENT=Development
export Comms__AppHost__Ports__api=$((base + 5)) Comms__AppHost__Ports__web=$((base + 6)) Comms__AppHost__Ports__dispatcher=$((base + 7))
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
dispatcher=$(pgrep -f "Comms.Dispatcher/bin/Release/net10.0/Comms.Dispatcher$" | head -n 1 || true)
postmaster=$(head -n 1 "$(find "$data" -maxdepth 3 -name postmaster.pid | head -n 1)" 2>/dev/null || true)

echo "==> Seeding $recipients recipients"
$bench seed --db "$db" --recipients "$recipients"
{
  echo "Comms broadcast benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "| Path | Messages | Seconds | Messages/s | Dispatcher RSS (first → max → last) |"
  echo "|---|---:|---:|---:|---|"
  $bench send --api "$api" --db "$db" --pid "${dispatcher:-0}" ${postmaster:+--pg-pid "$postmaster"} --warm-up "${BENCH_WARMUP:-150000}" --save "$data/rates" ${BENCH_SHARED_BODY:+--shared-body}
  broadcast=$(grep '^broadcast=' "$data/rates" | cut -d= -f2)
  $bench copy --db "$db" --broadcast "$broadcast" --save "$data/rates"
  expansion=$(grep '^expansion=' "$data/rates" | cut -d= -f2)
  copy=$(grep '^copy=' "$data/rates" | cut -d= -f2)
  echo
  echo "Broadcast expansion vs bare COPY of its messages, renders and decisions: $(awk -v e="$expansion" -v c="$copy" 'BEGIN { printf "%.2f", e / c }')"
  copyall=$(grep '^copyall=' "$data/rates" | cut -d= -f2)
  echo "… vs bare COPY of every row the expansion writes (with message_keys): $(awk -v e="$expansion" -v c="$copyall" 'BEGIN { printf "%.2f", e / c }') (goals: ≥ 0.66 with 1,000,000 recipients, issue 12; ≥ 0.5 with 100,000, issue 14)"
} | tee "$results"
echo "Saved to $results"
