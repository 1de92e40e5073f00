#!/usr/bin/env python3
"""What a sale asks of PostgreSQL (issue 9): the statements every database ran for --sales sales, per sale, from
PostgreSQL's own statement statistics (pg_stat_statements, loaded for this run only), and the tables read by
sequential scan meanwhile.

Printed: per database, the statements per sale and the server time per sale (planning + execution, as PostgreSQL
counts it: not the round trips, the parsing of unprepared text or the commits' flushes); then the --top statements
of the whole suite by calls per sale; then the tables whose sequential scans read more than a few rows per sale; then the
messages each consumer took per sale (its inbox rows), the deliveries a sale costs.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/db_statements.py
       [--sales 200] [--clients 8] [--warmup 100] [--top 30]
"""
import argparse, os, re, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import start_suite, post_sale_and_wait, suite_process  # noqa: E402
from cpu_per_sale import post_sales, completion_ms  # noqa: E402

SETTINGS = ["--MasStack:Postgres:Settings:shared_preload_libraries=pg_stat_statements",
            "--MasStack:Postgres:Settings:pg_stat_statements.track=all",
            "--MasStack:Postgres:Settings:pg_stat_statements.track_utility=on"]


def server_port(data_dir):
    """The port of the PostgreSQL server of this suite (the one whose data folder is under data_dir)."""
    _, args = suite_process(data_dir, "postgres")
    return args[args.index("-p") + 1]


def psql(port, database, sql):
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database, "-AtF", "\t", "-c", sql],
                         capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    with start_suite(*SETTINGS) as data_dir:
        port = server_port(data_dir)
        psql(port, "postgres", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        post_sale_and_wait(timeout=180, retry_unavailable_for=180)  # every service up and consuming
        completion_ms(post_sales(args.warmup, args.clients)[0])
        databases = [row[0] for row in psql(port, "postgres", "SELECT datname FROM pg_database WHERE datname LIKE '%db' ORDER BY 1")]
        psql(port, "postgres", "SELECT pg_stat_statements_reset()")
        scans_before = {db: dict((r[0], int(r[1])) for r in psql(port, db, "SELECT relname, seq_tup_read FROM pg_stat_user_tables"))
                        for db in databases}
        consumed_before = consumed(port, databases)
        ids, refused = post_sales(args.sales, args.clients)
        latencies, failed = completion_ms(ids)
        time.sleep(3)  # the saga's last events and the relays' last marks
        sales = max(1, len(ids))
        rows = psql(port, "postgres",
                    """SELECT d.datname, s.calls, s.total_exec_time + s.total_plan_time, regexp_replace(s.query, '\\s+', ' ', 'g')
                       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname LIKE '%db'""")

        print(f"{len(ids)} sales ({refused} refused, {failed} not completed)\n")
        print("| database | statements per sale | server time per sale |\n|---|---|---|")
        per_db = {}
        for db, calls, ms, _ in rows:
            count, total = per_db.get(db, (0, 0.0))
            per_db[db] = (count + int(calls), total + float(ms))
        for db, (calls, ms) in sorted(per_db.items(), key=lambda kv: -kv[1][0]):
            print(f"| {db} | {calls / sales:.1f} | {ms / sales:.2f} ms |")
        calls = sum(c for c, _ in per_db.values())
        print(f"| **all** | **{calls / sales:.1f}** | **{sum(m for _, m in per_db.values()) / sales:.2f} ms** |")

        print(f"\nTop {args.top} statements by calls per sale\n| database | calls per sale | ms per sale | statement |\n|---|---|---|---|")
        for db, calls, ms, query in sorted(rows, key=lambda r: -int(r[1]))[:args.top]:
            print(f"| {db} | {int(calls) / sales:.2f} | {float(ms) / sales:.3f} | `{query[:150]}` |")

        print("\nSequential scans: rows read per sale\n| database | table | rows per sale |\n|---|---|---|")
        for db in databases:
            for table, read in psql(port, db, "SELECT relname, seq_tup_read FROM pg_stat_user_tables"):
                per_sale = (int(read) - scans_before[db].get(table, 0)) / sales
                if per_sale >= 5:
                    print(f"| {db} | {table} | {per_sale:.0f} |")

        print("\nMessages consumed per sale\n| database | consumer | per sale |\n|---|---|---|")
        deliveries = 0
        for (db, consumer), count in sorted(consumed(port, databases).items(), key=lambda kv: -(kv[1] - consumed_before.get(kv[0], 0))):
            delta = count - consumed_before.get((db, consumer), 0)
            deliveries += delta
            if delta:
                print(f"| {db} | {consumer} | {delta / sales:.2f} |")
        print(f"| **all** | | **{deliveries / sales:.2f}** |")


def consumed(port, databases):
    """Inbox rows per (database, consumer): one per message a consumer took (a database without an inbox has none)."""
    counts = {}
    for db in databases:
        if psql(port, db, "SELECT to_regclass('inbox_messages') IS NOT NULL")[0][0] == "t":
            counts.update({(db, r[0]): int(r[1]) for r in psql(port, db, "SELECT consumer, count(*) FROM inbox_messages GROUP BY consumer")})
    return counts


if __name__ == "__main__":
    main()
