#!/usr/bin/env python3
"""Fault drill (issue 8, item 16): sales flow from a few clients while, one after another, a service instance is killed
with SIGKILL, PostgreSQL is stopped, RabbitMQ is stopped and Redis is stopped, each for --outage seconds and then
started again by this script (with the command line, environment and user the orchestrator gave it, so on the same port).
Every service runs as --replicas instances. A client posts each sale with an Idempotency-Key and, like a till, repeats it
(same key, same body) while the answer is no answer or 5xx, so a sale is either accepted once or refused.

Reported per fault, once every accepted sale has finished (or --settle seconds have passed):
  accepted   sales that got 202
  completed  ... whose signup reads `completed`
  failed     ... whose signup reads `failed`
  lost       ... whose signup is missing or still pending, or whose user, account or lines are missing at their owner
  duplicated sales (by their unique document number) with more than one signup, user or account
  refused    sales never accepted (the client gave up after --retry-for seconds of 5xx/no answer)

Usage: flock /tmp/masstack-bench.lock python3 bench/faults.py [--outage 10] [--clients 4] [--replicas 2] [--faults kill9,postgres,rabbitmq,redis]
       (run `dotnet build MasStack.Aspire.sln -c Release` first; starts and stops its own suite on localhost:8080, with the
       infrastructure as local processes, since the faults are done to processes)
"""
import argparse, json, os, signal, subprocess, sys, threading, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import GATEWAY, request, wait_for, start_suite, post_sale_and_wait  # noqa: E402
from sales import new_sale  # noqa: E402



# ---- processes: found through /proc, stopped, and started again as the orchestrator had started them ----

def read(path, binary=False):
    try:
        with open(path, "rb" if binary else "r") as f:
            return f.read()
    except OSError:
        return None


def processes():
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
        cmdline, environ, stat = read(f"/proc/{pid}/cmdline", True), read(f"/proc/{pid}/environ", True), read(f"/proc/{pid}/stat")
        if not cmdline or environ is None or stat is None:
            continue
        env = dict(e.split(b"=", 1) for e in environ.split(b"\0") if b"=" in e)
        yield {"pid": pid, "ppid": int(stat.rsplit(")", 1)[1].split()[1]),
               "argv": [a.decode() for a in cmdline.split(b"\0") if a],
               "env": {k.decode(): v.decode(errors="replace") for k, v in env.items()}}


def process_tree(matches, is_root=lambda p: True):
    """The processes matching, and which of them is the root (its parent does not match): the one the orchestrator started."""
    found = [p for p in processes() if matches(p)]
    pids = {p["pid"] for p in found}
    roots = [p for p in found if p["ppid"] not in pids and is_root(p)]
    if len(roots) != 1:
        raise RuntimeError(f"expected one process, found {[(p['pid'], p['argv'][:3]) for p in roots]}")
    return roots[0], found


def cwd_of(pid):
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def service_instance(name, broker_port):
    """
    The service's own process in this suite (other suites may run on the machine: this one's services talk to this
    one's broker), not the `dotnet run` that the orchestrator may have started it through.
    """
    return lambda p: (p["env"].get("OTEL_SERVICE_NAME") == name and f":{broker_port}" in p["env"].get("ConnectionStrings__rabbitmq", "")
                      and p["argv"][1:2] != ["run"])


def postgres(data_dir):
    return lambda p: p["argv"][0].endswith("postgres") and any(data_dir in a for a in p["argv"])


def rabbitmq(data_dir):
    """Every process of the node (the script, the VM, its helpers): all must be gone before it is started again."""
    return lambda p: data_dir in p["env"].get("RABBITMQ_MNESIA_BASE", "")


def rabbitmq_script(p):
    return any(a.endswith("rabbitmq-server") for a in p["argv"])


def redis(data_dir):
    return lambda p: "redis-server" in p["argv"][0] and cwd_of(p["pid"]).startswith(data_dir)


def same_command(root, cwd):
    return root["argv"]


def rabbitmq_command(root, cwd):
    return ["/usr/lib/rabbitmq/bin/rabbitmq-server"]  # the script the AppHost runs (its process may be the VM it exec'd)


def redis_command(root, cwd):
    """redis-server rewrites its process title to "redis-server host:port": the AppHost's arguments, restated."""
    executable, address = root["argv"][0].split()[0], root["argv"][0].split()[-1]
    return [executable, "--port", address.rsplit(":", 1)[1], "--bind", "127.0.0.1", "--dir", cwd, "--save", "", "--appendonly", "no"]


def alive(pid):
    stat = read(f"/proc/{pid}/stat")
    return stat is not None and stat.rsplit(")", 1)[1].split()[0] != "Z"


