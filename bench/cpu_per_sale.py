#!/usr/bin/env python3
"""What a sale costs (issue 9): CPU time of every process of the suite, read from /proc, while it idles and while it
takes sales; and the time from a sale's 202 to `completed` at a steady offered rate.

1. Idle burn: the suite's processes' CPU over --idle seconds with nothing happening (from --settle seconds after the
   warm-up's sales completed), in % of one core. Then the traces the dashboard received meanwhile (by root span), which
   should be none: a loop that found nothing to do leaves no trace. A minute after load the suite is still settling:
   each process's JIT recompiles the code its periodic loops run (health checks every 5 s, metric exports every 10 s)
   once it has run thirty times, and PostgreSQL vacuums and checkpoints what the sales wrote. The same suite idled at
   10.7 % of a core 30 s after its warm-up and at 7.1 % after 300 s (--settle 300): that is the idle burn of a suite
   left alone.
2. CPU per sale: --sales sales posted by --clients clients (each waits for its answer, not for completion), then every
   one waited for until it completed; the CPU every process used meanwhile, divided by the sales, in ms.
3. Latency at fixed rates (--rates, default 20 and 40 sales/s) for --seconds each, in the open model: sales are started
   on a schedule, whatever the suite's answers. 202 → `completed` is read afterwards from each signup's createdAt and
   updatedAt (median, p90, p99), so the measuring does not poll the suite. Beside it, the CPU per sale of that run (all
   the suite used from the first sale until the last completed, idle burn included), and its context switches per sale;
   then the context switches of each process's threads (context_switches), per second while idle, per sale by the
   clients and at each rate.
   A sale costs more CPU the fewer come at once. Two runs: 101 and 89 ms a sale at 10/s, 84 and 81 at 20/s, 68 and 68
   at 30/s, 57 and 55 at 40/s, and 47 and 43 by 8 clients (the suite saturated). The idle burn is about 5 ms a sale of
   it at 20/s. The rest is each hop of a sale, between fifteen processes on two cores, finding its thread asleep and its
   caches cold, where under load a thread takes the next message at once: bench/profile_sale.py --rate 20 took 1.7 times
   the samples of 300 sales by 8 clients, about twice in each service, in nearly every library alike (RabbitMQ 2.3,
   PostgreSQL 1.3, the dashboard 0.9). Context switches: 8,284 a sale at 10/s, 4,658 at 20/s, 2,043 at 30/s, 1,447
   at 40/s, 1,143 by 8 clients; idle, 8,683 a second, nearly all the services' thread-pool workers yielding while they
   spin for work (involuntary switches: two workers of the idle gateway 886 a second each, 39 voluntary in all). They
   are cheap: with DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 they fell to 1,718 a sale at 10/s and 1,136 a second
   idle, and the CPU hardly moved (85.5 ms a sale at 10/s, 76.8 at 20/s, 56.2 at 40/s; idle 9.4 %; one run).

CPU is utime + stime + cutime + cstime (so PostgreSQL's backends that ended count in their postmaster) of every
process started since the script began that runs a part of the suite, grouped by what it runs: run nothing else meanwhile.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/cpu_per_sale.py
       [--sales 300] [--clients 8] [--idle 20] [--rates 20,40] [--seconds 20] [--trace-ratio 0.1]
"""
import argparse, collections, json, os, statistics, subprocess, sys, threading, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import SERVICES, request, wait_for, start_suite, post_sale_and_wait, add_trace_ratio_argument  # noqa: E402
from sales import new_sale  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def group_of(cmdline):
    """The row a process counts in, from its command line; None for what is not part of the suite."""
    text = " ".join(cmdline)
    exe = os.path.basename(cmdline[0]) if cmdline else ""
    for service in SERVICES:
        if exe == f"MasStack.{service}":
            return service
    if exe == "MasStack.Gateway":
        return "gateway"
    if exe in ("MasStack.ClearingHouse", "MasStack.NetworkProvisioning"):
        return "simulators"
    if exe == "postgres" or "/postgres" in cmdline[0] or cmdline[0].startswith("postgres:"):  # a backend shows its title
        return "PostgreSQL"
    if exe == "redis-server" or "redis-server" in text:
        return "Redis"
    if exe in ("beam.smp", "erl_child_setup", "epmd", "inet_gethost") or "rabbitmq" in text:
        return "RabbitMQ"
    if exe == "dcp" or "/dcp" in cmdline[0]:
        return "orchestrator (dcp)"
    if "Aspire.Dashboard" in text:
        return "dashboard"
    if "MasStack.AppHost" in text or "AppHost" in text:
        return "AppHost"
    if exe == "dotnet" and "run" in cmdline:
        return "dotnet run (launchers)"
    return "other"


