#!/usr/bin/env python3
"""One billing run over 100,000 postpaid accounts (issue 13).

Seeds --accounts postpaid accounts straight into Billing's database, as a migration from a previous system would (COPY):
each with a mobile line, a third with a fibre line too, some activated during the period, some with a product change
or a promotion, some in the Canary Islands (IGIC). Then starts one run for the last ended month through the gateway
(POST /api/v1/billing-runs) and polls its status resource until it completes. Reports the run's wall time, accounts
invoiced per second, and the peak memory (VmHWM) of the Billing process(es); then checks in the database that every
account got exactly one invoice and the numbers have no gaps.

Goal: the run finishes in under 2 minutes on this machine.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/billing_run.py
       [--accounts 100000] [--replicas 1]
"""
import argparse, datetime, io, json, os, subprocess, sys, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import GATEWAY, start_suite, wait_for  # noqa: E402

HEADERS = {"Content-Type": "application/json"}


def api(method, path, body=None, timeout=60):
    """Every request of this script goes through here; the access token is added by credentials.py (imported by
    suite.py), as on every urllib call to the gateway."""
    request = urllib.request.Request(GATEWAY + path, data=json.dumps(body).encode() if body is not None else None, method=method, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


def billing_processes():
    """(pid, environment) of every running MasStack.Billing process."""
    found = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode() for a in f.read().split(b"\0") if a]
            if not argv or os.path.basename(argv[0]) != "MasStack.Billing":
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = dict(e.decode(errors="replace").split("=", 1) for e in f.read().split(b"\0") if b"=" in e)
            found.append((int(pid), env))
        except OSError:
            continue
    return found


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def conninfo(env):
    parts = dict(kv.split("=", 1) for kv in env["ConnectionStrings__billingdb"].split(";") if "=" in kv)
    keys = {"Host": "host", "Port": "port", "Username": "user", "Password": "password", "Database": "dbname"}
    return " ".join(f"{keys[k]}={v}" for k, v in parts.items() if k in keys)


def psql(info, sql, stdin=None):
    out = subprocess.run(["psql", info, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], input=stdin, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.strip()


def copy(info, table, columns, rows):
    buffer = io.StringIO()
    for row in rows:
        buffer.write(",".join("" if v is None else str(v) for v in row) + "\n")
    psql(info, f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer.getvalue())


def seed(info, accounts, period_start, period_end):
    first_id = 9_000_000_000_000
    days = (period_end - period_start).days + 1
    created = "2025-01-01T00:00:00Z"
    acc, pay, lines, changes, offers = [], [], [], [], []
    for i in range(accounts):
        account = first_id + i
        postal = "35001" if i % 20 == 0 else "28013"
        acc.append((account, account, "postpaid", "FIBER-MOBILE", postal, created))
        pay.append((account, "direct-debit", "Cliente Migrado", "ES9121000418450200051332", 1, created, "migration"))
        activated = period_start + datetime.timedelta(days=i % days) if i % 4 == 0 else datetime.date(2025, 1, 1)
        mobile = first_id * 2 + 2 * i
        lines.append((mobile, account, "mobile", "MOBILE-50GB", "active", activated, created))
        if i % 3 == 0:
            lines.append((mobile + 1, account, "internet", "FIBER-1G", "active", datetime.date(2025, 1, 1), created))
        if i % 10 == 1:
            on = period_start + datetime.timedelta(days=i % days)
            changes.append((mobile, f"{on}T12:00:00Z", on, "MOBILE-UNLIMITED"))
        if i % 10 == 2:
            offers.append((first_id * 3 + i, mobile, "promotion", "WELCOME-50-3M", period_start + datetime.timedelta(days=i % days), period_end + datetime.timedelta(days=60)))
    copy(info, "billing_accounts", ["account_id", "user_id", "payment_type", "bundle_code", "postal_code", "created_at"], acc)
    copy(info, "payment_info", ["account_id", "method", "holder", "iban", "version", "updated_at", "updated_by"], pay)
    copy(info, "billing_lines", ["subscription_id", "account_id", "type", "product_code", "status", "activated_on", "created_at"], lines)
    copy(info, "line_product_changes", ["subscription_id", "changed_at", "changed_on", "product_code"], changes)
    copy(info, "line_offers", ["offer_id", "subscription_id", "kind", "code", "start_date", "end_date"], offers)
    psql(info, "ANALYZE")
    return len(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--replicas", type=int, default=1)
    args = parser.parse_args()

    today = datetime.date.today()
    period_end = today.replace(day=1) - datetime.timedelta(days=1)
    period_start = period_end.replace(day=1)
    period = period_start.strftime("%Y-%m")

    with start_suite(f"--MasStack:Replicas={args.replicas}"):
        wait_for(lambda: len(billing_processes()) >= args.replicas, 120, poll=0.5)
        info = conninfo(billing_processes()[0][1])

        def migrated():
            try:
                return psql(info, "SELECT count(*) FROM invoice_series") is not None
            except RuntimeError:
                return False  # Billing has not created or migrated its database yet
        wait_for(migrated, 180, poll=1)
        started = time.monotonic()
        line_count = seed(info, args.accounts, period_start, period_end)
        print(f"seeded {args.accounts} postpaid accounts with {line_count} lines in {time.monotonic() - started:.1f} s (COPY)")

        started = time.monotonic()
        status, run = api("POST", "/api/v1/billing-runs", {"period": period})
        accepted = time.monotonic() - started
        assert status == 202, (status, run)
        run_id = run["runId"]
        while True:
            status, run = api("GET", f"/api/v1/billing-runs/{run_id}")
            if status == 200 and run["status"] == "completed":
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        peaks = [peak_rss_mib(pid) for pid, _ in billing_processes()]

        accounts = run["accounts"]
        invoices, spans = psql(info, f"SELECT count(*), count(DISTINCT account_id) FROM invoices WHERE period = '{period}'").split("|")
        gapless = psql(info, "SELECT bool_and(n = span) FROM (SELECT count(*) AS n, max(sequence) - min(sequence) + 1 AS span FROM invoices GROUP BY series, year) s")
        print(f"\nbilling run {run_id} for {period}, {args.replicas} Billing instance(s):")
        print(f"| accounts | invoiced | failed | 202 after | run (POST → completed) | accounts invoiced/s | Billing peak RSS |")
        print(f"|---|---|---|---|---|---|---|")
        print(f"| {accounts['total']} | {accounts['invoiced']} | {accounts['failed']} | {accepted:.1f} s | {elapsed:.1f} s | "
              f"{accounts['invoiced'] / elapsed:,.0f} | {' + '.join(f'{p:.0f}' for p in peaks)} MiB |")
        print(f"invoices of the period: {invoices} for {spans} accounts; numbers without gaps: {gapless == 't'}")
        print(f"goal (< 120 s): {'met' if elapsed < 120 else 'NOT met'}")


if __name__ == "__main__":
    main()
