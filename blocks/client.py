"""The portal HTTP client: httpx with TLS on, Basic auth, retries, pagination, one limiter per portal.

Synchronous and thread-safe: Prefect runs jobs in worker threads, and the
access-key calls of a job fan out on the portal's own small thread pool, all
under the portal's limiter. The wire layer is KeepAliveTransport (blocks/transport.py).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, TypeVar

import httpx
from prefect.exceptions import MissingContextError
from prefect.logging import get_run_logger

from blocks.limiter import PortalLimiter
from blocks.retry import RETRY_STATUSES, RetryPolicy
from blocks.settings import PortalSettings
from blocks.transport import KeepAliveTransport
from contracts.errors import ContractError, UpstreamError

T = TypeVar("T")
R = TypeVar("R")
MAX_PAGES = 10_000


def event_logger() -> logging.Logger | logging.LoggerAdapter:
    """The run logger inside a flow or task run (so events reach the Prefect UI), else a plain logger."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("campaign.client")


@dataclass
class RequestStats:
    """Counters for one job's requests; shared by its fan-out threads."""

    requests: int = 0
    retries: int = 0
    request_ms_total: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, latency_ms: float, retried: bool) -> None:
        with self._lock:
            self.requests += 1
            self.retries += retried
            self.request_ms_total += latency_ms

    def as_dict(self) -> dict:
        return {"requests": self.requests, "retries": self.retries,
                "request_ms_total": round(self.request_ms_total, 1)}


class _Both:
    """Record into a job's stats and the client's totals at once."""

    def __init__(self, *targets: RequestStats):
        self.targets = targets

    def record(self, latency_ms: float, retried: bool) -> None:
        for target in self.targets:
            target.record(latency_ms, retried)


def unwrap(body: Any) -> Any:
    """The payload of `{"data": ...}`, or the bare payload."""
    return body["data"] if isinstance(body, dict) and "data" in body else body


