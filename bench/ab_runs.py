#!/usr/bin/env python3
"""Two builds of the suite, or two runtime settings of its processes, compared by alternating whole runs (issue 9).

bench/ab_settings.py compares what a running server can switch; a change of code, or of a setting a process reads once
at start, needs a run of the suite of its own. Two runs far apart measure the host as much as the change (the same
commit measured 0.256 and 0.316 reference works a sale an hour apart), so here the two arms take turns: each round
starts the suite once per arm (the order alternating from round to round), warms it up, and measures the CPU per sale
of --sales sales (in ms and in reference works, cpu_per_sale.py's machine-speed unit) and, at --rate sales/s for
--seconds, the CPU per sale of that run and 202 → completed (median, p99).

An arm is REV[:NAME=VALUE[,NAME=VALUE…]]:
- REV, a commit, built in a worktree of its own under /var/tmp (removed at the end), or `.` for this working tree as it
  is built;
- the variables, given to the AppHost, which passes those of its diagnostics list on to every project
  (AppHost/Program.cs: the JIT's, the thread pool's, the GC's, the sockets', OTEL_SDK_DISABLED, OTEL_METRICS_EXPORTER,
  OTEL_TRACES_SAMPLER_ARG over --trace-ratio, …).

  --a 36dd94c --b c785ac7                                              (a change of code)
  --a . --b .:DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1          (a runtime setting)

Printed: every run's figures, the mean CPU per sale of each process under each arm, and the ratios B / A of the means.
Each run costs about two and a half minutes with the defaults. Two rounds tell a difference of 20 % or more on this
host: one commit measured 60.2 and 48.1 ms a sale in two rounds of one comparison.

Measured:
- --a 913dcec --b 3c39c46 (stop 28's code): 0.970 (0.958 in reference works).
- --a . --b .:DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 (continuations run on the sockets' event thread) stalled
  the suite: at 40/s, 465 of 800 sales refused or not completed, p99 153 s, against 682 ms without it (one round;
  stopped there).
- --a . --b .:OTEL_SDK_DISABLED=true (no telemetry at all, the dashboard idle): 0.628, in both rounds (0.57, 0.70);
  the services 0.54–0.68, PostgreSQL 0.76, RabbitMQ 0.66. A profile of each (bench/profile_sale.py) saw less: 0.82 of the
  samples, PostgreSQL's and RabbitMQ's the same; the dashboard was 9 % of them.
- --a . --b .:OTEL_METRICS_EXPORTER=none (no instrument measured): 0.936 (rounds 0.82, 1.07), at 20/s 0.942; each
  service 0.82–0.90.
- --a .:OTEL_TRACES_SAMPLER_ARG=0.01 --b .:OTEL_TRACES_SAMPLER_ARG=0.1 (one round): 0.951, the dashboard 0.3 → 2.7 ms.
- --a . --b .:DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 (.NET 10's pool spins a little, under 50 µs): 0.951, at 20/s
  0.949; within the rounds' spread, not adopted.
- --a . --b .:DOTNET_gcServer=0 --rate 20 (the workstation GC instead of the server GC every service runs with): 0.937
  (0.956 in reference works), at 20/s 0.987; the services themselves 0.88–1.01, PostgreSQL and RabbitMQ moved as much
  (0.94, 0.89): the host, not the GC. Not adopted.
- --a . --b .:DOTNET_TieredCompilation=0 (each method compiled once, fully optimised; precompiled framework code never
  recompiled), two rounds: 1.202 (1.153 in reference works), the services 1.2–1.55, at 40/s 1.035. Likely the
  framework's precompiled (ReadyToRun) code, which tiering replaces with better code and which otherwise stays. Not
  adopted.
- --a 69c7f01 --b 8b1217a (MassTransit's consumer step no longer a span of its own), four rounds: 0.853 (0.867 in reference
  works), B lower in each round (29.9–37.8 ms against 35.6–43.2), the dashboard 0.67; at 40/s 0.985.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/ab_runs.py
       --a ARM --b ARM [--rounds 2] [--sales 300] [--warmup 300] [--settle 10] [--rate 40] [--seconds 20] [--trace-ratio 0.1]
"""
import argparse, os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import ROOT, start_suite, post_sale_and_wait, add_trace_ratio_argument  # noqa: E402
from cpu_per_sale import snapshot, delta, uptime_ticks, post_sales, completion_ms, reference_ms, at_fixed_rate, percentile, ab_table  # noqa: E402


def parse(arm):
    rev, _, assignments = arm.partition(":")
    env = dict(a.split("=", 1) for a in assignments.split(",") if a)
    return rev or ".", env


