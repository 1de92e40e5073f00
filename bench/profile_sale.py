#!/usr/bin/env python3
"""Where a sale's CPU goes (issue 9): samples every process of the suite with `perf` while it takes sales, and prints
the top frames by CPU, per process and for the whole suite.

The suite runs with DOTNET_PerfMapEnabled=1 (with W^X off, so JIT code sits in anonymous memory, and ReadyToRun off, so
the framework's code is JIT-compiled too: a slower start, the same steady state), so the runtime writes /tmp/perf-{pid}.map and perf names JIT-compiled
methods. The frames are read from `perf script`: "self" is the frame the sample landed in; "inclusive" counts a frame
once per sample that has it anywhere on its stack (native and kernel frames are folded into the nearest managed
caller's module, so the inclusive list reads as managed code). Profiling adds its own cost: compare figures between
profiles, not with bench/cpu_per_sale.py's.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/profile_sale.py
       [--sales 300] [--clients 8] [--top 25] [--process Signup] [--idle 0]
"""
import argparse, collections, os, re, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import start_suite, post_sale_and_wait  # noqa: E402
from cpu_per_sale import group_of, post_sales, completion_ms, uptime_ticks  # noqa: E402


def suite_pids(since):
    pids = {}
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/stat") as f:
                start = int(f.read().rsplit(")", 1)[1].split()[19])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = [part.decode(errors="replace") for part in f.read().split(b"\0") if part]
        except OSError:
            continue
        if start >= since and cmdline and (group := group_of(cmdline)) != "other":
            pids[pid] = group
    return pids


def frames(script_output):
    """(pid, [frames leaf first]) per sample of `perf script -F pid,ip,sym,dso`."""
    pid, stack = None, []
    for line in script_output:
        line = line.rstrip("\n")
        if not line.strip():
            if pid is not None:
                yield pid, stack
            pid, stack = None, []
        elif pid is None:
            pid = int(line.split()[0])
        else:
            parts = line.strip().split(" ", 1)
            stack.append(parts[1] if len(parts) > 1 else parts[0])
    if pid is not None:
        yield pid, stack


def clean(frame):
    frame = re.sub(r"\s*\(/[^)]*\)$", "", frame)  # the dso
    frame = re.sub(r"\+0x[0-9a-f]+$", "", frame)
    frame = re.sub(r"\[OptimizedTier1\]|\[Optimized\]|\[QuickJitted\]|\[Tier0\]|\[Tier1\]|\[PreJIT\]|\[OSR\]", "", frame)
    return re.sub(r"\(.*\)$", "", frame).strip() or "?"


def area(frame):
    """The library a managed frame belongs to (its namespace's first two parts), for the inclusive-by-area list."""
    name = clean(frame)
    if "::" in name or "!" in name or "[" in name or name == "?" or "." not in name:
        return None
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] in ("MasStack", "Microsoft", "System", "OpenTelemetry", "MassTransit", "Npgsql") else parts[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--process", help="only this row of cpu_per_sale's table (e.g. Signup)")
    parser.add_argument("--idle", type=float, default=0, help="profile this many seconds of idling instead of sales")
    parser.add_argument("--frequency", type=int, default=499)
    args = parser.parse_args()

    os.environ["DOTNET_PerfMapEnabled"] = "1"
    os.environ["DOTNET_EnableWriteXorExecute"] = "0"  # else JIT code sits in memfd mappings perf does not match with the map
    os.environ["DOTNET_ReadyToRun"] = "0"  # precompiled framework code has no map entries: JIT it all, so every frame is named
    since = uptime_ticks()
    work = tempfile.mkdtemp(prefix="masstack-profile-")
    data = os.path.join(work, "perf.data")
    with start_suite():
        post_sale_and_wait(timeout=180, retry_unavailable_for=180)
        completion_ms(post_sales(50, args.clients)[0])
        time.sleep(10)
        pids = suite_pids(since)
        perf = subprocess.Popen(["perf", "record", "-a", "-g", "-F", str(args.frequency), "-o", data, "--", "sleep", "3600"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        if args.idle:
            time.sleep(args.idle)
            what = f"{args.idle:.0f} s of idling"
        else:
            ids, _ = post_sales(args.sales, args.clients)
            completion_ms(ids)
            what = f"{len(ids)} sales"
        perf.send_signal(2)
        perf.wait()
        script = subprocess.run(["perf", "script", "-i", data, "-F", "pid,ip,sym,dso"], capture_output=True, text=True).stdout

    self_count, inclusive, by_area, per_group = collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for pid, stack in frames(script.splitlines()):
        group = pids.get(pid)
        if group is None or (args.process and group != args.process):
            continue
        total += 1
        per_group[group] += 1
        self_count[f"{group}: {clean(stack[0]) if stack else '?'}"] += 1
        for name in {clean(f) for f in stack}:
            inclusive[f"{group}: {name}"] += 1
        for name in {a for a in (area(f) for f in stack) if a}:
            by_area[f"{group}: {name}"] += 1

    def show(title, counter, n):
        print(f"\n{title}\n| frame | % of samples |\n|---|---|")
        for name, count in counter.most_common(n):
            print(f"| {name} | {100 * count / max(1, total):.1f} % |")

    print(f"{total} samples of the suite's processes at {args.frequency} Hz over {what}")
    show("Samples per process", per_group, 30)
    show("Top frames, self", self_count, args.top)
    show("Top managed frames, inclusive", collections.Counter({k: v for k, v in inclusive.items() if area(k.split(": ", 1)[1])}), args.top)
    show("Libraries on the stack, inclusive", by_area, args.top)


if __name__ == "__main__":
    main()
