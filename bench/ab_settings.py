#!/usr/bin/env python3
"""Two settings of PostgreSQL or RabbitMQ compared in one run of the suite (issue 9): the CPU a sale costs under each,
measured in alternating blocks of sales, so that the host's other tenants, the JIT and the growing tables weigh on both
alike.

A comparison of two bench runs half an hour apart measures the host as much as the change: the same commit measured
0.256 and 0.316 reference works a sale in two runs of bench/cpu_per_sale.py an hour apart. Here the suite starts once,
warms up, and then each round runs a block of --sales sales under setting A and a block under setting B (the order
alternating from round to round), the setting changed in between. Printed: CPU per sale of every process under each,
the ratio B / A of the whole suite's and of the server's whose setting it is, and that ratio round by round (its spread
says how far to trust it).

Only settings a running server takes can be compared this way, given as SERVER:NAME=VALUE:
- postgres:NAME=VALUE, a setting a reload changes (plan_cache_mode, work_mem, …): ALTER SYSTEM and pg_reload_conf(),
  which every session takes at its next statement.
  --a postgres:plan_cache_mode=auto --b postgres:plan_cache_mode=force_generic_plan
- rabbitmq:KEY=VALUE, a policy key on every queue (rabbitmqctl set_policy), which the broker applies to live queues:
  --a rabbitmq:queue-version=1 --b rabbitmq:queue-version=2 (RabbitMQ 3.10's second classic-queue store, moved to with
  the messages in it).
Blocks of 100 sales left a spread of 0.16 between rounds (the warm-up still fading); blocks of 250 after 500 sales of
warm-up, 0.07 for the suite and 0.04 for PostgreSQL.

Measured with the defaults, none adopted: plan_cache_mode=force_generic_plan, suite 0.998 and PostgreSQL 1.03 of auto;
commit_delay=200 (µs), 0.98 and 1.00 of 0; queue-version=2 (RabbitMQ 3.10.8), 1.03 and RabbitMQ 1.34 of version 1.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/ab_settings.py
       --a SERVER:NAME=VALUE --b SERVER:NAME=VALUE [--rounds 6] [--sales 250] [--clients 8] [--warmup 500] [--trace-ratio 0.1]
"""
import argparse, json, os, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import start_suite, post_sale_and_wait, add_trace_ratio_argument, suite_process  # noqa: E402
from cpu_per_sale import snapshot, delta, uptime_ticks, post_sales, completion_ms, ab_table  # noqa: E402
from db_statements import server_port, psql  # noqa: E402


SERVERS = {"postgres": "PostgreSQL", "rabbitmq": "RabbitMQ"}  # the row of cpu_per_sale.py's table each server counts in


def parse(setting):
    server, _, assignment = setting.partition(":")
    name, equals, value = assignment.partition("=")
    if server not in SERVERS or not name or not equals:
        raise SystemExit(f"{setting!r}: expected postgres:NAME=VALUE or rabbitmq:KEY=VALUE")
    return server, name, value


def rabbitmq_node(data_dir):
    """The node name of this suite's broker, which its Erlang VM takes from the environment, and its HOME (the cookie)."""
    pid, _ = suite_process(data_dir, "beam.smp")
    with open(f"/proc/{pid}/environ", "rb") as f:
        environment = dict(v.decode().partition("=")[::2] for v in f.read().split(b"\0") if b"=" in v)
    return environment["RABBITMQ_NODENAME"], os.path.join(data_dir, "rabbitmq", "home")


def apply(data_dir, setting):
    server, name, value = parse(setting)
    if server == "postgres":
        port = server_port(data_dir)
        psql(port, "postgres", f"ALTER SYSTEM SET {name} = '{value}'")
        psql(port, "postgres", "SELECT pg_reload_conf()")
    else:
        node, home = rabbitmq_node(data_dir)
        definition = json.dumps({name: int(value) if value.isdigit() else value})
        subprocess.run(["/usr/lib/rabbitmq/bin/rabbitmqctl", "-q", "-n", node, "set_policy", "--apply-to", "queues", "ab", ".*", definition],
                       env={**os.environ, "HOME": home}, check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True, help="SERVER:NAME=VALUE, the setting compared against")
    parser.add_argument("--b", required=True, help="SERVER:NAME=VALUE, the setting tried")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--sales", type=int, default=250)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=500)
    add_trace_ratio_argument(parser)
    args = parser.parse_args()
    servers = {parse(args.a)[0], parse(args.b)[0]}

    since = uptime_ticks()
    used = {"A": [], "B": []}  # per block: CPU seconds per process group, divided by the block's sales
    with start_suite(trace_ratio=args.trace_ratio) as data_dir:
        post_sale_and_wait(timeout=180, retry_unavailable_for=180)
        completion_ms(post_sales(args.warmup, args.clients)[0])
        for round_ in range(args.rounds):
            for arm in ("A", "B") if round_ % 2 == 0 else ("B", "A"):
                apply(data_dir, args.a if arm == "A" else args.b)
                before = snapshot(since)
                ids, _ = post_sales(args.sales, args.clients)
                completion_ms(ids)
                block = delta(before, snapshot(since))
                used[arm].append({group: seconds / max(1, len(ids)) for group, seconds in block.items()})
        apply(data_dir, args.a)

    ab_table(f"CPU per sale, {args.rounds} blocks of {args.sales} sales each way; A: {args.a}, B: {args.b}", used["A"], used["B"])
    rounds = [sum(b.values()) / sum(a.values()) for a, b in zip(used["A"], used["B"])]
    print(f"\nB / A round by round, whole suite: {', '.join(f'{r:.2f}' for r in rounds)} (spread {statistics.pstdev(rounds):.2f})")
    for server in sorted(servers):
        group = SERVERS[server]
        ratios = [b.get(group, 0) / a.get(group, 1) for a, b in zip(used["A"], used["B"])]
        print(f"B / A round by round, {group}: {', '.join(f'{r:.2f}' for r in ratios)} (spread {statistics.pstdev(ratios):.2f})")


if __name__ == "__main__":
    main()
