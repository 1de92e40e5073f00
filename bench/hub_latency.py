#!/usr/bin/env python3
"""From an event committed to its callback receiving it, through the event hub (issue 16).

Starts the suite (Release build, gateway on :8080, --replicas instances of each service) with the webhook receiver
simulator on a free port, sells one sale and registers a callback (POST /hub) at the receiver for the barring changes of
its mobile line. Then makes --changes barring changes, one after the other: PATCH /subscriptions/{id}/barrings alternately
sets and lifts the customer's roaming barring, and the receiver is polled until it has the delivery. Each latency is the
delivery's arrival at the receiver minus the event's time (`eventTime`: when Barring committed the change, the same
clock): Barring's outbox → RabbitMQ → the hub's inbox and delivery row → the dispatcher → a signed POST. Prints the
median, p90, p99 and the maximum. Only talks to localhost. Stops the suite it started.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/hub_latency.py
"""
import argparse, datetime, json, os, socket, statistics, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import GATEWAY, request, sell, start_suite, wait_for  # noqa: E402
from barring_latency import patch, percentile  # noqa: E402


def free_port():
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def received(receiver, hook):
    with urllib.request.urlopen(f"{receiver}/hooks/{hook}", timeout=10) as response:
        return json.loads(response.read())["deliveries"]


def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--poll", type=float, default=0.005)
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()

    port = free_port()
    receiver = f"http://localhost:{port}"
    with start_suite(f"--MasStack:Replicas={args.replicas}", "--MasStack:HubTestReceiver=true", f"--MasStack:HubTestReceiverPort={port}"):
        accepted = sell()
        line = next(s["subscriptionId"] for s in accepted["subscriptions"] if s["type"] == "mobile")
        hook = f"bench-{int(time.time())}"
        status, registration = wait_for(lambda: (lambda r: r if r[0] == 201 else None)(request("POST", "/api/v1/hub", {
            "callback": f"{receiver}/hooks/{hook}",
            "query": f"eventType=SubscriptionBarringChangedEvent&subscriptionId={line}"})), 60, 0.2)
        etag = urllib.request.urlopen(f"{GATEWAY}/api/v1/subscriptions/{line}/barrings", timeout=30).headers["ETag"]

        latencies = []
        for i in range(args.changes):
            etag = patch(line, etag, "set" if i % 2 == 0 else "lift")
            delivery = wait_for(lambda: (lambda d: d[i] if len(d) > i else None)(received(receiver, hook)), 60, args.poll)
            event_time = instant(json.loads(delivery["body"])["eventTime"])
            latencies.append((instant(delivery["receivedAt"]) - event_time).total_seconds() * 1000)
        request("DELETE", f"/api/v1/hub/{registration['id']}")

        print(f"event committed (eventTime) -> callback received, {len(latencies)} barring changes, "
              f"{args.replicas} instance(s) of each service:")
        print(f"  median {statistics.median(latencies):.1f} ms, p90 {percentile(latencies, 90):.1f} ms, "
              f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms")


if __name__ == "__main__":
    main()
