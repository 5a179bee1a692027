#!/usr/bin/env bash
# The email benchmarks (README "Performance"), each on a fresh PostgreSQL + Redis and the Release dispatcher as a process:
#   1. SMTP: the dispatcher sending N queued emails to postfix's smtp-sink, against a bare MailKit loop with the same
#      number of connections to the same sink, in the same run (goal: dispatcher >= 0.8 of the bare loop);
#   2. SendGrid: a fake SendGrid admitting 100 requests/s (goal: 100 requests/s x 1,000 recipients sustained), first our
#      SendGrid provider alone, then the dispatcher draining queued emails through it.
# Each also runs PostgreSQL alone (the dispatcher's claim and "sent" marks, no provider) on a fresh server in the same
# run, and prints the CPU time per email of the dispatcher, PostgreSQL, the sink and the bare loop's process.
# Results are printed and saved in bench/results/.
# Usage: bench/run-email.sh [smtp-emails=30000] [sendgrid-emails=300000] [connections=4] [smtp-warm-up=20000]
# COMMS_BENCH_DISPATCHER=/path/Comms.Dispatcher.dll runs another build of the dispatcher (e.g. the previous commit, for a pair).
set -euo pipefail
cd "$(dirname "$0")/.."

smtp_emails=${1:-30000}
sendgrid_emails=${2:-300000}
connections=${3:-4}
warm_up=${4:-20000}
results="bench/results/email-$(date -u +%Y%m%dT%H%M%SZ).txt"
mkdir -p bench/results

if ! command -v smtp-sink >/dev/null && [ ! -x /usr/sbin/smtp-sink ]; then
  echo "==> Installing postfix (for smtp-sink)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >/dev/null
fi
sink_bin=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)

echo "==> Building (Release)"
dotnet build Comms.Dispatcher/Comms.Dispatcher.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build bench/Comms.Bench.Email/Comms.Bench.Email.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
bench="dotnet bench/Comms.Bench.Email/bin/Release/net10.0/Comms.Bench.Email.dll"
dispatcher="${COMMS_BENCH_DISPATCHER:-$PWD/Comms.Dispatcher/bin/Release/net10.0/Comms.Dispatcher.dll}"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A sink that accepts everything and keeps nothing (-u root: it runs as root here; backlog 1000).
"$sink_bin" -u root "127.0.0.1:$port" 1000 &
sink=$!
trap 'kill "$sink" 2>/dev/null || true' EXIT

{
  echo "Comms email benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?'), dispatcher $dispatcher, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  $bench smtp --dispatcher "$dispatcher" --sink "127.0.0.1:$port" --sink-pid "$sink" --messages "$smtp_emails" --connections "$connections" --warmup "$warm_up"
  echo
  $bench sendgrid --dispatcher "$dispatcher" --messages "$sendgrid_emails" --rps 100 --seconds 10
} | tee "$results"
echo "Saved to $results"
