#!/usr/bin/env bash
# The first minutes: how long the first event after "Comms is running" takes — to its 202 and until its email is in
# MailDev — beside the median of the next nine, with the services' warm-up off (the baseline), on without its tier-up
# rounds, and on (the default), in the same run; events back to back, then with a pause of 300 ms after each
# (BENCH_PACES="0 300"). Each line also says how long the app host took to report "Comms is running".
# Results are printed and saved in bench/results/. Usage: bench/run-first-event.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
comms_prerequisites

base=${COMMS_BENCH_PORT_BASE:-16100}
results="bench/results/first-event-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p bench/results
echo "==> Building (Release)"
dotnet build Comms.AppHost/Comms.AppHost.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Comms.Bench.Intake/Comms.Bench.Intake.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
bench="dotnet bench/Comms.Bench.Intake/bin/Release/net10.0/Comms.Bench.Intake.dll"

export Comms__AppHost__Ports__postgres=$((base + 1)) Comms__AppHost__Ports__redis=$((base + 2))
export Comms__AppHost__Ports__mail_smtp=$((base + 3)) Comms__AppHost__Ports__mail_http=$((base + 4))
export Comms__AppHost__Ports__api=$((base + 5)) Comms__AppHost__Ports__web=$((base + 6)) Comms__AppHost__Ports__dispatcher=$((base + 7))
export Comms__AppHost__DispatcherReplicas=1 Comms__AppHost__Dashboard=false DOTNET_ENVIRONMENT=Development

apphost="" data=""
stop_apphost() { # also on a failed measurement (set -e), so that no app host outlives the script
  if [ -n "$apphost" ]; then kill -TERM "$apphost" 2>/dev/null || true; wait "$apphost" 2>/dev/null || true; fi
  if [ -n "$data" ]; then rm -rf "$data"; fi
  apphost="" data=""
}

run() { # $1 = true|false: the warm-up; $2 = its precompile mode (HotPath | Own); $3 = tier-up rounds (200 | 0); $4 = pause between events (ms)
  local log mode=${2:-HotPath} rounds=${3:-200} pace=${4:-0}
  data=$(mktemp -d /var/tmp/comms-bench.XXXXXX)
  chmod 755 "$data"
  log="$data/apphost.log"
  (export Comms__AppHost__DataDirectory="$data" Comms__WarmUp__Enabled="$1" Comms__WarmUp__Precompile="$mode" Comms__WarmUp__TierUpRounds="$rounds"; cd Comms.AppHost && exec setsid dotnet bin/Release/net10.0/Comms.AppHost.dll) >"$log" 2>&1 </dev/null &
  apphost=$!
  local started
  started=$(date +%s)
  for _ in $(seq 1 180); do
    grep -q "Comms is running" "$log" && break
    kill -0 "$apphost" 2>/dev/null || { tail -n 40 "$log"; exit 1; }
    sleep 1
  done
  echo "Warm-up $([ "$1" = true ] && echo "on, precompile $mode, tier-up rounds $([ "$rounds" = 0 ] && echo off || echo on)" || echo "off (baseline)"), $([ "$pace" = 0 ] && echo "events back to back" || echo "a pause of $pace ms after each event") — ready after $(( $(date +%s) - started )) s:"
  local pid
  for service in Api Dispatcher Web; do # resident memory once warm (what the precompile costs)
    pid=$(pgrep -f "Comms.$service/bin/Release/net10.0/Comms.$service\$" | head -1 || true)
    [ -n "$pid" ] && printf '  %s resident after start: %s MB\n' "$service" "$(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 ))"
  done
  BENCH_PACE_MS=$pace BENCH_MAIL_SMTP="127.0.0.1:$((base + 3))" $bench first --api "http://127.0.0.1:$((base + 5))" --key demo-api-key --mail "http://127.0.0.1:$((base + 4))"
  stop_apphost
}

{
  trap stop_apphost EXIT # this group runs in a subshell of its own (the pipe into tee)
  echo "Comms first-event benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?'), Release, 1 dispatcher"
  for pace in ${BENCH_PACES:-0 300}; do # back to back (the issue's "as fast as the tenth"), then at a person's pace
    run false HotPath 200 "$pace"
    run true HotPath 0 "$pace"   # the warm-up before the tier-up rounds
    run true HotPath 200 "$pace" # the default
  done
} | tee "$results"
echo "Saved to $results"
