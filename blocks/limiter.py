"""One limiter per portal, shared by every job of a run: an adaptive request rate and a cap on requests in flight."""

from __future__ import annotations

import collections
import contextlib
import threading
import time

WINDOW_S = 1.0  # rate limits are per second
PACING_HEADROOM = 0.98  # pace just under the rate: arrival jitter must not push a 1 s window over it
ESTIMATE_HEADROOM = 0.95  # after a 429: this share of what the portal just accepted
INCREASE_PER_S = 2.0  # additive increase, in requests/s per second, up to the configured rate
MIN_RATE = 0.5


class PortalLimiter:
    """Paces requests evenly at an adaptive rate, never above the configured one, with at most
    `max_in_flight` open. Thread-safe: jobs run in Prefect's worker threads and fan out.

    Told the right rate, it paces just under it. Told too much, it learns the real limit from
    the first 429: the requests the portal accepted in the last second are its limit, so the
    rate drops just under that and the portal is left alone until that second has passed
    (when the portal's own window has room again). Then the rate creeps back up (additive
    increase) and the next 429 corrects it again (decrease at most once per window).
    """

    def __init__(self, rate_per_sec: float, max_in_flight: int, clock=time.monotonic, sleep=time.sleep):
        if rate_per_sec <= 0 or max_in_flight <= 0:
            raise ValueError("rate_per_sec and max_in_flight must be positive")
        self.ceiling = rate_per_sec
        self.rate = rate_per_sec
        self.max_in_flight = max_in_flight
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._last_decrease = float("-inf")
        self._accepted: collections.deque[float] = collections.deque()  # start times, last WINDOW_S
        self._clock, self._sleep = clock, sleep

    def _turn(self) -> float:
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start)
            self._next_start = start + 1.0 / (self.rate * PACING_HEADROOM)
        if start > now:
            self._sleep(start - now)
        return start

    def _forget_before(self, moment: float) -> None:
        while self._accepted and self._accepted[0] <= moment:
            self._accepted.popleft()

    def answered(self, started: float) -> None:
        """The portal accepted a request sent at `started`: remember it, creep towards the ceiling."""
        with self._lock:
            self._accepted.append(started)
            self._forget_before(self._clock() - WINDOW_S)
            if self.rate < self.ceiling:
                self.rate = min(self.ceiling, self.rate + INCREASE_PER_S / self.rate)

    def throttled(self, started: float) -> None:
        """The portal answered 429 to a request sent at `started`: adopt the limit it just showed."""
        with self._lock:
            if started - self._last_decrease < WINDOW_S:
                return  # the same overload: one signal per window
            self._last_decrease = started
            self._forget_before(started - WINDOW_S)
            accepted = len(self._accepted)
            self.rate = max(MIN_RATE, min(self.rate, accepted * ESTIMATE_HEADROOM) if accepted else self.rate / 2)
            if self._accepted:  # wait until the portal's window has slid past what it holds
                self._next_start = max(self._next_start, self._accepted[0] + WINDOW_S)

    @contextlib.contextmanager
    def slot(self):
        """Hold a request slot; yields the request's start time (for answered/throttled)."""
        with self._slots:
            yield self._turn()
