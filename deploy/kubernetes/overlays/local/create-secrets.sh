#!/usr/bin/env bash
# Creates the Secrets the local overlay needs, with fresh random passwords (nothing secret is kept in the repository):
# postgres-credentials, redis-credentials, rabbitmq-credentials (key `password`) for the StatefulSets, and for each
# service <service>-connections with the keys <service>db, redis and rabbitmq: its connection strings to them; for
# Identity identity-connections (identitydb) and identity-clients (one random secret per API client, printed once).
#
#   deploy/kubernetes/overlays/local/create-secrets.sh [namespace]            # applies them (kubectl's current context)
#   deploy/kubernetes/overlays/local/create-secrets.sh [namespace] --dry-run  # prints them as YAML, touches no cluster
#
# Run it once per namespace, before `kubectl apply -k deploy/kubernetes/overlays/local`; running it again rotates
# nothing that exists (existing Secrets are left as they are).
set -euo pipefail

namespace=${1:-masstack}
dry_run=false
[ "${2:-}" = "--dry-run" ] && dry_run=true
services=(signup customer account subscription billing barring consumption notifications)

password() { head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 24; }

emit() { # name, then --from-literal=key=value …
  local name=$1; shift
  if $dry_run; then
    echo "---"
    kubectl create secret generic "$name" -n "$namespace" "$@" --dry-run=client -o yaml
  elif kubectl -n "$namespace" get secret "$name" >/dev/null 2>&1; then
    echo "secret/$name exists, kept"
  else
    kubectl create secret generic "$name" -n "$namespace" "$@"
  fi
}

if ! $dry_run; then
  kubectl get namespace "$namespace" >/dev/null 2>&1 || kubectl create namespace "$namespace"
  # Existing infrastructure credentials are kept, so the connection strings must be made from them.
  existing() { kubectl -n "$namespace" get secret "$1" -o jsonpath='{.data.password}' 2>/dev/null | base64 -d; }
else
  existing() { :; }
fi
pg_password=$(existing postgres-credentials); pg_password=${pg_password:-$(password)}
redis_password=$(existing redis-credentials); redis_password=${redis_password:-$(password)}
rabbitmq_password=$(existing rabbitmq-credentials); rabbitmq_password=${rabbitmq_password:-$(password)}

emit postgres-credentials --from-literal=password="$pg_password"
emit redis-credentials --from-literal=password="$redis_password"
emit rabbitmq-credentials --from-literal=password="$rabbitmq_password"
for service in "${services[@]}"; do
  emit "$service-connections" \
    --from-literal="${service}db=Host=postgres;Port=5432;Username=postgres;Password=$pg_password;Database=${service}db" \
    --from-literal="redis=redis:6379,password=$redis_password" \
    --from-literal="rabbitmq=amqp://masstack:$rabbitmq_password@rabbitmq:5672"
done
emit identity-connections --from-literal="identitydb=Host=postgres;Port=5432;Username=postgres;Password=$pg_password;Database=identitydb"
client_secrets=()
for client in till webshop care partner network operator; do
  secret=$(password)
  client_secrets+=(--from-literal="$client=$secret")
  $dry_run || echo "API client $client: secret $secret (kept in secret/identity-clients)"
done
emit identity-clients "${client_secrets[@]}"