def checkout(rev, worktrees):
    """The root of a built tree of rev: this one for `.`, else a worktree of the commit, built once."""
    if rev == ".":
        return ROOT
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", rev + "^{commit}"], check=True,
                            capture_output=True, text=True).stdout.strip()
    path = f"/var/tmp/masstack-ab-{commit[:12]}"
    if path not in worktrees:
        if os.path.exists(path):  # left by a run that was stopped
            subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", path], check=False, capture_output=True)
        subprocess.run(["git", "-C", ROOT, "worktree", "add", "--force", "--detach", path, commit], check=True, capture_output=True)
        worktrees.append(path)
        print(f"Building {rev} ({commit[:12]}) in {path}", flush=True)
        subprocess.run(["dotnet", "build", "MasStack.Aspire.sln", "-c", "Release", "-warnaserror", "-v", "q", "-nologo"],
                       cwd=path, check=True, stdout=subprocess.DEVNULL)
    return path


def measure(root, env, args):
    since = uptime_ticks()
    with start_suite(trace_ratio=args.trace_ratio, root=root, env=env):
        post_sale_and_wait(timeout=180, retry_unavailable_for=180)
        completion_ms(post_sales(args.warmup, args.clients)[0])
        time.sleep(args.settle)
        reference = reference_ms()
        before = snapshot(since)
        ids, _ = post_sales(args.sales, args.clients)
        completion_ms(ids)
        used = {group: seconds / max(1, len(ids)) for group, seconds in delta(before, snapshot(since)).items()}
        reference = (reference + reference_ms()) / 2
        run = {"groups": used, "ms": 1000 * sum(used.values()), "ref": 1000 * sum(used.values()) / reference}
        if args.rate:
            before = snapshot(since)
            ids, refused, _ = at_fixed_rate(args.rate, args.seconds)
            latencies, failed = completion_ms(ids)
            run.update(median=statistics.median(latencies) if latencies else float("nan"),
                       p99=percentile(latencies, 0.99) if latencies else float("nan"), failed=refused + failed,
                       at_rate=1000 * sum(delta(before, snapshot(since)).values()) / max(1, len(ids)))
    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True, help="REV[:NAME=VALUE,…], the arm compared against")
    parser.add_argument("--b", required=True, help="REV[:NAME=VALUE,…], the arm tried")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sales", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--settle", type=float, default=10)
    parser.add_argument("--rate", type=float, default=40, help="sales/s for the latency (0: none)")
    parser.add_argument("--seconds", type=float, default=20)
    add_trace_ratio_argument(parser)
    args = parser.parse_args()

    worktrees = []
    try:
        arms = {name: (checkout(rev, worktrees), env) for name, (rev, env) in (("A", parse(args.a)), ("B", parse(args.b)))}
        runs = {"A": [], "B": []}
        print(f"\nA: {args.a}; B: {args.b}")
        print(f"| round | arm | CPU per sale | reference works | at {args.rate:.0f}/s: CPU per sale | 202 → completed median | p99 "
              "| refused or not completed |\n|---|---|---|---|---|---|---|---|")
        for round_ in range(args.rounds):
            for name in ("A", "B") if round_ % 2 == 0 else ("B", "A"):
                run = measure(*arms[name], args)
                runs[name].append(run)
                latency = (f"{run['at_rate']:.1f} ms | {run['median']:.0f} ms | {run['p99']:.0f} ms | {run['failed']:.0f}" if args.rate
                           else "– | – | – | –")
                print(f"| {round_ + 1} | {name} | {run['ms']:.1f} ms | {run['ref']:.3f} | {latency} |", flush=True)
    finally:
        for path in worktrees:
            subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", path], check=False)

    def mean(name, key):
        return statistics.mean(r[key] for r in runs[name])

    ab_table("Mean CPU per sale", [r["groups"] for r in runs["A"]], [r["groups"] for r in runs["B"]])
    print(f"\nIn reference works: A {mean('A', 'ref'):.3f}, B {mean('B', 'ref'):.3f}, B / A {mean('B', 'ref') / mean('A', 'ref'):.3f}")
    if args.rate:
        print(f"At {args.rate:.0f}/s, mean of the runs: CPU per sale A {mean('A', 'at_rate'):.1f} ms, B {mean('B', 'at_rate'):.1f} ms, "
              f"B / A {mean('B', 'at_rate') / mean('A', 'at_rate'):.3f}; p99 A {mean('A', 'p99'):.0f} ms, B {mean('B', 'p99'):.0f} ms")


if __name__ == "__main__":
    main()
