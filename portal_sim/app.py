"""The Netlife portal API as a plain ASGI app, with injectable latency, rate limit and faults.

A hand-rolled router instead of FastAPI routes keeps one uvicorn worker well
above 1,000 requests/s (the simulator must never be the benchmark's bottleneck).
Portal `P` is served under `/P/api/v1/...`; control endpoints live under `/_sim/`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import re
import time
from collections import defaultdict, deque
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qs

from portal_sim.data import World

DEFAULT_USERNAME = "sim"
DEFAULT_PASSWORD = "sim-password"
FAULT_KINDS = ("5xx", "malformed", "reset", "slow")
ENDPOINTS = ("activities", "job", "subjects", "users", "accesskeys", "user")

_ROUTES = [
    (re.compile(r"^activities/search$"), "activities"),
    (re.compile(r"^jobs/(?P<job>[^/]+)$"), "job"),
    (re.compile(r"^jobs/(?P<job>[^/]+)/subjects$"), "subjects"),
    (re.compile(r"^jobs/(?P<job>[^/]+)/users$"), "users"),
    (re.compile(r"^jobs/(?P<job>[^/]+)/subjects/(?P<subject>[^/]+)/accesskeys$"), "accesskeys"),
    (re.compile(r"^users/(?P<user>[^/]+)$"), "user"),
]


@dataclass
class Knobs:
    """Behaviour settable at start and changeable while running (PATCH /_sim/knobs)."""

    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0  # uniform extra delay in [0, jitter]
    rate_limit_per_sec: float | None = None  # per portal; 429 + Retry-After beyond it
    max_in_flight: int | None = None  # per portal; 429 beyond it
    page_size: int | None = None  # paginate activities and subject lists when set
    users_page_size: int = 25  # /users always paginates
    slow_seconds: float = 35.0  # how long a "slow" fault stalls (beyond a 30 s client timeout)
    fault_seed: int = 0
    # endpoint name (or "*") -> {fault kind: share of requests}
    faults: dict[str, dict[str, float]] = field(default_factory=dict)

    def update(self, changes: dict) -> None:
        for name, value in changes.items():
            if name not in self.__dataclass_fields__:
                raise ValueError(f"unknown knob {name!r}")
            if name == "faults":
                _check_faults(value)
            setattr(self, name, value)


def _check_faults(faults: dict) -> None:
    for endpoint, kinds in faults.items():
        if endpoint != "*" and endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {ENDPOINTS} or '*'")
        for kind in kinds:
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; one of {FAULT_KINDS}")


class Stats:
    """Request counters, readable at GET /_sim/stats and reset by POST /_sim/stats/reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.by_portal: dict[str, int] = defaultdict(int)
        self.by_job: dict[str, int] = defaultdict(int)
        self.faults: dict[str, int] = defaultdict(int)
        self.rate_limited = 0
        self.peak_in_flight = 0
        self.total = 0

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "requests": {e: dict(s) for e, s in self.requests.items()},
            "by_portal": dict(self.by_portal),
            "by_job": dict(self.by_job),
            "faults": dict(self.faults),
            "rate_limited": self.rate_limited,
            "peak_in_flight": self.peak_in_flight,
        }


class _Reset(Exception):
    """Raised to drop the connection mid-answer."""