def uptime_ticks():
    with open("/proc/uptime") as f:
        return float(f.read().split()[0]) * TICK


def suite_processes(since):
    """(pid, group, fields of /proc/pid/stat after the name) of every process of the suite: those started since `since`
    (ticks after boot) that run one of its parts. (The orchestrator starts the parts detached from the AppHost, so its
    process tree does not hold them; the bench lock keeps another suite from starting meanwhile.)"""
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = [part.decode(errors="replace") for part in f.read().split(b"\0") if part]
        except OSError:
            continue
        if int(fields[19]) >= since and cmdline and (group := group_of(cmdline)) != "other":
            yield pid, group, fields


def snapshot(since):
    """CPU seconds per group of every process of the suite (suite_processes)."""
    totals = {}
    for _, group, fields in suite_processes(since):
        totals[group] = totals.get(group, 0.0) + sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK
    return totals


def context_switches(since):
    """Context switches so far of every live thread of the suite's processes, by (group, thread id): each time the thread
    went to sleep for want of work (voluntary) or was preempted. A message that reaches a process whose threads all sleep
    wakes one of them."""
    counts = {}
    for pid, group, _ in suite_processes(since):
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/status") as f:
                    counts[group, int(tid)] = sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
            except OSError:
                continue
    return counts


def switches_between(before, after):
    """Context switches per group between two context_switches readings, of the threads alive at the second: a thread
    that ended meanwhile (a thread pool shrinking after load) takes its count with it, so these are lower bounds. A count
    lower than before is a new thread under a reused id."""
    totals = {}
    for (group, tid), count in after.items():
        prior = before.get((group, tid), 0)
        totals[group] = totals.get(group, 0) + (count - prior if count >= prior else count)
    return totals


def delta(before, after):
    return {group: after.get(group, 0.0) - before.get(group, 0.0) for group in set(before) | set(after)}


REFERENCE_WORK = "x = 0\nfor i in range(2_000_000):\n    x += i * i"


def reference_ms(runs=5):
    """CPU time of a fixed piece of work (a Python loop in a child process), the median of runs: how fast this machine
    is at the moment. The host's other tenants slow every process alike: the same commit measured 107 and 145 ms per
    sale half an hour apart, every row of the table by about the same factor. Compare runs by CPU per sale in units of this
    work, not by CPU per sale alone."""
    times = []
    for _ in range(runs):
        before = os.times()
        subprocess.run([sys.executable, "-c", REFERENCE_WORK], check=True)
        after = os.times()
        times.append(1000 * (after.children_user + after.children_system - before.children_user - before.children_system))
    return statistics.median(times)


def table(title, values, unit, fmt):
    print(f"\n{title}")
    print(f"| process | {unit} |\n|---|---|")
    for group, value in sorted(values.items(), key=lambda kv: -kv[1]):
        if abs(value) >= 0.005:
            print(f"| {group} | {fmt(value)} |")
    print(f"| **whole suite** | **{fmt(sum(values.values()))}** |")


