"""The dispatcher's housekeeping and its health verdict.

``maintain`` runs every few seconds: it renews the lease on the rows this process holds
(queued, in flight, or with an outcome not yet written), so no other instance takes them; rows
that outlived their class's time to live become ``expired`` (recorded, counted, shown in
``/admin`` — never silently dead), and rows whose lease nobody renewed (their process died) go
back to ``pending``. The sweep adds no repeats of its own, whatever the number of instances.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.alerting.policy import CircuitBreaker, DeliveryPolicy
from bot.alerting.recorder import Recorder
from storage import crud
from storage.db import session_scope

logger = logging.getLogger(__name__)


async def maintain(
    engine: Engine, policy: DeliveryPolicy, now: datetime, keep: set[int], *, requeue: bool = True
) -> tuple[int, int] | None:
    """(expired, requeued), or ``None`` when the database is away (next round tries again).
    ``requeue=False``: renew and expire only."""

    def sweep() -> tuple[int, int]:
        with session_scope(engine) as s:
            crud.renew_claims(s, keep, now=now)
            expired = crud.expire_overdue(s, policy.ttl_s, now=now)
            stale = now - timedelta(seconds=policy.stale_after_s)
            requeued = crud.requeue_stale_sending(s, stale, now=now, keep=keep) if requeue else 0
        return expired, requeued

    try:
        expired, requeued = await asyncio.to_thread(sweep)
    except Exception as err:
        logger.warning("dispatcher.maintain_failed", extra={"error": repr(err)[:200]})
        return None
    if expired or requeued:
        logger.warning("dispatcher.maintained", extra={"expired": expired, "requeued": requeued})
    return expired, requeued


def health_of(
    alive: bool, breaker: CircuitBreaker, recorder: Recorder, in_hand: int
) -> tuple[bool, str]:
    """(healthy, detail): failing while the breaker is open or outcome writes fail."""
    if not alive:
        return False, "stopped"
    problems = []
    if breaker.is_open:
        since = time.monotonic() - (breaker.opened_at or 0.0)
        problems.append(f"Telegram API failing for {since:.0f} s, sending paused")
    elif breaker.failures:
        problems.append(f"{breaker.failures} sends failed in a row")
    if recorder.failing_since is not None:
        since = time.monotonic() - recorder.failing_since
        problems.append(
            f"database writes failing for {since:.0f} s, {recorder.backlog} outcomes held"
        )
    failing = breaker.is_open or recorder.failing_since is not None
    detail = "; ".join([f"running, {in_hand} in hand", *problems])
    return not failing, detail
