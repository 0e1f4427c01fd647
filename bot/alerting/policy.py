"""How delivery rides out outages: time to live per class, capped retries, a circuit breaker.

A message is worth sending while it is still relevant, however long Telegram is away: an
air-raid threat for half an hour, a report for half a day, a digest until the next one. So a
network failure is never counted towards a give-up limit; the row waits (capped, jittered
backoff) until its class's time to live runs out, and is then recorded ``expired``.

When the whole API fails (several sends in a row, no answer), claiming more rows only burns
attempts: the :class:`CircuitBreaker` opens, the dispatcher hands its queued rows back and
probes the API with ``getMe`` at growing, jittered intervals until it answers again.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

DEFAULT_TTL_S: Mapping[str, float] = MappingProxyType(
    {"threat": 30 * 60.0, "report": 12 * 3600.0, "digest": 24 * 3600.0}
)


@dataclass(frozen=True)
class DeliveryPolicy:
    """Knobs of :class:`~bot.alerting.Dispatcher` (tests scale the timings down).

    ``ttl_s``: seconds a class stays worth sending (``<= 0``: forever). ``retry_cap_s``: the
    longest backoff between two attempts of one row. ``breaker_after`` network failures in a
    row open the breaker; probes then wait ``breaker_base_s`` doubling up to
    ``breaker_max_s``. Every ``maintain_every_s`` a dispatcher renews the claims it holds (its
    lease), expires overdue rows and requeues rows whose claim nobody renewed for
    ``stale_after_s`` (their dispatcher died; with several instances, never a live one's rows).
    ``priority=False`` claims and paces oldest-first whatever the class (for comparisons).
    """

    ttl_s: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TTL_S))
    retry_cap_s: float = 60.0
    breaker_after: int = 5
    breaker_base_s: float = 1.0
    breaker_max_s: float = 10.0
    maintain_every_s: float = 5.0
    stale_after_s: float = 20.0
    priority: bool = True

    def ttl_for(self, klass: str) -> float:
        return float(self.ttl_s.get(klass, 0.0))


def backoff_s(attempts: int, cap_s: float = 60.0) -> float:
    """Exponential backoff with jitter: ~1 s, 2 s, 4 s … at most ``cap_s``."""
    return random.uniform(0.5, 1.0) * min(cap_s, 2.0 ** max(0, attempts - 1))


class CircuitBreaker:
    """Counts network failures in a row; open = stop claiming, probe at ``next_probe``.

    Times are monotonic seconds passed in by the caller, so tests need no sleeping.
    """

    def __init__(self, after: int, base_s: float, max_s: float) -> None:
        self.after = max(1, after)
        self.base_s = base_s
        self.max_s = max_s
        self.failures = 0
        self.opened_at: float | None = None
        self.next_probe = 0.0
        self._probes = 0

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def success(self) -> None:
        """Telegram answered (any answer, even an error of ours): the API is up."""
        self.failures = 0
        self.opened_at = None
        self._probes = 0

    def failure(self, now: float) -> bool:
        """A request got no answer; ``True`` when this failure opened the breaker."""
        self.failures += 1
        if self.opened_at is None and self.failures >= self.after:
            self.opened_at = now
            self._probes = 0
            self.next_probe = now + self._delay()
            return True
        return False

    def probe_failed(self, now: float) -> None:
        self._probes += 1
        self.next_probe = now + self._delay()

    def _delay(self) -> float:
        return random.uniform(0.5, 1.0) * min(self.max_s, self.base_s * 2.0**self._probes)
