"""The pruning job on the JobQueue: once shortly after the start, then daily.

On the JobQueue because the JobQueue runs where the leader runs: one instance prunes. A run
during a database outage is one warning; the next day's run (or the next start) carries on.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final, cast

from telegram.ext import Application, JobQueue

from bot.prune import Pruner
from bot.services import Services
from handlers.context import SERVICES, SitrepContext
from storage.db import database_unavailable

logger = logging.getLogger(__name__)
JOB_NAME: Final = "prune"
FIRST_AFTER: Final = timedelta(minutes=1)  # shortly after the start, once it has settled
EVERY: Final = timedelta(days=1)


async def prune_tick(context: SitrepContext) -> None:
    assert context.job is not None
    pruner = context.job.data
    assert isinstance(pruner, Pruner)
    try:
        await pruner.run(context.clock())
    except Exception as err:
        if not database_unavailable(err):
            raise
        logger.warning("prune.failed", extra={"error": type(err).__name__})


def schedule_pruning(app: Application) -> None:  # type: ignore[type-arg]
    """The pruner (retention from the settings, counts in the pipeline's metrics) and its job,
    which carries it as its data."""
    jobs = cast("JobQueue[SitrepContext] | None", app.job_queue)  # PTB leaves it generic
    assert jobs is not None, "install python-telegram-bot[job-queue]"
    found: Services = app.bot_data[SERVICES]
    pruner = Pruner(found.engine, found.settings, found.pipeline.metrics)
    jobs.run_repeating(prune_tick, interval=EVERY, first=FIRST_AFTER, name=JOB_NAME, data=pruner)
