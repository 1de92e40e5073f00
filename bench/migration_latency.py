#!/usr/bin/env python3
"""From a migration's 202 to `completed` (issue 14).

Starts the suite (Release build, gateway on :8080, --replicas instances of each service), sells one user two postpaid
accounts — fibre with a mobile, and a mobile-only one — activates the first mobile, then migrates it back and forth
between the two accounts --migrations times, one after the other: POST /subscriptions/{id}/migrations answers 202, and
GET /migrations/{id} is polled (every --poll seconds) until it is no longer pending. That time is Account's outbox →
RabbitMQ → Subscription's step → its confirmation → Account ending the saga. Prints the median, p90, p99 and the
maximum, and fails if one migration did not complete. Only talks to localhost. Stops the suite it started.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/migration_latency.py
"""
import argparse, os, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import request, sell, start_suite, wait_for  # noqa: E402
from sales import new_sale  # noqa: E402
from barring_latency import percentile  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--migrations", type=int, default=50)
    parser.add_argument("--poll", type=float, default=0.005)
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()

    with start_suite(f"--MasStack:Replicas={args.replicas}"):
        first = new_sale()
        a = sell(first)
        second = dict(first, bundleCode="MOBILE-POSTPAID", lines=[{"type": "mobile", "productCode": "MOBILE-50GB", "numberMode": "new"}])
        b = sell(second)
        line = next(s for s in a["subscriptions"] if s["type"] == "mobile")
        request("POST", f"/api/v1/sim-cards/{line['iccid']}/activation")
        wait_for(lambda: (request("GET", f"/api/v1/subscriptions/{line['subscriptionId']}")[1] or {}).get("status") == "active", 60, 0.05)

        latencies, accounts = [], [b["accountId"], a["accountId"]]
        for i in range(args.migrations):
            status, accepted = request("POST", f"/api/v1/subscriptions/{line['subscriptionId']}/migrations", {"targetAccountId": accounts[i % 2]})
            assert status == 202, (status, accepted)
            started = time.monotonic()
            _, done = wait_for(lambda: (lambda r: r if r[1] and r[1]["status"] != "pending" else None)(
                request("GET", f"/api/v1/migrations/{accepted['migrationId']}")), 60, args.poll)
            latencies.append((time.monotonic() - started) * 1000)
            assert done["status"] == "completed", done
            # the next one starts once Account's copy shows the line where it went (the saga's checks read that copy)
            wait_for(lambda: any(s["subscriptionId"] == line["subscriptionId"]
                                 for s in (request("GET", f"/api/v1/accounts/{accounts[i % 2]}")[1] or {}).get("subscriptions", [])), 30, args.poll)

        print(f"migration 202 -> completed, {len(latencies)} migrations one after the other, {args.replicas} instance(s) of each service:")
        print(f"  median {statistics.median(latencies):.1f} ms, p90 {percentile(latencies, 90):.1f} ms, "
              f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms")


if __name__ == "__main__":
    main()
