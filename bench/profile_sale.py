#!/usr/bin/env python3
"""Where a sale's CPU goes (issue 9): samples every process of the suite with `perf` while it takes sales, and prints
the top frames by CPU, per process and for the whole suite.

The suite runs with DOTNET_PerfMapEnabled=1 (and W^X off, so JIT code sits in anonymous memory where perf looks it up):
the runtime writes /tmp/perf-{pid}.map and perf names JIT-compiled methods; precompiled framework code not recompiled
yet shows as its assembly's file, the runtime's own native code (GC, stubs, JIT) as libcoreclr.so and libclrjit.so.
Printed: samples per process; the frames the samples landed in ("self"); the same by library; and each library once
per sample that has it anywhere on its stack ("inclusive", e.g. how much of Signup's CPU ran under Npgsql). Profiling
adds its own cost: compare profiles with profiles, not with bench/cpu_per_sale.py's figures.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/profile_sale.py
       [--sales 300] [--clients 8 | --rate 20 --seconds 20] [--warmup 200] [--top 25] [--process Signup] [--idle 0] [--settle 10]
       python3 bench/profile_sale.py --analyze /tmp/masstack-profile-… (the same tables from a kept profile)
"""
import argparse, collections, json, os, re, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import start_suite, post_sale_and_wait, add_trace_ratio_argument  # noqa: E402
from cpu_per_sale import group_of, post_sales, completion_ms, uptime_ticks, at_fixed_rate, suite_processes  # noqa: E402


def suite_pids(since):
    return {pid: group for pid, group, _ in suite_processes(since)}


def frames(script_output):
    """(pid, [(symbol, dso)] leaf first) per sample of `perf script -F pid,ip,sym,dso`."""
    pid, stack = None, []
    for line in script_output:
        if not line.strip():
            if pid is not None:
                yield pid, stack
            pid, stack = None, []
        elif pid is None:
            pid = int(line.split()[0])
        else:
            match = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", line)
            if match:
                stack.append((match.group(1), match.group(2)))
    if pid is not None:
        yield pid, stack


MANAGED = re.compile(r"\[(?P<assembly>[^\]]+)\] ?(?P<method>[\w.`<>$|,+=-]+::[\w.`<>$|+=-]+)")


def label(symbol, dso):
    """A frame's name and its library: `Type::Method` and its assembly for JIT-compiled code (from the perf map), the
    function and its binary for native code, the binary alone where it has no symbols (the runtime's GC and stubs)."""
    if dso.startswith("/tmp/perf-"):
        for match in MANAGED.finditer(symbol):  # the last [assembly] Type::Method is the method itself, not a parameter
            found = match
        if "found" in locals():
            return found.group("method"), found.group("assembly")
        return symbol[:80], "managed"
    library = os.path.basename(dso)
    if library == "[kernel.kallsyms]":
        return "kernel: " + symbol.split("+")[0], "kernel"
    return (library if symbol == "[unknown]" else f"{library}: {symbol.split('+')[0]}"), library


NATIVE = {"postgres": "PostgreSQL", "beam.smp": "RabbitMQ", "redis-server": "Redis", "dcp": "orchestrator (dcp)"}
GENERIC = {"libc.so.6", "libcoreclr.so", "System.Private.CoreLib", "System.Private.CoreLib.dll", "kernel", "managed",
           "libstdc++.so.6", "libm.so.6", "ld-linux-x86-64.so.2"}


def group_from_map(pid):
    """The suite's part a .NET process runs, from the assembly of its Main in its perf map (when no pid list was kept)."""
    try:
        with open(f"/tmp/perf-{pid}.map", errors="replace") as f:
            for line in f:
                if "Program::<Main>$" in line or "::Main(" in line:
                    assembly = re.search(r"\[([^\]]+)\] Program", line) or re.search(r"\[([^\]]+)\]", line)
                    if assembly:
                        return group_of([assembly.group(1)])
    except OSError:
        pass
    return None


