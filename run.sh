#!/usr/bin/env bash
# Runs the whole suite: PostgreSQL, Redis, RabbitMQ, the seven services, the gateway (http://localhost:8080)
# and the Aspire dashboard (http://localhost:18888). Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh
exec dotnet run --project AppHost --launch-profile http "$@"
