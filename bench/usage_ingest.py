#!/usr/bin/env python3
"""Usage rated per second (issue 12): the network's usage feed, `POST /api/v1/usage-records`, through the gateway.

1. Starts the suite from the Release build and sells --lines postpaid lines (MOBILE-50GB), each activated.
2. Builds --records records over those lines (voice, SMS, data; national, international, roaming) in batches of --batch,
   with --duplicates (10 %) of them sent again: half repeated inside their own batch, half in a later batch. All bodies are
   built before the clock starts.
3. Sends the batches from --clients clients at once and reports records/s rated (unique records over the wall time) and
   the batch latency (median, p99).
4. Checks exactly: the answers' rated and duplicate counts against what was sent, and each line's totals per type
   (GET …/consumption) against the quantities sent, each record once.
5. The ceiling, in the same run: the same unique rows written into a copy of Consumption's usage_records table (same
   columns, same indexes) with PostgreSQL's COPY, straight into the database; the feed's rate as a share of it.

Every HTTP request goes through `call()`: adding an access token (the feed will need the operator's "network" scope) is
one line there.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/usage_ingest.py
       [--lines 20] [--records 200000] [--batch 5000] [--clients 4] [--duplicates 0.10]
"""
import argparse, json, os, random, statistics, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import GATEWAY, wait_for, start_suite  # noqa: E402
from sales import new_sale  # noqa: E402

PROBES = []  # one record per line, rated once the line is active in Consumption

