#!/usr/bin/env python3
"""What the gateway's security costs (issue 15): in one run, wrk against the same two Signup routes — GET /api/v1/master-data
(answered from memory) and GET /api/v1/signups/{id} (read from PostgreSQL) — three ways: the service directly, through a
bare YARP proxy with no middleware (bench/BareProxy, built here), and through our gateway with a valid token
(authentication, authorization, rate limiting, telemetry on). Prints requests/s and p99 of each and the ratio
gateway / bare YARP (goal: >= 0.95).

    dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/gateway.py [--seconds 10] [--connections 16]

Starts and stops its own suite (one instance of each service, gateway on :8080); the bare proxy listens on :8090.
"""
import argparse, os, re, signal, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import GATEWAY, ROOT, request, start_suite, wait_for  # noqa: E402
from sales import new_sale  # noqa: E402
import credentials  # noqa: E402

BARE = "http://127.0.0.1:8090"


def wrk(url, seconds, connections, token):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Authorization: Bearer " + token, url],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99, int(non2xx.group(1)) if non2xx else 0


def port_of(project):
    """The TCP port the process running <project> (e.g. MasStack.Signup) listens on."""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        for pid in re.findall(r"pid=(\d+)", line):
            try:
                cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
            except OSError:
                continue
            if project in cmdline and "dotnet\x00run" not in cmdline:
                return int(re.search(r":(\d+)\s", line.split()[3] + " ").group(1))
    raise RuntimeError(f"no listening process for {project}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    subprocess.run(["dotnet", "build", "bench/BareProxy/BareProxy.csproj", "-c", "Release", "-nologo", "-v", "q"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    with start_suite("--MasStack:Replicas=1"):
        # The gateway answers before the services do: the sale is retried while Signup is still starting (503).
        status, accepted = wait_for(lambda: (lambda r: r if r[0] not in (0, 503) else None)(request("POST", "/api/v1/signups", new_sale())), 180, poll=0.5)
        assert status == 202, status
        signup = f"/api/v1/signups/{accepted['signupId']}"
        wait_for(lambda: request("GET", signup)[0] == 200, 30)
        service = f"http://127.0.0.1:{port_of('MasStack.Signup')}"
        bare = subprocess.Popen(["dotnet", "bench/BareProxy/bin/Release/net10.0/BareProxy.dll", "--urls", BARE, "--Destination", service],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(lambda: request_status(BARE + "/health") == 200, 60, poll=0.2)
            token = credentials.bearer()
            results = {}
            for route, path in (("in memory", "/api/v1/master-data"), ("PostgreSQL", signup)):
                for name, base in (("service", service), ("bare YARP", BARE), ("gateway", GATEWAY)):
                    wrk(base + path, 3, args.connections, token)  # warm-up
                    results[route, name] = wrk(base + path, args.seconds, args.connections, token)
                    rate, p99, bad = results[route, name]
                    print(f"{route:10}  {name:9}  {rate:9.0f} req/s  p99 {p99:>8}  non-2xx {bad}", flush=True)
                ratio = results[route, "gateway"][0] / results[route, "bare YARP"][0]
                print(f"{route:10}  gateway / bare YARP: {ratio:.2f} (goal >= 0.95)", flush=True)
        finally:
            os.killpg(bare.pid, signal.SIGTERM)
            bare.wait(timeout=30)


def request_status(url):
    import urllib.request, urllib.error
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return 0


if __name__ == "__main__":
    main()