def ab_table(title, a_runs, b_runs):
    """The mean CPU per sale of each process under arms A and B, each a list of runs ({group: CPU seconds per sale}),
    and the ratio B / A: the table bench/ab_settings.py and bench/ab_runs.py print."""
    def mean(runs, group=None):
        return statistics.mean(sum(r.values()) if group is None else r.get(group, 0.0) for r in runs)

    print(f"\n{title}\n| process | A | B | B / A |\n|---|---|---|---|")
    for group in sorted({g for r in a_runs + b_runs for g in r}, key=lambda g: -mean(a_runs, g)):
        a, b = mean(a_runs, group), mean(b_runs, group)
        if a >= 0.0002 or b >= 0.0002:
            print(f"| {group} | {1000 * a:.1f} ms | {1000 * b:.1f} ms | {b / a if a else float('nan'):.2f} |")
    a, b = mean(a_runs), mean(b_runs)
    print(f"| **whole suite** | **{1000 * a:.1f} ms** | **{1000 * b:.1f} ms** | **{b / a:.3f}** |")


def dashboard_traces(since):
    """The traces the dashboard holds whose root span started at or after `since` (Unix seconds), counted by service and
    root span name: what an operator opening the dashboard would see in its trace list. The telemetry API's key is read
    from the dashboard process's environment, where the AppHost put it."""
    data = dashboard_telemetry("traces")
    roots = collections.Counter()
    for resource_spans in data.get("resourceSpans", []):
        service = next((a["value"].get("stringValue") for a in resource_spans["resource"]["attributes"] if a["key"] == "service.name"), "?")
        for scope in resource_spans.get("scopeSpans", []):
            for span in scope.get("spans", []):
                if not span.get("parentSpanId") and int(span["startTimeUnixNano"]) >= since * 1e9:
                    roots[f"{service}: {span['name']}"] += 1
    return roots


def dashboard_telemetry(kind):
    """Everything the dashboard holds of one kind ("traces" or "logs"), from its telemetry API."""
    req = urllib.request.Request(f"http://localhost:18888/api/telemetry/{kind}?limit=1000000", headers={"X-API-Key": dashboard_key()})
    with urllib.request.urlopen(req, timeout=60) as response:
        return json.load(response)["data"]


def dashboard_key():
    """The dashboard telemetry API's key, from the dashboard process's environment, where the AppHost put it."""
    key = None
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"Aspire.Dashboard" not in f.read():
                    continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
            key = env.get(b"DASHBOARD__API__PRIMARYAPIKEY", key)
        except OSError:
            continue
    return (key or b"").decode()


