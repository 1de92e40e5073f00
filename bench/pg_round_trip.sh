#!/bin/bash
# What one round trip to PostgreSQL costs in CPU, over TCP on loopback and over a Unix socket, on one throwaway server in
# one run (issue 9: the AppHost's local PostgreSQL is reached through a socket for this). pgbench runs a prepared
# `SELECT 1` --transactions times from 4 clients each way, three rounds; the server's CPU is read from its postmaster
# (which its ended backends count in), the client's from time(1). Prints µs of CPU per round trip, server and client.
#
# Usage: flock /tmp/masstack-heavy.lock bash bench/pg_round_trip.sh [transactions per client, default 20000]
set -euo pipefail
per_client=${1:-20000}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /var/tmp/pg-round-trip-XXXX)
as_postgres=()
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi
"${as_postgres[@]}" "$bin/initdb" -D "$dir/data" --auth=trust -U postgres > /dev/null
port=45432
"${as_postgres[@]}" "$bin/postgres" -D "$dir/data" -p $port -c listen_addresses=127.0.0.1 -c "unix_socket_directories=$dir/data" > "$dir/log" 2>&1 &
trap 'kill -INT $(head -1 "$dir/data/postmaster.pid") 2>/dev/null; sleep 1; rm -rf "$dir"' EXIT
until pg_isready -q -h 127.0.0.1 -p $port; do sleep 0.2; done
postmaster=$(head -1 "$dir/data/postmaster.pid")
echo "SELECT 1;" > "$dir/select.sql"
server_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat"; }
tick=$(getconf CLK_TCK)

echo "| round | connection | server µs per round trip | client µs per round trip |"
echo "|---|---|---|---|"
for round in 1 2 3; do
  for host in 127.0.0.1 "$dir/data"; do
    before=$(server_ticks)
    client=$( { /usr/bin/time -f "%U %S" pgbench -h "$host" -p $port -U postgres -n -M prepared -f "$dir/select.sql" -c 4 -t "$per_client" postgres > /dev/null; } 2>&1 | tail -1)
    sleep 0.5  # the backends end, and their CPU is added to the postmaster's
    after=$(server_ticks)
    trips=$((4 * per_client))
    name=$([ "$host" = 127.0.0.1 ] && echo "TCP (loopback)" || echo "Unix socket")
    awk -v r=$round -v n="$name" -v s=$((after - before)) -v c="$client" -v t=$trips -v k=$tick \
      'BEGIN { split(c, u, " "); printf "| %d | %s | %.1f | %.1f |\n", r, n, s / k * 1e6 / t, (u[1] + u[2]) * 1e6 / t }'
  done
done