def next_link(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    meta = body.get("meta")
    return (meta.get("next") if isinstance(meta, dict) else None) or body.get("next") or None


class PortalClient:
    """Calls one portal. `endpoint` names passed around are templates (no ids) for logs."""

    def __init__(self, settings: PortalSettings, policy: RetryPolicy | None = None,
                 limiter: PortalLimiter | None = None, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.portal = settings.portal
        self.policy = policy or RetryPolicy.from_env()
        self.limiter = limiter or PortalLimiter(settings.rate_limit_per_sec, settings.max_in_flight)
        self._sleep = sleep
        self.totals = RequestStats()  # every request of this process, failed task attempts included
        self._base = httpx.URL(settings.base_url + "/")
        creds = settings.credentials
        self._http = httpx.Client(
            auth=(creds.username, creds.password),
            timeout=settings.timeout_s,
            transport=transport or KeepAliveTransport(settings.timeout_s),  # TLS verified by its default context
            headers={"accept": "application/json", "user-agent": "sms-campaign-builder"},
        )
        self._pool = ThreadPoolExecutor(max_workers=settings.max_in_flight,
                                        thread_name_prefix=f"portal-{self.portal}")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._http.close()

    # ---- one request, with retries --------------------------------------------------
    def get(self, url: str | httpx.URL, endpoint: str, stats: RequestStats,
            params: dict | None = None, allow_404: bool = False) -> Any:
        """GET and decode JSON; None for an allowed 404. Raises UpstreamError when retries run out."""
        stats = _Both(stats, self.totals)
        target = url if isinstance(url, httpx.URL) else self._base.join(url)
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            outcome, reason, retry_after, sent = None, None, None, started
            try:
                with self.limiter.slot() as sent:
                    response = self._http.get(target, params=params)
                status = response.status_code
                if status == 200:
                    try:
                        outcome = response.json()
                    except ValueError:
                        reason = "malformed_json"
                elif status == 404 and allow_404:
                    outcome = None
                elif status in RETRY_STATUSES:
                    reason = str(status)
                    retry_after = response.headers.get("retry-after") if status == 429 else None
                else:
                    stats.record((time.monotonic() - started) * 1000, attempt > 1)
                    raise UpstreamError(self._refusal(status, endpoint), retryable=False)
            except httpx.TransportError as exc:
                reason = type(exc).__name__
            stats.record((time.monotonic() - started) * 1000, attempt > 1)
            if reason == "429":
                self.limiter.throttled(sent)
            elif reason is None:
                self.limiter.answered(sent)
                return outcome
            if attempt >= self.policy.max_attempts:
                raise UpstreamError(f"portal {self.portal} {endpoint}: {reason} after {attempt} attempts")
            delay = self.policy.delay(attempt, retry_after)
            event_logger().warning(
                "retrying a portal request",
                extra={"event": "retry", "portal": self.portal, "endpoint": endpoint, "attempt": attempt,
                       "error": reason, "delay_s": round(delay, 3)},
            )
            self._sleep(delay)

    def _refusal(self, status: int, endpoint: str) -> str:
        if status in (401, 403):
            return (f"portal {self.portal} refused the credentials ({status}) on {endpoint}: "
                    "check the Netlife secret")
        if status == 404:
            return f"portal {self.portal} {endpoint}: not found (404)"
        return f"portal {self.portal} {endpoint}: HTTP {status}"

    def get_list(self, path: str, endpoint: str, stats: RequestStats, params: dict | None = None) -> list:
        """Every item of a list answer, following `meta.next` / `next` until it is empty."""
        items: list = []
        url: httpx.URL = self._base.join(path)
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body = self.get(url, endpoint, stats, params=params)
            page = unwrap(body)
            if not isinstance(page, list):
                raise ContractError(f"portal {self.portal} {endpoint}: expected a list, got {type(page).__name__}")
            items.extend(page)
            link = next_link(body)
            if not link:
                return items
            url, params = self._follow(link, endpoint), None
            if str(url) in seen:
                raise UpstreamError(f"portal {self.portal} {endpoint}: pagination loops", retryable=False)
            seen.add(str(url))
        raise UpstreamError(f"portal {self.portal} {endpoint}: more than {MAX_PAGES} pages", retryable=False)

    def _follow(self, link: str, endpoint: str) -> httpx.URL:
        """Resolve a next link: absolute, origin-relative (/...) or relative to the API root.

        A link to another origin is refused: it would receive the portal credentials.
        """
        url = httpx.URL(link) if link.startswith(("http://", "https://")) else self._base.join(link)
        if (url.scheme, url.host, url.port) != (self._base.scheme, self._base.host, self._base.port):
            raise UpstreamError(f"portal {self.portal} {endpoint}: next link leaves the portal", retryable=False)
        return url

    def fan_out(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """fn over items on the portal's pool (bounded by the limiter), results in order.

        Each call runs in a copy of the caller's context, so run loggers keep working.
        """
        futures = [self._pool.submit(contextvars.copy_context().run, fn, item) for item in items]
        return [f.result() for f in futures]

    # ---- the portal API -------------------------------------------------------------
    def activities_in_webshop(self, stats: RequestStats) -> list:
        return self.get_list("activities/search", "/activities/search", stats, {"status_id": "in-webshop"})

    def job(self, job_id: str, stats: RequestStats) -> Any:
        return unwrap(self.get(f"jobs/{job_id}", "/jobs/{job}", stats))

    def subjects(self, job_id: str, has_order: bool, stats: RequestStats) -> list:
        return self.get_list(f"jobs/{job_id}/subjects", "/jobs/{job}/subjects", stats,
                             {"filter_has_order": "true" if has_order else "false"})

    def job_users(self, job_id: str, stats: RequestStats) -> list:
        return self.get_list(f"jobs/{job_id}/users", "/jobs/{job}/users", stats)

    def access_keys(self, job_id: str, subject_id: str, stats: RequestStats) -> list:
        """The subject's keys; [] when it has none (empty list or 404)."""
        body = self.get(f"jobs/{job_id}/subjects/{subject_id}/accesskeys",
                        "/jobs/{job}/subjects/{subject}/accesskeys", stats, allow_404=True)
        keys = unwrap(body) if body is not None else []
        if not isinstance(keys, list):
            raise ContractError(f"portal {self.portal} accesskeys: expected a list, got {type(keys).__name__}")
        return keys


_clients: dict[PortalSettings, PortalClient] = {}
_clients_lock = threading.Lock()


def client_for(settings: PortalSettings) -> PortalClient:
    """One client (and so one limiter) per portal settings in this process, shared by all its jobs."""
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            client = _clients[settings] = PortalClient(settings)
        return client


def request_totals() -> dict[str, int]:
    """Requests and retries of every client in this process so far (a run takes the difference)."""
    with _clients_lock:
        clients = list(_clients.values())
    return {"requests": sum(c.totals.requests for c in clients), "retries": sum(c.totals.retries for c in clients)}


def close_clients() -> None:
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
