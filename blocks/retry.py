"""The per-request retry policy: capped exponential backoff with full jitter."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    retry_after_cap_s: float = 60.0  # never sleep longer than this on a portal's Retry-After

    @classmethod
    def from_env(cls) -> "RetryPolicy":
        """NETLIFE_HTTP_ATTEMPTS / NETLIFE_HTTP_BACKOFF_S / NETLIFE_HTTP_BACKOFF_CAP_S override the defaults."""
        env = os.environ
        return cls(
            max_attempts=int(env.get("NETLIFE_HTTP_ATTEMPTS", cls.max_attempts)),
            base_delay_s=float(env.get("NETLIFE_HTTP_BACKOFF_S", cls.base_delay_s)),
            max_delay_s=float(env.get("NETLIFE_HTTP_BACKOFF_CAP_S", cls.max_delay_s)),
        )

    def backoff(self, attempt: int, rng: random.Random = random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]."""
        return rng.uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Honour a numeric Retry-After (capped); otherwise back off."""
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), self.retry_after_cap_s)
            except ValueError:
                pass
        return self.backoff(attempt)