class Restarter:
    """Stops a process (and what it started) and starts it again; what it started itself it stops at the end."""

    def __init__(self, data_dir):
        self.data_dir, self.started = data_dir, []

    def restart(self, matches, stop_signal, outage, command=same_command, is_root=lambda p: True):
        root, tree = process_tree(matches, is_root)
        owner = os.stat(f"/proc/{root['pid']}")
        cwd = cwd_of(root["pid"])
        argv = command(root, cwd)
        os.kill(root["pid"], stop_signal)
        try:
            wait_for(lambda: not any(alive(p["pid"]) for p in tree), 60, poll=0.1)
        except TimeoutError:
            for p in tree:
                if alive(p["pid"]):
                    os.kill(p["pid"], signal.SIGKILL)
        time.sleep(outage)  # the outage itself: how long the part stays down

        def as_owner():
            if owner.st_uid != os.getuid():
                os.setgid(owner.st_gid)
                os.setuid(owner.st_uid)
        log = open(os.path.join(self.data_dir, f"restarted-{root['pid']}.log"), "w")
        self.started.append(subprocess.Popen(argv, env=root["env"], cwd=cwd, preexec_fn=as_owner,
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def stop_all(self):
        for process in self.started:
            try:
                os.killpg(process.pid, signal.SIGINT if "postgres" in process.args[0] else signal.SIGTERM)
                process.wait(timeout=60)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)


# ---- the stream of sales ----

def post(path, body, key, timeout=15):
    req = urllib.request.Request(GATEWAY + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Idempotency-Key": key})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, None


def sell(retry_for):
    """One sale as a till posts it: repeated with the same key while there is no answer or a 5xx."""
    sale, key = new_sale(), os.urandom(16).hex()
    deadline = time.monotonic() + retry_for
    while True:
        status, body = post("/api/v1/signups", sale, key)
        if status == 202:
            return {"dni": sale["customer"]["documentNumber"], "accepted": body}
        if (status != 0 and status < 500) or time.monotonic() > deadline:
            return {"dni": sale["customer"]["documentNumber"], "refused": status}
        time.sleep(0.5)


def stream(stop, outcomes, lock, retry_for):
    while not stop.is_set():
        outcome = sell(retry_for)
        with lock:
            outcomes.append(outcome)


# ---- the ledger, checked at the owners ----

def database(env, service):
    """psql arguments for a service's database, from the connection string the orchestrator gave the service."""
    parts = dict(kv.split("=", 1) for kv in env[f"ConnectionStrings__{service}db"].split(";") if "=" in kv)
    keys = {"Host": "host", "Port": "port", "Username": "user", "Password": "password", "Database": "dbname"}
    return " ".join(f"{keys[k]}={v}" for k, v in parts.items() if k in keys)


def query(conninfo, sql):
    out = subprocess.run(["psql", conninfo, "-At", "-c", sql], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return [line.split("|") for line in out.stdout.splitlines() if line]


def settle(sales, seconds):
    """Waits until no accepted sale is pending (or the time is up); returns each signup's final status (None: not found)."""
    deadline, status = time.monotonic() + seconds, {}
    pending = [s["accepted"]["signupId"] for s in sales]
    while pending and time.monotonic() < deadline:
        still = []
        for signup_id in pending:
            code, body = request("GET", f"/api/v1/signups/{signup_id}")
            status[signup_id] = body["status"] if code == 200 and body else (None if code == 404 else "pending")
            if status[signup_id] == "pending":
                still.append(signup_id)
        pending = still
        if pending:
            time.sleep(1)
    return status


def report(name, outcomes, status, envs):
    accepted = [o for o in outcomes if "accepted" in o]
    ids = lambda key: ",".join(str(o["accepted"][key]) for o in accepted) or "0"
    dnis = ",".join(f"'{o['dni']}'" for o in outcomes) or "''"
    present = {}
    for service, table, key in [("customer", "users", "userId"), ("account", "accounts", "accountId")]:
        present[key] = {int(r[0]) for r in query(envs[service], f"SELECT id FROM {table} WHERE id IN ({ids(key)})")}
    lines = [s["subscriptionId"] for o in accepted for s in o["accepted"]["subscriptions"]]
    present["lines"] = {int(r[0]) for r in query(envs["subscription"], f"SELECT id FROM subscriptions WHERE id IN ({','.join(map(str, lines)) or '0'})")}
    completed = [o for o in accepted if status.get(o["accepted"]["signupId"]) == "completed"]
    failed = [o for o in accepted if status.get(o["accepted"]["signupId"]) == "failed"]
    lost = [o for o in accepted if status.get(o["accepted"]["signupId"]) not in ("completed", "failed")]
    lost += [o for o in completed if o["accepted"]["userId"] not in present["userId"] or o["accepted"]["accountId"] not in present["accountId"]
             or any(s["subscriptionId"] not in present["lines"] for s in o["accepted"]["subscriptions"])]
    duplicated = set()
    for service, sql in [("signup", f"SELECT document_number FROM signups WHERE document_number IN ({dnis}) GROUP BY 1 HAVING count(*) > 1"),
                         ("customer", f"SELECT document_number FROM users WHERE document_number IN ({dnis}) GROUP BY 1 HAVING count(*) > 1")]:
        duplicated |= {r[0] for r in query(envs[service], sql)}
    return (name, len(accepted), len(completed), len(failed), len(lost), len(duplicated), len(outcomes) - len(accepted))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--outage", type=float, default=10, help="seconds each part stays down")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--before", type=float, default=5, help="seconds of sales before each fault")
    parser.add_argument("--after", type=float, default=10, help="seconds of sales after the part is back")
    parser.add_argument("--retry-for", type=float, default=60, help="how long a client repeats an unanswered sale")
    parser.add_argument("--settle", type=float, default=420, help="how long to wait for accepted sales to finish")
    parser.add_argument("--service", default="signup", help="the service one instance of which is killed")
    parser.add_argument("--faults", default="kill9,postgres,rabbitmq,redis")
    args = parser.parse_args()

    with start_suite(f"--MasStack:Replicas={args.replicas}", "--MasStack:Infrastructure=local") as data_dir:
        restarter = Restarter(data_dir)
        try:
            post_sale_and_wait(timeout=180, retry_unavailable_for=300)  # every service up and consuming (slow with two of each)
            broker_port = process_tree(rabbitmq(data_dir), rabbitmq_script)[0]["env"]["RABBITMQ_NODE_PORT"]
            faults = {
                "kill9": (f"kill -9 {args.service}", lambda: restarter.restart(service_instance(args.service, broker_port), signal.SIGKILL, args.outage)),
                "postgres": ("PostgreSQL restart", lambda: restarter.restart(postgres(data_dir), signal.SIGINT, args.outage)),
                "rabbitmq": ("RabbitMQ restart", lambda: restarter.restart(rabbitmq(data_dir), signal.SIGTERM, args.outage, rabbitmq_command, rabbitmq_script)),
                "redis": ("Redis restart", lambda: restarter.restart(redis(data_dir), signal.SIGTERM, args.outage, redis_command)),
            }
            phases = []
            for fault in args.faults.split(","):
                name, inject = faults[fault]
                stop, lock, outcomes = threading.Event(), threading.Lock(), []
                clients = [threading.Thread(target=stream, args=(stop, outcomes, lock, args.retry_for), daemon=True) for _ in range(args.clients)]
                for c in clients:
                    c.start()
                time.sleep(args.before)
                inject()
                print(f"{name}: down {args.outage:.0f} s, started again", flush=True)
                time.sleep(args.after)
                stop.set()
                for c in clients:
                    c.join()
                phases.append((name, outcomes))
                # the next fault starts only once every service answers again
                post_sale_and_wait(timeout=180, retry_unavailable_for=180)

            running = [p for p in processes() if p["env"].get("OTEL_SERVICE_NAME") and f":{broker_port}" in p["env"].get("ConnectionStrings__rabbitmq", "")
                       and p["argv"][1:2] != ["run"]]
            names = {p["env"]["OTEL_SERVICE_NAME"] for p in running}
            gone = [i for s in ("signup", "customer", "account", "subscription", "billing", "barring", "consumption")
                    for i in ([s] + [f"{s}-{n}" for n in range(2, args.replicas + 1)]) if i not in names]
            if gone:
                print(f"instances no longer running after the drill: {', '.join(gone)}", flush=True)
            envs = {s: database(next(p for p in running if p["env"]["OTEL_SERVICE_NAME"].split("-")[0] == s)["env"], s)
                    for s in ("signup", "customer", "account", "subscription")}
            all_accepted = [o for _, outcomes in phases for o in outcomes if "accepted" in o]
            status = settle(all_accepted, args.settle)
            rows = [report(name, outcomes, status, envs) for name, outcomes in phases]
        finally:
            restarter.stop_all()

    print(f"\n{args.replicas} instances of each service, {args.clients} clients, outages of {args.outage:.0f} s")
    header = ("fault", "accepted", "completed", "failed", "lost", "duplicated", "refused")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")
    sys.exit(1 if any(row[4] or row[5] for row in rows) else 0)


if __name__ == "__main__":
    main()
