"""The pruning job on the JobQueue: once shortly after the start, then daily.

On the JobQueue because the JobQueue runs where the leader runs: one instance prunes. A run
during a database outage is one warning; the next day's run (or the next start) carries on.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from telegram.ext import Application, ContextTypes

from bot.prune import Pruner
from bot.services import services
from handlers.common import svc
from storage.db import database_unavailable

logger = logging.getLogger(__name__)
JOB_NAME: Final = "prune"
PRUNER_KEY: Final = "pruner"  # Services.extra
FIRST_AFTER: Final = timedelta(minutes=1)  # shortly after the start, once it has settled
EVERY: Final = timedelta(days=1)


async def prune_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    pruner = svc(context).extra[PRUNER_KEY]
    assert isinstance(pruner, Pruner)
    try:
        await pruner.run(svc(context).clock())
    except Exception as err:
        if not database_unavailable(err):
            raise
        logger.warning("prune.failed", extra={"error": type(err).__name__})


def schedule_pruning(app: Application) -> None:  # type: ignore[type-arg]
    """The pruner (retention from the settings, counts in the pipeline's metrics) and its job."""
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    found = services(app.bot_data)
    found.extra[PRUNER_KEY] = Pruner(found.engine, found.settings, found.pipeline.metrics)
    app.job_queue.run_repeating(prune_tick, interval=EVERY, first=FIRST_AFTER, name=JOB_NAME)
