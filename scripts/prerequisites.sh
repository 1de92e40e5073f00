#!/usr/bin/env bash
# Installs what the suite runs on when it is missing: PostgreSQL, Redis and RabbitMQ from Debian's packages.
# They are run by the AppHost as its own processes (ports and data of its own), never as system services,
# so the packages are installed without starting their daemons. A machine with a container runtime needs none
# of them: the AppHost then runs the infrastructure as containers.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)

if [ ${#missing[@]} -gt 0 ]; then
  if docker info >/dev/null 2>&1 || podman info >/dev/null 2>&1; then
    echo "prerequisites: a container runtime answers; the AppHost will use containers instead of ${missing[*]}."
    exit 0
  fi
  echo "prerequisites: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # RUNLEVEL=1 keeps invoke-rc.d from starting the packages' own daemons: the AppHost runs its own.
  $sudo env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "prerequisites: the .NET 10 SDK is required (https://dot.net)"; exit 1; }
echo "prerequisites: PostgreSQL, Redis and RabbitMQ are installed."