def analyze(data, pids, process, top):
    script = subprocess.run(["perf", "script", "-i", data, "-F", "pid,ip,sym,dso"], capture_output=True, text=True).stdout
    self_frames, self_libraries, inclusive_libraries, per_group, suite_libraries = (collections.Counter() for _ in range(5))
    total = 0
    for pid, stack in frames(script.splitlines()):
        if not stack:
            continue
        group = pids.get(pid)
        if group is None:
            binaries = (NATIVE.get(os.path.basename(dso)) for _, dso in stack)
            group = pids[pid] = group_from_map(pid) or next((g for g in binaries if g), "other")
        if group == "other" or (process and group != process):
            continue
        total += 1
        per_group[group] += 1
        name, library = label(*stack[0])
        self_frames[f"{group}: {name}"] += 1
        self_libraries[f"{group}: {library}"] += 1
        libraries = {label(*frame)[1] for frame in stack}
        for library in libraries:
            inclusive_libraries[f"{group}: {library}"] += 1
            if library not in GENERIC:
                suite_libraries[library] += 1

    def show(title, counter, n):
        print(f"\n{title}\n| frame | % of samples |\n|---|---|")
        for name, count in counter.most_common(n):
            print(f"| {name} | {100 * count / max(1, total):.1f} % |")

    print(f"{total} samples of the suite's processes")
    show("Samples per process", per_group, 30)
    show("Top frames, self", self_frames, top)
    show("Libraries, self (where the samples landed)", self_libraries, top)
    show("Libraries, inclusive (on the stack of the samples)", inclusive_libraries, top)
    show("Libraries, inclusive, whole suite (threads, runtime and kernel left out)", suite_libraries, top)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--process", help="only this row of cpu_per_sale's table (e.g. Signup)")
    parser.add_argument("--idle", type=float, default=0, help="profile this many seconds of idling instead of sales")
    parser.add_argument("--settle", type=float, default=10, help="seconds between the warm-up and the recording (the JIT's "
                        "background recompilation and the dashboard's backlog end; give idle profiles 30 or more)")
    parser.add_argument("--rate", type=float, default=0, help="profile sales offered at this rate (sales/s, for --seconds) "
                        "instead of --sales by --clients")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--frequency", type=int, default=499)
    parser.add_argument("--analyze", help="only read an earlier profile's folder again (its perf.data and pids.json)")
    add_trace_ratio_argument(parser)
    args = parser.parse_args()
    if args.analyze:
        with open(os.path.join(args.analyze, "pids.json")) if os.path.exists(os.path.join(args.analyze, "pids.json")) else open(os.devnull) as f:
            pids = {int(k): v for k, v in (json.load(f) if f.name != os.devnull else {}).items()}
        analyze(os.path.join(args.analyze, "perf.data"), pids, args.process, args.top)
        return

    os.environ["DOTNET_PerfMapEnabled"] = "1"
    os.environ["DOTNET_EnableWriteXorExecute"] = "0"  # else JIT code sits in memfd mappings perf does not match with the map
    since = uptime_ticks()
    work = tempfile.mkdtemp(prefix="masstack-profile-")
    data = os.path.join(work, "perf.data")
    with start_suite(trace_ratio=args.trace_ratio):
        post_sale_and_wait(timeout=180, retry_unavailable_for=180)
        completion_ms(post_sales(args.warmup, args.clients)[0])  # JIT and tiering done before the recording
        time.sleep(args.settle)
        pids = suite_pids(since)
        perf = subprocess.Popen(["perf", "record", "-a", "-g", "-F", str(args.frequency), "-o", data, "--", "sleep", "3600"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        if args.idle:
            time.sleep(args.idle)
            what = f"{args.idle:.0f} s of idling"
        else:
            ids = at_fixed_rate(args.rate, args.seconds)[0] if args.rate else post_sales(args.sales, args.clients)[0]
            completion_ms(ids)
            what = f"{len(ids)} sales" + (f" at {args.rate:.0f}/s" if args.rate else "")
        perf.send_signal(2)
        perf.wait()
        with open(os.path.join(work, "pids.json"), "w") as f:
            json.dump(pids, f)
        print(f"Profile of {what} in {work} (read it again with --analyze {work})")
        analyze(data, pids, args.process, args.top)  # while the suite runs: its processes' perf maps are complete


if __name__ == "__main__":
    main()
