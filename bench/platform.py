#!/usr/bin/env python3
"""Measures the platform as issue 2 asks, on this machine, against a freshly started suite:

  1. cold start: from `dotnet run --project AppHost` (already built) to a healthy gateway, and to the
     first sale completed (every service up and consuming);
  2. idle memory: resident memory of the eight .NET processes (seven services and the gateway) after the
     suite has been idle, and of the infrastructure processes beside them;
  3. sale latency: time from a sale's 202 to its signup reading `completed`, over sequential sales.

Usage: python3 bench/platform.py [--sales 50]   (run `dotnet build MasStack.Aspire.sln -c Release` first)
Only talks to localhost. Stops the suite it started.
"""
import argparse, os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import request, wait_for, post_sale_and_wait, start_suite  # noqa: E402


def rss_mib(matches):
    """Resident memory (MiB) and count of the processes whose command line `matches`."""
    out = subprocess.run(["ps", "-eo", "rss=,args="], capture_output=True, text=True).stdout
    total, count = 0, 0
    for line in out.splitlines():
        rss, _, args = line.strip().partition(" ")
        if matches(args.strip()):
            total += int(rss)
            count += 1
    return total / 1024, count


PROJECTS = ["Signup", "Customer", "Account", "Subscription", "Billing", "Barring", "Consumption", "Gateway"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=50)
    parser.add_argument("--idle", type=float, default=20, help="seconds idle before reading memory")
    args = parser.parse_args()

    started = time.monotonic()
    with start_suite():
        gateway_healthy = time.monotonic() - started
        post_sale_and_wait(timeout=60, retry_unavailable_for=180)
        first_sale = time.monotonic() - started

        time.sleep(args.idle)  # idle on purpose: the measurement is of an idle suite
        services_mib, services_n = rss_mib(lambda a: any(a.split(" ")[0].endswith("/MasStack." + p) for p in PROJECTS))
        launchers_mib, launchers_n = rss_mib(lambda a: a.startswith("dotnet run --project") and "MasStack." in a)
        infra_mib, infra_n = rss_mib(lambda a: any(a.split(" ")[0].endswith(p) for p in ("postgres", "redis-server", "beam.smp"))
                                     or a.startswith("postgres:"))

        latencies = sorted(post_sale_and_wait() * 1000 for _ in range(args.sales))
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]

        print(f"cold start to healthy gateway:        {gateway_healthy:6.1f} s")
        print(f"cold start to first sale completed:   {first_sale:6.1f} s")
        print(f"idle RSS of {services_n} .NET processes:         {services_mib:6.0f} MiB")
        print(f"idle RSS of {launchers_n} `dotnet run` launchers:     {launchers_mib:6.0f} MiB  (Aspire's way of starting a project in development)")
        print(f"idle RSS of {infra_n} infrastructure processes: {infra_mib:6.0f} MiB  (postgres, redis-server, beam.smp)")
        print(f"sale 202 -> completed over {len(latencies)} sales: median {statistics.median(latencies):.0f} ms, "
              f"p90 {p(0.90):.0f} ms, max {latencies[-1]:.0f} ms")


if __name__ == "__main__":
    main()