def telemetry_census(since, sales):
    """What the dashboard received since `since` (Unix seconds): the sales' traces (a trace whose root is the POST of a
    sale), how many of the sales were recorded (OTEL_TRACES_SAMPLER_ARG), the spans of a recorded sale by instrumentation
    scope and operation, whether each is whole; and the other traces and the log records, per sale."""
    traces, logs = collections.defaultdict(list), collections.Counter()
    for kind in ("traces", "logs"):
        data = dashboard_telemetry(kind)
        for resource in data.get("resourceSpans" if kind == "traces" else "resourceLogs", []):
            for scope in resource.get("scopeSpans" if kind == "traces" else "scopeLogs", []):
                name = scope.get("scope", {}).get("name", "?")
                for item in scope.get("spans" if kind == "traces" else "logRecords", []):
                    if int(item.get("startTimeUnixNano") or item.get("timeUnixNano") or 0) < since * 1e9:
                        continue
                    if kind == "logs":
                        logs[name] += 1
                    else:
                        traces[item.get("traceId")].append((name, item.get("name", "?"), item.get("spanId"), item.get("parentSpanId")))

    def root(spans):
        return next((f"{scope}: {name}" for scope, name, _, parent in spans if not parent), None)

    sale_ids = {trace for trace, spans in traces.items() if (root(spans) or "").endswith("POST /api/v1/signups")}
    sale_traces = [traces[trace] for trace in sale_ids]
    recorded = max(1, len(sale_traces))
    scopes, operations = collections.Counter(), collections.Counter()
    whole = 0
    for spans in sale_traces:
        ids = {span_id for _, _, span_id, _ in spans}
        whole += all(not parent or parent in ids for _, _, _, parent in spans)
        for scope, name, _, _ in spans:
            scopes[scope] += 1
            operations[f"{scope}: {name.split()[-1]}"] += 1  # a span's name without the queue, table or route it names
    print(f"\nSales recorded as a trace: {len(sale_traces)} of {sales}; whole (every span's parent received): {whole}")
    print(f"Spans per recorded sale: {sum(scopes.values()) / recorded:.1f}")
    for name, count in scopes.most_common(8):
        print(f"- {name}: {count / recorded:.1f}")
    print("By scope and operation (the last word of the span's name)")
    for name, count in operations.most_common(12):
        print(f"- {name}: {count / recorded:.1f}")
    others = collections.Counter(root(spans) or "(no root received)" for trace, spans in traces.items() if trace not in sale_ids)
    print(f"\nOther traces per sale: {sum(others.values()) / sales:.2f}")
    for name, count in others.most_common(5):
        print(f"- {name}: {count / sales:.2f}")
    print(f"\nLog records the dashboard received per sale: {sum(logs.values()) / sales:.1f}")
    for name, count in logs.most_common(8):
        print(f"- {name}: {count / sales:.1f}")


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def completion_ms(signup_ids, timeout=600):
    """202 → completed per sale (ms), read from each signup once it finished; and how many did not complete."""
    latencies, failed = [], 0
    for signup_id in signup_ids:
        _, signup = wait_for(lambda: (lambda r: r if r[1] and r[1]["status"] != "pending" else None)(
            request("GET", f"/api/v1/signups/{signup_id}")), timeout, poll=0.2)
        if signup["status"] != "completed":
            failed += 1
            continue
        latencies.append((parse(signup["updatedAt"]) - parse(signup["createdAt"])).total_seconds() * 1000)
    return sorted(latencies), failed


def percentile(values, q):
    return values[min(len(values) - 1, int(q * len(values)))]


def post_sales(count, clients):
    """count sales by clients waiting each for its 202 (closed model); the accepted signup ids and the refusals."""
    def one(_):
        status, accepted = request("POST", "/api/v1/signups", new_sale(), timeout=30)
        return accepted["signupId"] if status == 202 else None
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, range(count)))
    return [r for r in results if r is not None], results.count(None)


