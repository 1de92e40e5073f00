"""Running the suite for a benchmark and talking to its gateway: shared by the scripts in bench/."""
import contextlib, json, os, shutil, signal, socket, subprocess, tempfile, time, urllib.request, urllib.error

from sales import new_sale
import credentials  # every urllib call to the gateway carries a bearer token (credentials.py)

GATEWAY = "http://localhost:8080"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def request(method, path, body=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(GATEWAY + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            body = response.read()
            is_json = "json" in (response.headers.get("Content-Type") or "")
            return response.status, json.loads(body) if is_json and body else body
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


def wait_for(condition, timeout, poll=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise TimeoutError("condition not met in %ss" % timeout)


def post_sale_and_wait(timeout=30, retry_unavailable_for=0):
    deadline = time.monotonic() + retry_unavailable_for
    while True:
        status, accepted = request("POST", "/api/v1/signups", new_sale())
        if status == 202 or status not in (0, 503) or time.monotonic() > deadline:
            break
        time.sleep(0.1)  # the service is still starting: the gateway answered 503
    assert status == 202, status
    started = time.monotonic()
    signup_id = accepted["signupId"]
    final = wait_for(lambda: (lambda s: s if s[1] and s[1]["status"] != "pending" else None)(request("GET", f"/api/v1/signups/{signup_id}")), timeout, poll=0.005)
    assert final[1]["status"] == "completed", final
    return time.monotonic() - started


def sell(sale=None):
    """Posts a sale (retrying while the suite is still starting) and waits until it completed; returns its 202 body."""
    status, accepted = wait_for(lambda: (lambda r: r if r[0] == 202 else None)(request("POST", "/api/v1/signups", sale or new_sale())), 120, 0.2)
    wait_for(lambda: (request("GET", f"/api/v1/signups/{accepted['signupId']}")[1] or {}).get("status") == "completed", 120, 0.05)
    return accepted


def suite_process(data_dir, executable):
    """The pid and command line of the process of the suite at data_dir that runs executable (its file name), e.g. the
    PostgreSQL server or the broker's Erlang VM: the first whose command line names that folder."""
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except OSError:
            continue
        if args and os.path.basename(args[0]) == executable and any(data_dir in a for a in args):
            return pid, args
    raise RuntimeError(f"no {executable} of the suite in {data_dir} found")


# The suite's services: each a process MasStack.{name} (cpu_per_sale.py groups its CPU by them).
SERVICES = ("Signup", "Customer", "Account", "Subscription", "Billing", "Barring", "Consumption", "Notifications", "Identity")


def services_ready(data_dir):
    """Whether every instance of every service of the suite at data_dir (its environment names the folder: its database's
    socket is there) answers its own /health with 200: schema migrated, database, Redis and broker reachable, consumers'
    queues bound. The gateway answers before they do, and a sale it takes on a new broker before every subscriber has bound
    its queue loses the events RabbitMQ had nowhere to route (the sale fails at the saga's timeout, 5 minutes later)."""
    ports = {}
    for line in subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout.splitlines():
        for pid in (int(p.split(",")[0]) for p in line.split("pid=")[1:]):
            ports.setdefault(pid, line.split()[3].rsplit(":", 1)[1])
    found = set()
    for pid, port in ports.items():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                executable = os.path.basename(f.read().split(b"\0")[0].decode())
            with open(f"/proc/{pid}/environ", "rb") as f:
                ours = data_dir.encode() in f.read()
        except OSError:
            continue
        service = executable.removeprefix("MasStack.")
        if service not in SERVICES or not ours:
            continue
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
                if response.status != 200:
                    return False
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False
        found.add(service)
    return found == set(SERVICES)


def gateway_port_free():
    with socket.socket() as probe:
        return probe.connect_ex(("localhost", 8080)) != 0


def add_trace_ratio_argument(parser):
    """--trace-ratio: the share of traces the suite records (OTEL_TRACES_SAMPLER_ARG, decided where a trace starts and
    followed by every span beneath). A CPU bench records one sale in ten, as a deployment under load would; the AppHost
    records every trace unless told otherwise."""
    parser.add_argument("--trace-ratio", type=float, default=0.1,
                        help="share of traces recorded (OTEL_TRACES_SAMPLER_ARG; default 0.1; 1 records every sale)")


@contextlib.contextmanager
def start_suite(*apphost_args, trace_ratio=None, root=ROOT, env=None):
    """Runs the built AppHost of the repository at root (this one unless told) on the fixed ports (8080 …) with a fresh
    data folder (given to the block), until the block ends; env: variables for the AppHost, which passes the runtime's
    and telemetry's on to every project (its diagnostics list).
    It starts only once no gateway answers on 8080, and returns only once its own gateway has gone: the orchestrator
    stops the services after the AppHost exits, and a script that started meanwhile took the old suite's gateway for its
    own (its first sale, accepted by a suite on its way down, never completed)."""
    wait_for(gateway_port_free, 180, poll=0.5)
    data_dir = tempfile.mkdtemp(prefix="masstack-bench-", dir="/var/tmp")
    os.chmod(data_dir, 0o755)
    log = open(os.path.join(data_dir, "apphost.log"), "w")
    # The dashboard keeps this run's telemetry for the run only: by default under an AppHost it keeps its last ten runs
    # on disk (~/.aspire/dashboard), about 200 MB each after a bench's few hundred sales.
    # An arm's own OTEL_TRACES_SAMPLER_ARG (bench/ab_runs.py) wins over trace_ratio.
    ratio = {} if trace_ratio is None else {"OTEL_TRACES_SAMPLER_ARG": str(trace_ratio)}
    env = {"ASPIRE_DASHBOARD_PERSISTENCE_MODE": "None", **os.environ, **ratio, **(env or {})}
    apphost = subprocess.Popen(
        ["dotnet", "run", "--project", "AppHost", "-c", "Release", "--no-build", "--launch-profile", "http", "--",
         f"--MasStack:DataDir={data_dir}", *credentials.apphost_args(), *apphost_args],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    failed = False
    credentials.forget()
    try:
        wait_for(lambda: request("GET", "/health")[0] == 200, 180, poll=0.1)
        wait_for(lambda: services_ready(data_dir), 180, poll=0.5)
        yield data_dir
    except BaseException:
        failed = True
        raise
    finally:
        os.killpg(apphost.pid, signal.SIGTERM)
        apphost.wait(timeout=60)
        wait_for(gateway_port_free, 180, poll=0.5)
        # The data folder (about 200 MB: the databases, the broker's, apphost.log) is kept only when the run failed.
        if not failed:
            shutil.rmtree(data_dir, ignore_errors=True)
