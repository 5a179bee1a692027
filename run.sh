#!/usr/bin/env bash
# Installs what is missing, builds, and starts the .NET Aspire app host: PostgreSQL, Redis, MailDev, the
# migrator, the Comms API, two dispatcher replicas and the web, with the Aspire dashboard. It prints the URLs
# when everything is healthy. Ctrl+C (or SIGTERM) stops everything.
#
# Every Comms__* environment variable given to this script reaches the three services, e.g.
#   Comms__Dispatcher__MaxAttempts=5 ./run.sh
# and ConnectionStrings__commsdb / ConnectionStrings__redis / ConnectionStrings__mail point the app host at
# existing servers instead of starting its own.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
comms_prerequisites

echo "==> Building (the app host builds the services it runs)"
dotnet build Comms.AppHost/Comms.AppHost.csproj -c Debug -nologo -v minimal -clp:NoSummary

# The Aspire dashboard on a fixed local address, over plain http and without a login token: this is a
# local development setup only (there is no HTTPS development certificate on these machines).
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="${COMMS_DASHBOARD_URL:-http://127.0.0.1:18888}"
export ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="${ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL:-http://127.0.0.1:18889}"
export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="${ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL:-http://127.0.0.1:18890}"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
export ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true

echo "==> Starting the app host (dashboard: $ASPNETCORE_URLS)"
cd Comms.AppHost # its content root: appsettings.json is read from here
exec dotnet bin/Debug/net10.0/Comms.AppHost.dll "$@"