class PortalSimulator:
    """ASGI app serving every portal of a generated `World`."""

    def __init__(self, world: World, knobs: Knobs | None = None,
                 username: str = DEFAULT_USERNAME, password: str = DEFAULT_PASSWORD):
        self.world = world
        self.knobs = knobs or Knobs()
        self.stats = Stats()
        self._auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self._fail_next: dict[str, list] = {}  # job uuid -> [remaining, kind]
        self._windows: dict[str, deque] = defaultdict(deque)  # portal -> accepted request times
        self._in_flight: dict[str, int] = defaultdict(int)
        self._in_flight_total = 0
        self._rng = random.Random(self.knobs.fault_seed)

    # ---- control -----------------------------------------------------------------
    def fail_next(self, job: str, count: int, kind: str = "5xx") -> None:
        """Make the next `count` requests touching `job` fail with `kind` (count 0 clears)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if count <= 0:
            self._fail_next.pop(job, None)
        else:
            self._fail_next[job] = [count, kind]

    def reset_stats(self) -> None:
        self.stats.reset()

    def reset(self, knobs: Knobs | None = None) -> None:
        """Back to a fresh start: new knobs, no armed faults, empty rate windows, zero stats."""
        self.knobs = knobs or Knobs()
        self._fail_next.clear()
        self._windows.clear()
        self._rng = random.Random(self.knobs.fault_seed)
        self.stats.reset()

    # ---- ASGI ---------------------------------------------------------------------
    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        path = scope["path"]
        if path.startswith("/_sim/"):
            await self._control(scope, receive, send)
            return
        parts = path.lstrip("/").split("/", 3)
        if len(parts) < 4 or parts[1:3] != ["api", "v1"] or parts[0] not in self.world.portals:
            await _send(send, 404, {"error": "not found"})
            return
        portal, rest = parts[0], parts[3]
        for pattern, endpoint in _ROUTES:
            match = pattern.match(rest)
            if match:
                break
        else:
            await _send(send, 404, {"error": "not found"})
            return
        await self._api(scope, send, portal, endpoint, match.groupdict())

    async def _api(self, scope, send, portal: str, endpoint: str, ids: dict) -> None:
        st = self.stats
        st.total += 1
        st.by_portal[portal] += 1
        job = ids.get("job")
        if job:
            st.by_job[job] += 1
        self._in_flight[portal] += 1
        self._in_flight_total += 1
        st.peak_in_flight = max(st.peak_in_flight, self._in_flight_total)
        status = 500
        try:
            status = await self._answer(scope, send, portal, endpoint, ids)
        except _Reset:
            status = 0  # the connection was dropped
        finally:
            self._in_flight[portal] -= 1
            self._in_flight_total -= 1
            st.requests[endpoint][str(status)] += 1

    async def _answer(self, scope, send, portal, endpoint, ids) -> int:
        knobs = self.knobs
        if _header(scope, b"authorization") != self._auth:
            return await _send(send, 401, {"error": "unauthorized"}, [(b"www-authenticate", b'Basic realm="netlife"')])
        limited = self._rate_limited(portal)
        if limited:
            self.stats.rate_limited += 1
            await self._delay()
            return await _send(send, 429, {"error": "too many requests"}, [(b"retry-after", str(limited).encode())])
        fault = self._pick_fault(endpoint, ids.get("job"))
        if fault:
            self.stats.faults[fault] += 1
        await self._delay()
        if fault == "slow":
            await asyncio.sleep(knobs.slow_seconds)
        elif fault == "5xx":
            return await _send(send, self._rng.choice((500, 502, 503)), {"error": "upstream failure"})
        elif fault == "reset":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")]})
            await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
            raise _Reset()
        payload = self._payload(scope, portal, endpoint, ids)
        if payload is None:
            return await _send(send, 404, {"error": "not found"})
        if fault == "malformed":
            return await _send_raw(send, 200, b'{"data": [{"uuid": "trunc')
        return await _send(send, 200, payload)

    def _rate_limited(self, portal: str) -> int:
        """0 when the request may proceed, else the Retry-After seconds to answer with."""
        knobs = self.knobs
        if knobs.max_in_flight and self._in_flight[portal] > knobs.max_in_flight:
            return 1
        if not knobs.rate_limit_per_sec:
            return 0
        now = time.monotonic()
        window = self._windows[portal]
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= knobs.rate_limit_per_sec:
            return max(1, int(window[0] + 1.0 - now + 0.999))
        window.append(now)
        return 0

    def _pick_fault(self, endpoint: str, job: str | None) -> str | None:
        if job and job in self._fail_next:
            entry = self._fail_next[job]
            entry[0] -= 1
            if entry[0] <= 0:
                del self._fail_next[job]
            return entry[1]
        rates = self.knobs.faults.get(endpoint) or self.knobs.faults.get("*")
        if not rates:
            return None
        roll = self._rng.random()
        for kind in FAULT_KINDS:
            share = rates.get(kind, 0.0)
            if roll < share:
                return kind
            roll -= share
        return None

    async def _delay(self) -> None:
        knobs = self.knobs
        delay = knobs.latency_ms + (self._rng.uniform(0, knobs.latency_jitter_ms) if knobs.latency_jitter_ms else 0)
        if delay > 0:
            await asyncio.sleep(delay / 1000)

    # ---- payloads -----------------------------------------------------------------
    def _payload(self, scope, portal: str, endpoint: str, ids: dict):
        data = self.world.portals[portal]
        query = parse_qs(scope.get("query_string", b"").decode())
        page = int(query.get("page", ["1"])[0] or 1)
        base = f"/{portal}/api/v1"
        if endpoint == "activities":
            if query.get("status_id", [""])[0] != "in-webshop":
                return {"data": []}
            items, next_page = _page(data.activities, page, self.knobs.page_size)
            body = {"data": items}
            if next_page:  # activities use the top-level `next` variant, relative to the API root
                body["next"] = f"activities/search?status_id=in-webshop&page={next_page}"
            return body
        job = ids.get("job")
        if job is not None and job not in data.jobs:
            return None
        if endpoint == "job":
            details = data.jobs[job]
            return {"data": details} if int(job[-1], 16) % 2 == 0 else details
        if endpoint == "subjects":
            has_order = query.get("filter_has_order", [""])[0]
            if has_order not in ("true", "false"):
                return {"data": data.buyers[job] + data.non_buyers[job]}
            subjects = data.buyers[job] if has_order == "true" else data.non_buyers[job]
            items, next_page = _page(subjects, page, self.knobs.page_size)
            nxt = f"{base}/jobs/{job}/subjects?filter_has_order={has_order}&page={next_page}" if next_page else None
            return {"data": items, "meta": {"next": nxt}}
        if endpoint == "users":
            items, next_page = _page(data.job_users[job], page, self.knobs.users_page_size)
            nxt = None
            if next_page:  # /users pages give absolute URLs
                host = (_header(scope, b"host") or "127.0.0.1").strip()
                nxt = f"{scope.get('scheme', 'http')}://{host}{base}/jobs/{job}/users?page={next_page}"
            return {"data": items, "meta": {"next": nxt}}
        if endpoint == "accesskeys":
            subject = ids["subject"]
            if subject not in data.access_keys:
                return None
            return data.access_keys[subject]
        if endpoint == "user":
            user = data.users.get(ids["user"])
            return {"data": user} if user else None
        return None

    # ---- control endpoints --------------------------------------------------------
    async def _control(self, scope, receive, send) -> None:
        path, method = scope["path"], scope["method"]
        body = await _read_body(receive)
        try:
            if path == "/_sim/health":
                await _send(send, 200, {"status": "ok"})
            elif path == "/_sim/stats" and method == "GET":
                await _send(send, 200, self.stats.as_dict())
            elif path == "/_sim/stats/reset" and method == "POST":
                self.reset_stats()
                await _send(send, 200, {"status": "reset"})
            elif path == "/_sim/knobs" and method == "GET":
                await _send(send, 200, asdict(self.knobs))
            elif path == "/_sim/knobs" and method == "PATCH":
                self.knobs.update(json.loads(body or b"{}"))
                await _send(send, 200, asdict(self.knobs))
            elif path == "/_sim/fail-next" and method == "POST":
                spec = json.loads(body or b"{}")
                self.fail_next(spec["job"], int(spec["count"]), spec.get("kind", "5xx"))
                await _send(send, 200, {"status": "armed"})
            else:
                await _send(send, 404, {"error": "not found"})
        except (ValueError, KeyError, TypeError) as exc:
            await _send(send, 400, {"error": str(exc)})


def _page(items: list, page: int, size: int | None) -> tuple[list, int | None]:
    if not size:
        return items, None
    start = (page - 1) * size
    chunk = items[start:start + size]
    return chunk, page + 1 if start + size < len(items) else None


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


async def _read_body(receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


def encode(payload) -> bytes:
    """The simulator's one JSON encoding: same payload, same bytes."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


async def _send(send, status: int, payload, headers=()) -> int:
    return await _send_raw(send, status, encode(payload), headers)


async def _send_raw(send, status: int, body: bytes, headers=()) -> int:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
    })
    await send({"type": "http.response.body", "body": body})
    return status
