"""A bearer token for the benchmarks' calls to the gateway (every /api/v1 route needs one since issue 15).

Importing this module is enough for urllib: it installs an opener that puts `Authorization: Bearer …` on every request
to the gateway (except the token endpoint itself), fetching a token from POST /connect/token once and renewing it a
minute before it expires. Other clients (http.client, wrk) take `auth_header()` / `bearer()`.

Whose token: a suite started by suite.start_suite gets a benchmark-only client, `bench`, with every scope and a limit
far above any benchmark's rate (`apphost_args()`, a fresh secret each run). Against a suite you started yourself
(./run.sh), set MASSTACK_CLIENT_ID and MASSTACK_CLIENT_SECRET (e.g. care and the development secret ./run.sh prints).
"""
import json, os, secrets, threading, time, urllib.parse, urllib.request

GATEWAY = os.environ.get("MASSTACK_GATEWAY", "http://localhost:8080")
CLIENT_ID = os.environ.get("MASSTACK_CLIENT_ID", "bench")
CLIENT_SECRET = os.environ.get("MASSTACK_CLIENT_SECRET") or secrets.token_hex(24)
SCOPES = "sales customers accounts subscriptions billing operations barrings consumption usage-feed events operator sim-swap:retrieve-date sim-swap:check"

_lock = threading.Lock()
_token, _renew_at = None, 0.0


def apphost_args():
    """The AppHost arguments that create the `bench` client for a suite this process starts."""
    if CLIENT_ID != "bench":
        return []
    prefix = f"--MasStack:Clients:{CLIENT_ID}"
    return [f"{prefix}:Scopes={SCOPES}", f"{prefix}:Secret={CLIENT_SECRET}",
            f"{prefix}:RateLimit:TokenLimit=10000000", f"{prefix}:RateLimit:TokensPerPeriod=10000000"]


def bearer():
    """A valid access token (cached; renewed a minute before it expires)."""
    global _token, _renew_at
    with _lock:
        if _token is None or time.monotonic() > _renew_at:
            form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}).encode()
            req = urllib.request.Request(GATEWAY + "/connect/token", data=form, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            with urllib.request.urlopen(req, timeout=30) as response:
                body = json.loads(response.read())
            _token, _renew_at = body["access_token"], time.monotonic() + body["expires_in"] - 60
        return _token


def forget():
    """Drops the token held: a suite started again has an authority with signing keys of its own."""
    global _token
    with _lock:
        _token = None


def auth_header():
    return {"Authorization": "Bearer " + bearer()}


class _Bearer(urllib.request.BaseHandler):
    handler_order = 100

    def http_request(self, req):
        if req.full_url.startswith(GATEWAY) and not req.selector.startswith("/connect/") and not req.has_header("Authorization"):
            req.add_unredirected_header("Authorization", "Bearer " + bearer())
        return req


urllib.request.install_opener(urllib.request.build_opener(_Bearer()))