def call(method, path, body=None, timeout=60, headers=None):
    """The one door to the gateway: (status, parsed JSON or None, seconds). The access token is added by credentials.py
    (imported by suite.py), as on every urllib call to the gateway."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(GATEWAY + path, data=data, method=method, headers=all_headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            payload = response.read()
            return response.status, (json.loads(payload) if payload else None), time.monotonic() - started
    except urllib.error.HTTPError as e:
        payload = e.read()
        try:
            return e.code, json.loads(payload), time.monotonic() - started
        except ValueError:
            return e.code, None, time.monotonic() - started
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None, time.monotonic() - started


def sell_active_line():
    """A postpaid FIBER-MOBILE sale, completed, its mobile line activated: (subscriptionId, number)."""
    deadline = time.monotonic() + 120
    while True:
        status, accepted, _ = call("POST", "/api/v1/signups", new_sale())
        if status == 202 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 202, status
    signup_id = accepted["signupId"]
    wait_for(lambda: (lambda r: r[1] and r[1]["status"] == "completed")(call("GET", f"/api/v1/signups/{signup_id}")), 60, poll=0.1)
    mobile = next(s for s in accepted["subscriptions"] if s["type"] == "mobile")
    line_id = mobile["subscriptionId"]
    _, line, _ = call("GET", f"/api/v1/subscriptions/{line_id}")
    status, _, _ = call("POST", f"/api/v1/sim-cards/{line['iccid']}/activation")
    assert status == 202, status
    wait_for(lambda: (lambda r: r[1] and r[1]["status"] == "active")(call("GET", f"/api/v1/subscriptions/{line_id}")), 60, poll=0.1)
    # Consumption learns of the activation by event: a record is rated once it has (this probe is in the line's totals).
    probe = {"recordId": f"probe-{line_id}", "subscriptionId": line_id, "type": "sms", "quantity": 1, "destination": "national",
             "startedAt": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")}
    wait_for(lambda: (lambda r: r[1] and r[1]["rated"] + r[1]["duplicates"] == 1)(call("POST", "/api/v1/usage-records", {"records": [probe]})), 60, poll=0.1)
    PROBES.append((line_id, probe))
    return line_id, mobile["number"]


def make_records(lines, count, run):
    """Unique records spread over the lines, this month, in time order per line."""
    start = datetime.now(timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    span = max(1, int((datetime.now(timezone.utc) - start).total_seconds()) - 60)
    kinds = [("voice", lambda: random.randint(1, 1800)), ("sms", lambda: 1), ("data", lambda: random.randint(1, 50_000_000))]
    destinations = ["national"] * 8 + ["international", "roaming"]
    records = []
    for i in range(count):
        line_id, number = lines[i % len(lines)]
        kind, quantity = random.choice(kinds)
        at = start + timedelta(seconds=random.randint(0, span))
        record = {"recordId": f"{run}-{i}", "type": kind, "startedAt": at.isoformat().replace("+00:00", "Z"),
                  "quantity": quantity(), "destination": random.choice(destinations)}
        if i % 2:
            record["msisdn"] = number
        else:
            record["subscriptionId"] = line_id
        records.append((line_id, record))
    return records


def make_batches(records, batch_size, duplicate_share):
    """Batches of unique records plus duplicates: half repeat a record of the same batch, half one of an earlier batch."""
    batches, sent = [], []
    per_batch = max(1, int(batch_size * (1 - duplicate_share)))
    for offset in range(0, len(records), per_batch):
        unique = [r for _, r in records[offset:offset + per_batch]]
        extra = batch_size - len(unique) if offset + per_batch < len(records) else int(len(unique) * duplicate_share / (1 - duplicate_share))
        dups = [random.choice(unique) if (k % 2 == 0 or not sent) else random.choice(sent) for k in range(extra)]
        batch = unique + dups
        random.shuffle(batch)
        batches.append((len(unique), len(dups), json.dumps({"records": batch}).encode()))
        sent.extend(random.sample(unique, min(len(unique), 200)))
    return batches


def send_all(batches, clients):
    answers, latencies, lock = [], [], threading.Lock()

    def send(batch):
        unique, dups, body = batch
        status, answer, seconds = call("POST", "/api/v1/usage-records", body, timeout=120)
        assert status == 200, (status, answer)
        with lock:
            answers.append((unique, dups, answer))
            latencies.append(seconds)

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, batches))
    return answers, latencies, time.monotonic() - started


def consumption_env():
    """Consumption's database connection (psql conninfo), from a running instance's environment."""
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if not f.read().split(b"\0")[0].endswith(b"MasStack.Consumption"):
                    continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
        except (OSError, IndexError):
            continue
        value = env.get(b"ConnectionStrings__consumptiondb")
        if value:
            parts = dict(kv.split("=", 1) for kv in value.decode().split(";") if "=" in kv)
            keys = {"Host": "host", "Port": "port", "Username": "user", "Password": "password", "Database": "dbname"}
            return " ".join(f"{keys[k]}={v}" for k, v in parts.items() if k in keys)
    raise RuntimeError("no Consumption instance found")


def psql(conninfo, *args, stdin=None):
    out = subprocess.run(["psql", conninfo, "-At", "-v", "ON_ERROR_STOP=1", *args], input=stdin, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout


def copy_ceiling(conninfo, records):
    """The same unique rows by COPY into a copy of usage_records (columns and indexes alike): rows per second."""
    psql(conninfo, "-c", "DROP TABLE IF EXISTS usage_records_ceiling; CREATE TABLE usage_records_ceiling (LIKE usage_records INCLUDING ALL)")
    now = datetime.now(timezone.utc).isoformat()
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        for line_id, r in records:
            period = r["startedAt"][:7]
            f.write(f"{r['recordId']},{line_id},{r['type']},{r['destination']},{r['startedAt']},{r['quantity']},{period},0,{r['quantity']},0.01,0,0,{now}\n")
        path = f.name
    try:
        script = f"\\timing on\n\\copy usage_records_ceiling FROM '{path}' WITH (FORMAT csv)\n"
        started = time.monotonic()
        out = psql(conninfo, stdin=script)
        seconds = time.monotonic() - started
        ms = [float(l.split(":")[1].split("ms")[0]) for l in out.splitlines() if l.startswith("Time:")]
        server_seconds = ms[-1] / 1000 if ms else seconds
        return len(records) / server_seconds, server_seconds
    finally:
        os.unlink(path)
        psql(conninfo, "-c", "DROP TABLE IF EXISTS usage_records_ceiling")


def check_totals(lines, records):
    """Each line's totals per type (over this month, every page) against the quantities sent, each record once."""
    expected = {}
    for line_id, r in records:
        key = (line_id, r["type"])
        count, quantity = expected.get(key, (0, 0))
        expected[key] = (count + 1, quantity + r["quantity"])
    first = datetime.now(timezone.utc).replace(day=1).strftime("%Y-%m-%d")
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    wrong = 0
    for line_id, _ in lines:
        status, view, _ = call("GET", f"/api/v1/subscriptions/{line_id}/consumption?startDate={first}&endDate={today}&limit=1")
        assert status == 200, status
        for total in view["totals"]:
            if expected.get((line_id, total["type"])) != (total["records"], total["quantity"]):
                wrong += 1
                print(f"  line {line_id} {total['type']}: got {total['records']} records / {total['quantity']}, sent {expected.get((line_id, total['type']))}")
        if len(view["totals"]) != len([k for k in expected if k[0] == line_id]):
            wrong += 1
    return wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duplicates", type=float, default=0.10)
    parser.add_argument("--warmup", type=int, default=20_000, help="records sent (and counted in the checks) before the clock starts")
    args = parser.parse_args()

    with start_suite():
        print(f"selling and activating {args.lines} lines …", flush=True)
        with ThreadPoolExecutor(4) as pool:
            lines = list(pool.map(lambda _: sell_active_line(), range(args.lines)))
        run = os.urandom(4).hex()  # not uuid: it imports platform, which bench/platform.py shadows
        warm = make_records(lines, args.warmup, run + "w")
        records = make_records(lines, args.records, run)
        warm_batches = make_batches(warm, args.batch, args.duplicates)
        batches = make_batches(records, args.batch, args.duplicates)
        send_all(warm_batches, args.clients)  # JIT, pools and plans warm: not timed

        print(f"sending {len(batches)} batches of up to {args.batch} records ({args.duplicates:.0%} duplicates) from {args.clients} clients …", flush=True)
        answers, latencies, seconds = send_all(batches, args.clients)
        unique = sum(u for u, _, _ in answers)
        dups = sum(d for _, d, _ in answers)
        rated = sum(a["rated"] for _, _, a in answers)
        duplicates = sum(a["duplicates"] for _, _, a in answers)
        rejected = sum(a["rejected"] for _, _, a in answers)
        latencies.sort()
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]

        wrong = check_totals(lines, PROBES + warm + records)
        conninfo = consumption_env()
        stored = int(psql(conninfo, "-c", f"SELECT count(*) FROM usage_records WHERE record_id LIKE '{run}-%'").strip())
        ceiling, copy_seconds = copy_ceiling(conninfo, records)

        rate = rated / seconds
        print(f"\n| measure | value |\n|---|---|")
        print(f"| records sent (unique + duplicates) | {unique + dups} ({unique} + {dups}) |")
        print(f"| rated / duplicates / rejected (answers) | {rated} / {duplicates} / {rejected} |")
        print(f"| wall time | {seconds:.2f} s |")
        print(f"| **records/s rated** | **{rate:,.0f}** (offered incl. duplicates: {(unique + dups) / seconds:,.0f}/s) |")
        print(f"| batch latency median / p99 | {statistics.median(latencies) * 1000:.0f} ms / {p99 * 1000:.0f} ms |")
        print(f"| ceiling: same rows by COPY | {ceiling:,.0f} rows/s ({copy_seconds:.2f} s) |")
        print(f"| feed / ceiling | {rate / ceiling:.2f} |")
        print(f"| exactly once | rated {rated} of {unique} unique, {duplicates} of {dups} duplicates, {stored} rows stored, {wrong} line totals wrong |")
        ok = rated == unique and duplicates == dups and rejected == 0 and stored == unique and wrong == 0
        print("CHECK", "OK" if ok else "FAILED")
        print(f"goal ≥ 20,000 records/s: {'met' if rate >= 20_000 else 'NOT met'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
