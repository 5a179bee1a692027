#!/usr/bin/env bash
# Rewrites docs/openapi/v1.json from the document the API serves (the contract test compares the two, so every
# change of the API's contract shows in review), then regenerates the .NET client (Comms.Client/Generated) from it
# with Kiota. Run it after changing an endpoint, then commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/Comms.IntegrationTests -c Debug -nologo -v quiet -clp:ErrorsOnly
COMMS_UPDATE_OPENAPI=1 dotnet test tests/Comms.IntegrationTests -c Debug --no-build -nologo \
  --filter "FullyQualifiedName~OpenApiContractTests.The_served_document_is_the_committed_one"
echo "docs/openapi/v1.json is up to date."

dotnet tool restore >/dev/null
# No update check and no telemetry: the generator works offline.
KIOTA_UPDATE__DISABLED=true KIOTA_CLI_TELEMETRY_OPTOUT=true dotnet kiota generate -l CSharp -c CommsApiClient -n Comms.Client.Generated -d docs/openapi/v1.json \
  -o Comms.Client/Generated --exclude-backward-compatible --clean-output --log-level Error
rm -f Comms.Client/Generated/.kiota.log
echo "Comms.Client/Generated is up to date."
