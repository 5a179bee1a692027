#!/usr/bin/env bash
# Installs what is missing, builds, and starts the app host: PostgreSQL, Redis, MailDev, and the
# Comms API, dispatcher and web, with their URLs printed when everything is healthy. Ctrl+C stops all.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
comms_prerequisites

echo "==> Building"
dotnet build Comms.AppHost/Comms.AppHost.csproj -c Debug -nologo -v quiet -clp:ErrorsOnly

echo "==> Starting the app host"
exec dotnet Comms.AppHost/bin/Debug/net10.0/Comms.AppHost.dll "$@"