def at_fixed_rate(rate, seconds):
    """Sales started every 1/rate s for seconds (open model); the accepted ids, the refused count, the start lag."""
    count = int(rate * seconds)
    accepted, refused, lag, lock = [], [0], [0.0], threading.Lock()
    start = time.monotonic() + 0.5

    def one(i):
        due = start + i / rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)  # the schedule: the i-th sale starts at its time, not when an earlier one answered
        else:
            with lock:
                lag[0] = max(lag[0], -wait)
        status, body = request("POST", "/api/v1/signups", new_sale(), timeout=30)
        with lock:
            if status == 202:
                accepted.append(body["signupId"])
            else:
                refused[0] += 1

    with ThreadPoolExecutor(max(32, int(rate * 2))) as pool:
        list(pool.map(one, range(count)))
    return accepted, refused[0], lag[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--idle", type=float, default=20)
    parser.add_argument("--rates", default="20,40")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--settle", type=float, default=10)
    add_trace_ratio_argument(parser)
    args = parser.parse_args()

    since = uptime_ticks()
    print(f"Traces recorded: {args.trace_ratio:.0%} of them (--trace-ratio)")
    with start_suite(trace_ratio=args.trace_ratio):
        post_sale_and_wait(timeout=180, retry_unavailable_for=180)
        ids, _ = post_sales(args.warmup, args.clients)  # JIT, pools, caches
        completion_ms(ids)
        time.sleep(args.settle)  # the warm-up's last events and the JIT's background recompilation end before idling is read

        before, switches, idle_from = snapshot(since), context_switches(since), time.time()
        time.sleep(args.idle)  # the measurement: nothing happens for this long
        idle, switches = delta(before, snapshot(since)), switches_between(switches, context_switches(since))
        table(f"Idle burn over {args.idle:.0f} s (% of one core)", {g: 100 * v / args.idle for g, v in idle.items()},
              "% of one core", lambda v: f"{v:.1f} %")
        switches_per = {"idle (per second)": {g: v / args.idle for g, v in switches.items()}}
        time.sleep(8)  # the services' exporters send what they hold every 5 s
        traces = dashboard_traces(idle_from)
        print(f"\nTraces the dashboard received while idle: {sum(traces.values())}")
        for name, count in traces.most_common(10):
            print(f"- {name}: {count}")

        reference_before = reference_ms()
        before, switches, sales_from = snapshot(since), context_switches(since), time.time()
        started = time.monotonic()
        ids, refused = post_sales(args.sales, args.clients)
        latencies, failed = completion_ms(ids)
        elapsed = time.monotonic() - started
        used, switches = delta(before, snapshot(since)), switches_between(switches, context_switches(since))
        switches_per[f"by {args.clients} clients"] = {g: v / max(1, len(ids)) for g, v in switches.items()}
        table(f"CPU per sale: {len(ids)} sales by {args.clients} clients in {elapsed:.1f} s ({refused} refused, {failed} not completed)",
              {g: 1000 * v / max(1, len(ids)) for g, v in used.items()}, "CPU per sale", lambda v: f"{v:.1f} ms")
        time.sleep(8)
        reference_after = reference_ms()
        reference = (reference_before + reference_after) / 2
        print(f"\nReference work (machine speed): {reference_before:.0f} ms of CPU before the sales, {reference_after:.0f} ms after; "
              f"CPU per sale = {1000 * sum(used.values()) / max(1, len(ids)) / reference:.3f} reference works")
        telemetry_census(sales_from, max(1, len(ids)))

        print("\n| offered rate | sales | refused | failed | 202 → completed median | p90 | p99 | max | start lag | CPU per sale "
              "| context switches per sale |\n|---|---|---|---|---|---|---|---|---|---|---|")
        for rate in (float(r) for r in args.rates.split(",") if r):
            before, switches = snapshot(since), context_switches(since)
            ids, refused, lag = at_fixed_rate(rate, args.seconds)
            latencies, failed = completion_ms(ids)
            sales = max(1, len(ids))
            switches_per[f"at {rate:.0f}/s"] = {g: v / sales for g, v in switches_between(switches, context_switches(since)).items()}
            cost = f"{1000 * sum(delta(before, snapshot(since)).values()) / sales:.1f} ms | {sum(switches_per[f'at {rate:.0f}/s'].values()):.0f}"
            if not latencies:
                print(f"| {rate:.0f}/s | {len(ids)} | {refused} | {failed} | – | – | – | – | {lag * 1000:.0f} ms | {cost} |")
                continue
            print(f"| {rate:.0f}/s | {len(ids)} | {refused} | {failed} | {statistics.median(latencies):.0f} ms | {percentile(latencies, 0.9):.0f} ms "
                  f"| {percentile(latencies, 0.99):.0f} ms | {latencies[-1]:.0f} ms | {lag * 1000:.0f} ms | {cost} |")

        columns = list(switches_per)
        print("\nContext switches of the suite's threads: per second while idle, per sale under load\n"
              f"| process | {' | '.join(columns)} |\n|---|{'---|' * len(columns)}")
        for group in sorted({g for c in switches_per.values() for g in c}, key=lambda g: -switches_per[columns[-1]].get(g, 0)):
            print(f"| {group} | {' | '.join(f'{switches_per[c].get(group, 0):.0f}' for c in columns)} |")
        print(f"| **whole suite** | {' | '.join(f'**{sum(switches_per[c].values()):.0f}**' for c in columns)} |")


if __name__ == "__main__":
    main()
