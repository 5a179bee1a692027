#!/usr/bin/env bash
# The intake benchmark, end to end: starts a Release app host on its own ports and data folder, sets up
# an in-app-only event through the API, and measures
#   1. intake alone (dispatcher paused): sustained events/s and p50/p99 event→queued latency (the 202),
#   2. the raw PostgreSQL insert rate on the same machine (one INSERT+COMMIT per row),
#   3. the dispatcher draining that backlog (events routed and delivered in-app per second),
#   4. the whole system at once (intake with the dispatcher routing and delivering alongside),
#   5. sustained end to end: an open-loop generator at fixed rates (BENCH_RATES, default "1000 2000 3000"; BENCH_OPEN_SECONDS,
#      default 60), event -> inbox item p50/p99 and whether the backlog grows; each rate starts after the earlier steps'
#      backlog is worked off and the tables they churned are vacuumed; the p99 is also printed per 10 s, with the backlog.
#   6. audience fan-out: an event to BENCH_FANOUT recipients (default 100,000; a broadcast's per-tenant audience event)
#      expanded into messages against a bare COPY of the same rows — bench/run-broadcast.sh, on its own app host after
#      this one is stopped.
# Step 2 also runs batched INSERTs and a binary COPY; step 3 also profiles the drain (CPU per process from /proc,
# pg_stat_statements per routed event, dotnet-counters of the dispatcher when /tmp/perf-tools/dotnet-counters exists).
# BENCH_USERS=N sends the events to N users in turn (default 1: every event to one user, whose inbox writes queue on one lock).
# BENCH_STEPS picks steps ("1 3": intake and drain only); BENCH_LABEL suffixes the results file; COMMS_BENCH_DISPATCHERS=2
# runs two dispatcher replicas; Comms__Dispatcher__* settings pass through to the dispatcher.
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
# BENCH_STEPS picks steps (default all); BENCH_LABEL names the results file (e.g. a lever's before/after).
steps=" ${BENCH_STEPS:-1 2 3 4 5 6} "
users=${BENCH_USERS:-1}
step() { [[ "$steps" == *" $1 "* ]]; }
results="bench/results/intake-$(date -u +%Y%m%dT%H%M%SZ)${BENCH_LABEL:+-$BENCH_LABEL}.txt"
mkdir -p bench/results

apphost=
stop() {
  [ -f "$data/counters.pids" ] && while read -r p; do kill -TERM "$p" 2>/dev/null || true; done <"$data/counters.pids"
  [ -n "$apphost" ] && kill -TERM "$apphost" 2>/dev/null || true
  wait "$apphost" 2>/dev/null || true
  rm -rf "$data" 2>/dev/null || true
}
trap stop EXIT

echo "==> Building (Release)"
dotnet build Comms.AppHost/Comms.AppHost.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Comms.Bench.Intake/Comms.Bench.Intake.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
bench="dotnet bench/Comms.Bench.Intake/bin/Release/net10.0/Comms.Bench.Intake.dll"

export Comms__AppHost__DataDirectory="$data"
# The cluster is created here (with the app host's own init script and a password file it then reuses) so that
# PostgreSQL starts with pg_stat_statements loaded: the drain's profile reports the SQL per routed event.
pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)")
python3 -c "import secrets,string; print(''.join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32)), end='')" >"$data/postgres.password"
chmod 600 "$data/postgres.password"
bash Comms.AppHost/Resources/postgres-init.sh "$data/postgres" "$data/postgres.password" "$pgbin" >/dev/null
printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = top\ntrack_io_timing = off\n" >>"$data/postgres/postgresql.conf"
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

echo "==> Starting the app host (logs: $log)"
for _ in $(seq 1 180); do
  grep -q "Comms is running" "$log" && break
  kill -0 "$apphost" 2>/dev/null || { tail -n 40 "$log"; exit 1; }
  sleep 1
