#!/usr/bin/env python3
"""Sales under a steady load, as issue 3 asks: N concurrent clients, each reserving a number and posting an online
sale with it (SIM from stock), for a fixed time. Reports sales accepted (202) per second at the gateway, and the time
from each sale's acceptance to `completed` (median and p99), read afterwards from each signup's own createdAt and
updatedAt so that polling does not load the suite while it is measured.

Usage: flock /tmp/masstack-heavy.lock python3 bench/signup_load.py [--clients 16] [--seconds 30] [--replicas 1]
       (run `dotnet build MasStack.Aspire.sln -c Release` first; starts and stops its own suite on localhost:8080)
"""
import argparse, os, statistics, sys, threading, time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import request, wait_for, start_suite, post_sale_and_wait  # noqa: E402
from sales import new_sale, new_mobile  # noqa: E402


def client(stop, accepted, refused, lock):
    while not stop.is_set():
        number = new_mobile()
        status, hold = request("POST", f"/api/v1/msisdns/{number}/reservations")
        if status == 409:
            continue  # taken or held by another client: pick another number, as a till would
        if status != 201:
            with lock:
                refused.append(("reservation", status))
            continue
        status, sale = request("POST", "/api/v1/signups", new_sale(number, hold["reservationId"]))
        with lock:
            (accepted if status == 202 else refused).append(sale["signupId"] if status == 202 else ("sale", status))


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--replicas", type=int, default=1, help="instances of each service (the AppHost's MasStack:Replicas)")
    args = parser.parse_args()

    with start_suite(f"--MasStack:Replicas={args.replicas}"):
        post_sale_and_wait(timeout=180, retry_unavailable_for=180)  # every service up and consuming (slow on a busy machine)
        for _ in range(20):
            post_sale_and_wait()  # warm-up: JIT, connection pools

        stop, lock, accepted, refused = threading.Event(), threading.Lock(), [], []
        threads = [threading.Thread(target=client, args=(stop, accepted, refused, lock)) for _ in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started

        latencies, failed = [], 0
        for signup_id in accepted:
            status, signup = wait_for(lambda: (lambda r: r if r[1] and r[1]["status"] != "pending" else None)(
                request("GET", f"/api/v1/signups/{signup_id}")), 300, poll=0.2)
            if signup["status"] != "completed":
                failed += 1
                continue
            latencies.append((parse(signup["updatedAt"]) - parse(signup["createdAt"])).total_seconds() * 1000)
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]

        print(f"{args.replicas} instance(s) of each service, {args.clients} clients for {elapsed:.0f} s: {len(accepted)} sales accepted, {len(accepted) / elapsed:.1f} sales/s at the gateway "
              f"(each also reserved its number), {len(refused)} refused {sorted(set(refused))[:5]}")
        print(f"202 -> completed: median {statistics.median(latencies):.0f} ms, p99 {p(0.99):.0f} ms, max {latencies[-1]:.0f} ms, "
              f"{failed} failed")


if __name__ == "__main__":
    main()
