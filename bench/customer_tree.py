#!/usr/bin/env python3
"""GET /customer-tree through the gateway under steady concurrent load, cached and uncached (issue 4).

Starts the suite (Release build, gateway on :8080), makes --users sales, then:
  1. cached: wrk (keep-alive, --connections, up to 2 threads) for --seconds over every user's lookups — by email,
     msisdn (in its three spellings), documentNumber and /users/{id}/tree — each read once before, so cached;
  2. the same cached load from this script's own client (threads over keep-alive connections), for comparison;
  3. uncached: the same client, but before each timed request the user's cached tree and lookup keys are deleted
     in Redis (outside the timed window), so every timed request rebuilds the tree from PostgreSQL.
Prints requests/s, p50 and p99 for each. Only talks to localhost. Stops the suite it started.

Usage: dotnet build MasStack.Aspire.sln -c Release && flock /tmp/masstack-heavy.lock python3 bench/customer_tree.py
"""
import argparse, concurrent.futures, http.client, os, random, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sales import new_sale  # noqa: E402
from suite import wait_for  # noqa: E402
import credentials  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST, PORT = "localhost", 8080


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection to the gateway."""

    def __init__(self):
        self.connection = http.client.HTTPConnection(HOST, PORT, timeout=30)

    def request(self, method, path, body=None):
        import json
        headers = {"Content-Type": "application/json"} if body is not None else {}
        try:
            if path != "/health":
                headers.update(credentials.auth_header())
            self.connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
            return response.status, (json.loads(data) if data and "json" in (response.headers.get("Content-Type") or "") else None)
        except (ConnectionError, http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
            return 0, None


class Redis:
    """Just enough RESP to delete keys."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rb")

    def delete(self, *keys):
        parts = [b"DEL", *(k.encode() for k in keys)]
        self.sock.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
        return self.file.readline()


def sell(_):
    client = Client()
    deadline = time.monotonic() + 180
    while True:
        sale = new_sale()
        status, accepted = client.request("POST", "/api/v1/signups", sale)
        if status == 202:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"sale refused: {status}")
        time.sleep(0.2)
    signup = wait_for(lambda: (lambda s: s if (s or {}).get("status") == "completed" else None)(
        client.request("GET", f"/api/v1/signups/{accepted['signupId']}")[1]), 120, 0.1)
    # An online sale takes its number from stock: the signup says which (E.164), the lookups use the national form.
    mobile = next(line["number"] for line in signup["subscriptions"] if line["type"] == "mobile").removeprefix("+34")
    user_id = accepted["userId"]
    email, document = sale["customer"]["email"], sale["customer"]["documentNumber"]
    paths = [f"/api/v1/users/{user_id}/tree",
             "/api/v1/customer-tree?email=" + urllib.parse.quote(email),
             f"/api/v1/customer-tree?documentNumber={document}",
             f"/api/v1/customer-tree?msisdn={mobile}",
             f"/api/v1/customer-tree?msisdn=%2B34{mobile}",
             f"/api/v1/customer-tree?msisdn=0034{mobile}"]
    keys = [f"customer:tree:{user_id}", f"customer:lookup:email:{email}", f"customer:lookup:documentnumber:{document}",
            f"customer:lookup:msisdn:+34{mobile}"]
    return paths, keys


def percentile(sorted_ms, q):
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


def run_wrk(paths, seconds, connections):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write("local paths = {" + ",".join('"%s"' % p for p in paths) + "}\n"
                 "local i = math.random(#paths)\n"
                 "request = function() i = i % #paths + 1; return wrk.format('GET', paths[i]) end\n")
    script.close()
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Authorization: Bearer " + credentials.bearer(), "-s", script.name, f"http://{HOST}:{PORT}"],
                         capture_output=True, text=True).stdout
    os.unlink(script.name)
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    lat = {q: float(v) * unit[u] for q, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, lat["50"], lat["99"], int(bad.group(1)) if bad else 0, out


def run_client(users, seconds, connections, redis_port, uncached):
    latencies, failures, lock = [], [0], threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        client, redis = Client(), Redis(redis_port) if uncached else None
        mine, bad = [], 0
        while time.monotonic() < stop:
            paths, keys = random.choice(users)
            if redis:
                redis.delete(*keys)
            path = random.choice(paths)
            started = time.perf_counter()
            status, _ = client.request("GET", path)
            mine.append((time.perf_counter() - started) * 1000)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return len(latencies) / elapsed, percentile(latencies, 0.50), percentile(latencies, 0.99), failures[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--client-connections", type=int, default=8)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="masstack-bench-", dir="/var/tmp")
    os.chmod(data_dir, 0o755)
    redis_port = free_port()
    log = open(os.path.join(data_dir, "apphost.log"), "w")
    apphost = subprocess.Popen(
        ["dotnet", "run", "--project", "AppHost", "-c", "Release", "--no-build", "--launch-profile", "http", "--",
         f"--MasStack:DataDir={data_dir}", f"--MasStack:Ports:Redis={redis_port}", *credentials.apphost_args()],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: Client().request("GET", "/health")[0] == 200, 180, 0.2)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            users = list(pool.map(sell, range(args.users)))
        paths = [p for user_paths, _ in users for p in user_paths]
        warm = Client()
        for path in paths:
            assert warm.request("GET", path)[0] == 200, path

        print(f"load average before: {os.getloadavg()[0]:.1f}; {args.users} users, {len(paths)} lookups (user id, email, document, msisdn in three spellings); "
              f"{os.cpu_count()} cores; gateway -> customer -> Redis/PostgreSQL")
        rps, p50, p99, bad, _ = run_wrk(paths, args.seconds, args.connections)
        print(f"cached,   wrk {args.connections} connections:    {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  non-200: {bad}")
        rps, p50, p99, bad = run_client(users, args.seconds, args.client_connections, redis_port, uncached=False)
        print(f"cached,   python {args.client_connections} connections: {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  non-200: {bad}")
        rps, p50, p99, bad = run_client(users, args.seconds, args.client_connections, redis_port, uncached=True)
        print(f"uncached, python {args.client_connections} connections: {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  non-200: {bad}")
    finally:
        os.killpg(apphost.pid, signal.SIGTERM)
        apphost.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