done
api="http://127.0.0.1:$((base + 5))"
db="Host=127.0.0.1;Port=$((base + 1));Username=postgres;Password=$(cat "$data/postgres.password");Database=commsdb"
# The processes of this app host only (another benchmark may run a Release dispatcher too): those whose environment
# names this run's PostgreSQL port.
vacuum_tables() {
  PGPASSWORD=$(cat "$data/postgres.password") "$pgbin/psql" -q -h 127.0.0.1 -p $((base + 1)) -U postgres -d commsdb \
    -c "VACUUM (ANALYZE) events, messages, message_keys, message_renders, decisions, inbox_items, message_attempts" >/dev/null
}
ours_matching() {
  local p
  for p in $(pgrep -f "$1"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q "$((base + 1))" && echo "$p"
  done
  true
}
dispatcher=$(ours_matching 'Comms.Dispatcher/bin/Release/net10.0/Comms.Dispatcher' | tr '\n' ' ')
apipid=$(ours_matching 'Comms.Api/bin/Release/net10.0/Comms.Api' | head -n 1)
webpid=$(ours_matching 'Comms.Web/bin/Release/net10.0/Comms.Web' | head -n 1)
pgpid=$(head -n 1 "$data/postgres/postmaster.pid")
redispid=$(pgrep -f "redis-server.*$((base + 2))" | head -n 1 || true)
[ -n "$dispatcher" ] || { echo "No dispatcher process of this app host found"; exit 1; }
pids="postgres:$pgpid,api:$apipid,web:$webpid,redis:${redispid:-0}"
for d in $dispatcher; do pids="$pids,dispatcher:$d"; done
counters=/tmp/perf-tools/dotnet-counters
# Bytes allocated and GC work in the dispatcher(s) over a drain (dotnet-counters, when installed).
counters_start() {
  [ -x "$counters" ] || return 0
  for d in $dispatcher; do
    "$counters" collect -p "$d" --counters System.Runtime,Npgsql --format csv --refresh-interval 1 -o "$data/counters-$1-$d.csv" >/dev/null 2>&1 &
    echo $! >>"$data/counters.pids"
  done
  sleep 2
}
counters_stop() {
  [ -f "$data/counters.pids" ] || return 0
  while read -r p; do kill -TERM "$p" 2>/dev/null || true; done <"$data/counters.pids"
  while read -r p; do wait "$p" 2>/dev/null || true; done <"$data/counters.pids"
  rm -f "$data/counters.pids"
  for f in "$data"/counters-"$1"-*.csv; do [ -f "$f" ] && python3 bench/counters-summary.py "$f" "$2"; done
}

{
  echo "Comms intake benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "Settings: dispatchers ${COMMS_BENCH_DISPATCHERS:-1}, users $users, Comms__Dispatcher__InlineInApp=${Comms__Dispatcher__InlineInApp:-default}, Comms__Dispatcher__EventBatchSize=${Comms__Dispatcher__EventBatchSize:-default}, Comms__Dispatcher__RoutingLoops=${Comms__Dispatcher__RoutingLoops:-default}, Comms__Dispatcher__ClaimByRowLock=${Comms__Dispatcher__ClaimByRowLock:-default}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  $bench setup --api "$api" --key demo-api-key --users "$users"
  echo
  echo "1. Intake alone (dispatcher paused)"
  kill -STOP $dispatcher
  $bench load --api "$api" --key demo-api-key --users "$users" --concurrency "$concurrency" --seconds "$seconds" --warmup 5
  if step 2; then
    echo
    echo "2. Raw PostgreSQL baselines"
    $bench raw --db "$db" --concurrency 32 --seconds 10
  fi
  echo
  echo "3. Dispatcher working off the backlog of step 1"
  counters_start drain
  # The drain starts on vacuumed tables, as every run does whatever steps it runs (step 1 just wrote its backlog; with step 2
  # in between autovacuum had done it by then, without it autovacuum took up to a third of PostgreSQL's CPU in the drain).
  vacuum_tables
  kill -CONT $dispatcher
  $bench drain --db "$db" --seconds 300 --profile --pids "$pids" | tee "$data/drain.txt"
  counters_stop drain "$(sed -n 's/^Dispatcher drain: \([0-9]*\) events.*/\1/p' "$data/drain.txt")"
  if step 4; then
    echo
    echo "4. Whole system (intake while the dispatcher routes and delivers)"
    $bench load --api "$api" --key demo-api-key --users "$users" --db "$db" --concurrency "$concurrency" --seconds "$seconds" --warmup 5
  fi
  if step 5; then
    echo
    echo "5. Sustained end to end: open-loop generator at fixed rates, event → inbox item"
    for rate in ${BENCH_RATES:-1000 2000 3000}; do
      $bench drain --db "$db" --seconds 120 >/dev/null # whatever an earlier step left is worked off first
      # ...and PostgreSQL's own catching up on it (the earlier steps wrote and updated a few hundred thousand rows just
      # before): vacuumed now, not by autovacuum in the first seconds of the measured run. Autovacuum stays on during it.
      vacuum_tables
      $bench open --api "$api" --key demo-api-key --users "$users" --db "$db" --rate "$rate" --seconds "${BENCH_OPEN_SECONDS:-60}"
    done
  fi
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results"
if step 6; then
  stop
  apphost=
  {
    echo
    echo "6. Audience fan-out: an event to ${BENCH_FANOUT:-100000} recipients expanded into messages vs a bare COPY of the same rows (bench/run-broadcast.sh, its own app host)"
    bench/run-broadcast.sh "${BENCH_FANOUT:-100000}" | sed -n '/^| Path/,$p' | grep -v '^Saved to'
  } | tee -a "$results"
fi
echo "Saved to $results"
