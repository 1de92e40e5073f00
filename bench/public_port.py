#!/usr/bin/env python3
"""What the public port costs (issue 8, item 17): wrk against http://localhost:8080 for GET /api/v1/master-data and a
user read (GET /api/v1/users/{id}) after one completed sale. Starts the suite (Release build), measures, stops it.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/public_port.py [--seconds 10]
"""
import argparse, os, re, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import GATEWAY, post_sale_and_wait, request, start_suite, wait_for  # noqa: E402
import credentials  # noqa: E402
from sales import new_sale  # noqa: E402


def wrk(path, seconds, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Authorization: Bearer " + credentials.bearer(), GATEWAY + path],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)  # the latency distribution's line, not a stdev column
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99, int(non2xx.group(1)) if non2xx else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with start_suite():
        post_sale_and_wait(timeout=180, retry_unavailable_for=180)  # every service up (slow on a busy machine)
        status, accepted = request("POST", "/api/v1/signups", new_sale())
        assert status == 202, status
        user = f"/api/v1/users/{accepted['userId']}"
        wait_for(lambda: request("GET", user)[0] == 200, 30)
        for name, path in (("master-data", "/api/v1/master-data"), ("user read", user)):
            wrk(path, 3, args.connections)  # warm-up
            rate, p99, errors = wrk(path, args.seconds, args.connections)
            print(f"{name:12} {rate:10.0f} req/s   p99 {p99:>8}   non-2xx {errors}")


if __name__ == "__main__":
    main()
