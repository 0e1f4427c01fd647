"""One start and one stop of a PTB ``Application``, for ``sitrep run``, the demo and the tests.

PTB's ``run_polling()`` owns the event loop; Sitrep runs the app beside its dispatcher and its
sources in one loop, so it takes the same steps itself: initialize → ``post_init`` → start →
fetch updates, and on the way out the reverse. The stop steps sit on an ``AsyncExitStack`` so
that each runs even when one before it failed (a failing ``app.stop()`` must not skip
``shutdown()``); a failure is logged, never silently dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from telegram.ext import Application, Updater

from handlers.app import ALLOWED_UPDATES

logger = logging.getLogger(__name__)

Fetch = Callable[[Updater], Awaitable[object]]


def polling(**kwargs: Any) -> Fetch:
    """Long polling for :data:`ALLOWED_UPDATES`; ``kwargs`` go to ``Updater.start_polling``."""
    kwargs.setdefault("allowed_updates", ALLOWED_UPDATES)

    def fetch(updater: Updater) -> Awaitable[object]:
        return updater.start_polling(**kwargs)

    return fetch


async def _step(name: str, stop: Callable[[], Awaitable[object]], timeout: float | None) -> None:
    try:
        await asyncio.wait_for(stop(), timeout)
    except Exception as exc:
        # the formatters mask the token in the message and the traceback alike (bot/logs.py)
        logger.error(
            "lifecycle.stop_failed", extra={"step": name, "error": repr(exc)}, exc_info=exc
        )


def on_exit(
    stack: AsyncExitStack,
    name: str,
    stop: Callable[[], Awaitable[object]],
    timeout: float | None = None,
) -> None:
    """Run ``stop()`` when ``stack`` unwinds: bounded by ``timeout``, a failure logged as
    ``lifecycle.stop_failed`` with the step's ``name`` and the unwinding carried on."""
    stack.push_async_callback(_step, name, stop, timeout)


def _hook(stack: AsyncExitStack, app: Application[Any, Any, Any, Any, Any, Any], name: str) -> None:
    hook = getattr(app, name)
    if hook is not None:
        on_exit(stack, name, lambda: hook(app))


@asynccontextmanager
async def running(
    app: Application[Any, Any, Any, Any, Any, Any],
    fetch: Fetch | None = None,
    *,
    fetch_stop_timeout: float | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """``app`` started and fetching updates (``fetch``, long polling by default) for the body;
    stopped in reverse order afterwards, including when starting failed half-way."""
    async with AsyncExitStack() as stack:
        await app.initialize()
        _hook(stack, app, "post_shutdown")
        on_exit(stack, "app.shutdown", app.shutdown)
        if app.post_init is not None:  # run_polling() calls the three hooks as here
            await app.post_init(app)
        await app.start()
        _hook(stack, app, "post_stop")
        on_exit(stack, "app.stop", app.stop)
        updater = app.updater
        assert updater is not None
        await (fetch or polling())(updater)
        on_exit(stack, "updater.stop", lambda: _stop_updater(updater), fetch_stop_timeout)
        yield app


async def _stop_updater(updater: Updater) -> None:
    """Stop fetching, if anything still fetches: a fetch that starts later (the leader's
    ``getUpdates``) may already have stopped with its duties, or never started."""
    if updater.running:
        await updater.stop()


async def no_fetch(_updater: Updater) -> None:
    """Fetch nothing at start: an instance whose polling is started later (when elected)."""
