#!/usr/bin/env python3
"""Two PostgreSQL settings compared in one run of the suite (issue 9): the CPU a sale costs under each, measured in
alternating blocks of sales, so that the host's other tenants, the JIT and the growing tables weigh on both alike.

A comparison of two bench runs half an hour apart measures the host as much as the change: the same commit measured
0.256 and 0.316 reference works a sale in two runs of bench/cpu_per_sale.py an hour apart. Here the suite starts once,
warms up, and then each round runs a block of --sales sales under setting A and a block under setting B (the order
alternating from round to round), the setting changed in between by ALTER SYSTEM and pg_reload_conf(), which every
session takes at its next statement. Printed: CPU per sale of every process under each, the ratio B / A of the whole
suite's and of PostgreSQL's, and that ratio round by round (its spread says how far to trust it).

Only settings a reload changes can be compared this way (plan_cache_mode, synchronous_commit, work_mem, …), given as
name=value: --a plan_cache_mode=auto --b plan_cache_mode=force_generic_plan. Blocks of 100 sales left a spread of 0.16
between rounds (the warm-up still fading); blocks of 250 after 500 sales of warm-up, 0.07 for the suite and 0.04 for
PostgreSQL.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/ab_postgres.py
       --a NAME=VALUE --b NAME=VALUE [--rounds 6] [--sales 250] [--clients 8] [--warmup 500] [--trace-ratio 0.1]
"""
import argparse, os, statistics, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import start_suite, post_sale_and_wait, add_trace_ratio_argument  # noqa: E402
from cpu_per_sale import snapshot, delta, uptime_ticks, post_sales, completion_ms  # noqa: E402
from db_statements import server_port, psql  # noqa: E402


def apply(port, setting):
    name, value = setting.split("=", 1)
    psql(port, "postgres", f"ALTER SYSTEM SET {name} = '{value}'")
    psql(port, "postgres", "SELECT pg_reload_conf()")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True, help="NAME=VALUE, the setting compared against")
    parser.add_argument("--b", required=True, help="NAME=VALUE, the setting tried")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--sales", type=int, default=250)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=500)
    add_trace_ratio_argument(parser)
    args = parser.parse_args()

    since = uptime_ticks()
    used = {"A": [], "B": []}  # per block: CPU seconds per process group, divided by the block's sales
    with start_suite(trace_ratio=args.trace_ratio) as data_dir:
        port = server_port(data_dir)
        post_sale_and_wait(timeout=180, retry_unavailable_for=180)
        completion_ms(post_sales(args.warmup, args.clients)[0])
        for round_ in range(args.rounds):
            for arm in ("A", "B") if round_ % 2 == 0 else ("B", "A"):
                apply(port, args.a if arm == "A" else args.b)
                before = snapshot(since)
                ids, _ = post_sales(args.sales, args.clients)
                completion_ms(ids)
                block = delta(before, snapshot(since))
                used[arm].append({group: seconds / max(1, len(ids)) for group, seconds in block.items()})
        apply(port, args.a)

    def mean(arm, group=None):
        return statistics.mean(sum(b.values()) if group is None else b.get(group, 0.0) for b in used[arm])

    groups = sorted({g for arm in used.values() for b in arm for g in b}, key=lambda g: -mean("A", g))
    print(f"\nCPU per sale, {args.rounds} blocks of {args.sales} sales each way; A: {args.a}, B: {args.b}")
    print("| process | A | B | B / A |\n|---|---|---|---|")
    for group in groups:
        a, b = mean("A", group), mean("B", group)
        if a >= 0.0002 or b >= 0.0002:
            print(f"| {group} | {1000 * a:.1f} ms | {1000 * b:.1f} ms | {b / a if a else float('nan'):.2f} |")
    print(f"| **whole suite** | **{1000 * mean('A'):.1f} ms** | **{1000 * mean('B'):.1f} ms** | **{mean('B') / mean('A'):.3f}** |")
    rounds = [sum(b.values()) / sum(a.values()) for a, b in zip(used["A"], used["B"])]
    postgres = [b.get("PostgreSQL", 0) / a.get("PostgreSQL", 1) for a, b in zip(used["A"], used["B"])]
    print(f"\nB / A round by round, whole suite: {', '.join(f'{r:.2f}' for r in rounds)} (spread {statistics.pstdev(rounds):.2f})")
    print(f"B / A round by round, PostgreSQL:  {', '.join(f'{r:.2f}' for r in postgres)} (spread {statistics.pstdev(postgres):.2f})")


if __name__ == "__main__":
    main()
