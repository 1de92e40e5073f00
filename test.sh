#!/usr/bin/env bash
# Runs every test: the unit tests, and the end-to-end tests that boot the whole suite on real PostgreSQL,
# Redis and RabbitMQ. The solution is built once; both test projects run from that build.
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh

dotnet build MasStack.Aspire.sln -c Release -warnaserror -nologo -v q
log=$(mktemp)
set +e
dotnet test MasStack.Aspire.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test projects.
awk -F'[:,]' '/(Passed|Failed)! +- +Failed:/ { failed += $2; passed += $4; skipped += $6 }
  END { printf "Tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
rm -f "$log"
exit "$status"
