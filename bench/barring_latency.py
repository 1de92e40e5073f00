#!/usr/bin/env python3
"""From a barring change's answer to the customer tree showing it (issue 11).

Starts the suite (Release build, gateway on :8080, --replicas instances of each service), sells one sale, then makes
--changes barring changes on its mobile line through the gateway, one after the other: PATCH /subscriptions/{id}/barrings
alternately sets and lifts the customer's roaming barring (If-Match on the ETag the previous change answered). From each
PATCH's answer, GET /users/{userId}/tree is polled (every --poll seconds) until the line shows the change: that time is
Barring's outbox → RabbitMQ → Customer's read model → the cached tree's invalidation. Prints the median, p90, p99 and
the maximum. Only talks to localhost. Stops the suite it started.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-bench.lock python3 bench/barring_latency.py
"""
import argparse, json, os, statistics, sys, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import GATEWAY, request, sell, start_suite, wait_for  # noqa: E402


def patch(subscription_id, etag, operation):
    body = json.dumps({"source": "customer", operation: [{"type": "roaming"}]}).encode()
    req = urllib.request.Request(
        f"{GATEWAY}/api/v1/subscriptions/{subscription_id}/barrings", data=body, method="PATCH",
        headers={"Content-Type": "application/json", "If-Match": etag, "X-Reason": "bench", "X-Client-Id": "bench"})
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.headers["ETag"]


def tree_line(user_id, subscription_id):
    status, tree = request("GET", f"/api/v1/users/{user_id}/tree")
    if status != 200:
        return None
    return next((s for a in tree["accounts"] for s in a["subscriptions"] if s["subscriptionId"] == subscription_id), None)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--poll", type=float, default=0.005)
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()

    with start_suite(f"--MasStack:Replicas={args.replicas}"):
        accepted = sell()
        user_id = accepted["userId"]
        line = next(s["subscriptionId"] for s in accepted["subscriptions"] if s["type"] == "mobile")
        etag = urllib.request.urlopen(f"{GATEWAY}/api/v1/subscriptions/{line}/barrings", timeout=30).headers["ETag"]

        latencies = []
        for i in range(args.changes):
            barred = i % 2 == 0
            etag = patch(line, etag, "set" if barred else "lift")
            answered = time.monotonic()
            wait_for(lambda: (lambda s: s is not None and ("roaming" in s.get("barrings", [])) == barred)(tree_line(user_id, line)), 60, args.poll)
            latencies.append((time.monotonic() - answered) * 1000)

        print(f"PATCH answered -> tree shows it, {len(latencies)} changes, {args.replicas} instance(s) of each service:")
        print(f"  median {statistics.median(latencies):.1f} ms, p90 {percentile(latencies, 90):.1f} ms, "
              f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms")


if __name__ == "__main__":
    main()
