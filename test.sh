#!/usr/bin/env bash
# Installs what is missing (Chromium too), builds, runs every test project, and ends with one line:
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
comms_prerequisites --browser || { echo "0 passed, 0 failed"; exit 1; }

results="TestResults"
rm -rf "$results"
mkdir -p "$results"

echo "==> Building"
if ! dotnet build Comms.sln -c Debug -nologo -v quiet -clp:ErrorsOnly; then
  echo "Build failed."
  echo "0 passed, 0 failed"
  exit 1
fi

status=0
broken=0 # test runs that failed although none of their tests did (a fixture's setup or cleanup threw)
for project in tests/*/*Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "==> $name"
  dotnet test "$project" -c Debug --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true && continue
  status=1
  counters=$(grep -o '<Counters [^>]*>' "$results/$name.trx" 2>/dev/null | head -n 1)
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  if [ "${f:-0}" = "0" ]; then
    echo "$name: the run failed outside its tests (a fixture's setup or cleanup; see above): counted as 1 failed."
    broken=$((broken + 1))
  fi
done

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

failed=$((failed + broken))
if [ "$passed" -eq 0 ]; then status=1; fi
if [ "$failed" -ne 0 ]; then status=1; fi
echo "$passed passed, $failed failed"
exit $status
