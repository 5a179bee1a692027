#!/usr/bin/env bash
# Refreshes the vendored front-end libraries in Comms.Web/wwwroot/lib from npm (versions pinned in
# Comms.Web/package.json). The vendored files are committed, so building and running never need npm
# or a CDN; run this only to upgrade a library.
set -euo pipefail
cd "$(dirname "$0")/../Comms.Web"
npm install --no-audit --no-fund
lib=wwwroot/lib
rm -rf "$lib" && mkdir -p "$lib"/{signalr,alpinejs,alpinejs-csp,bootstrap/css,bootstrap/js,chart.js}
cp node_modules/@microsoft/signalr/dist/browser/signalr.min.js "$lib/signalr/"
cp node_modules/alpinejs/dist/cdn.min.js "$lib/alpinejs/alpine.min.js"
# The CSP build (no eval), which the pages use under a Content-Security-Policy without 'unsafe-eval'.
cp node_modules/@alpinejs/csp/dist/cdn.min.js "$lib/alpinejs-csp/alpine-csp.min.js"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$lib/bootstrap/css/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$lib/bootstrap/js/"
cp node_modules/chart.js/dist/chart.umd.min.js "$lib/chart.js/chart.umd.min.js"
for pkg in @microsoft/signalr alpinejs bootstrap chart.js @alpinejs/csp; do
  printf '%s %s\n' "$pkg" "$(node -p "require('./node_modules/$pkg/package.json').version")"
done > "$lib/VERSIONS.txt"
echo "Vendored into Comms.Web/$lib:"; cat "$lib/VERSIONS.txt"
