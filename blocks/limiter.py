"""One limiter per portal, shared by every job of a run: a request rate and a cap on requests in flight."""

from __future__ import annotations

import contextlib
import threading
import time


class PortalLimiter:
    """Paces requests to at most `rate_per_sec` (evenly spaced) with at most `max_in_flight` open.

    Thread-safe: jobs run in Prefect's worker threads and fan out further.
    A 429 with Retry-After pauses the whole portal, not just the thread that saw it.
    """

    def __init__(self, rate_per_sec: float, max_in_flight: int, clock=time.monotonic, sleep=time.sleep):
        if rate_per_sec <= 0 or max_in_flight <= 0:
            raise ValueError("rate_per_sec and max_in_flight must be positive")
        self.interval = 1.0 / rate_per_sec
        self.max_in_flight = max_in_flight
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._clock, self._sleep = clock, sleep

    def _wait_turn(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start)
            self._next_start = start + self.interval
        if start > now:
            self._sleep(start - now)

    def pause(self, seconds: float) -> None:
        """Hold every later request of this portal back for `seconds` (after a 429)."""
        with self._lock:
            self._next_start = max(self._next_start, self._clock() + seconds)

    @contextlib.contextmanager
    def slot(self):
        with self._slots:
            self._wait_turn()
            yield
