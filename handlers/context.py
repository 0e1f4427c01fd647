"""The context every handler and job gets: the services, typed, and one-transaction DB calls.

PTB builds one per update or job run from :data:`CONTEXT_TYPES` (``handlers/app.py``), as its
``contexttypesbot.py`` example does, so handlers say ``context.services``, ``context.tz`` and
``context.clock()`` rather than digging in ``bot_data``. ``await context.read(fn, *args)`` and
``await context.write(fn, *args)`` run ``fn(session, *args)`` in one short transaction on a
worker thread (the event loop never waits on the database) and are typed like
``asyncio.to_thread``: mypy checks ``args`` against ``fn``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any, Concatenate, Final, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.services import Services
from storage.db import session_scope

P = ParamSpec("P")
R = TypeVar("R")
SERVICES: Final = "services"  # the bot_data key build_application fills


class SitrepContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """:class:`~telegram.ext.CallbackContext` with Sitrep's services as typed properties."""

    @property
    def services(self) -> Services:
        found: Services = self.bot_data[SERVICES]
        return found

    @property
    def tz(self) -> ZoneInfo:
        """The zone times are shown in (``SITREP_TIMEZONE``)."""
        return self.services.settings.tz

    @property
    def clock(self) -> Callable[[], datetime]:
        """Now, in UTC; the tests and the demo replace it."""
        return self.services.clock

    async def read(
        self, fn: Callable[Concatenate[Session, P], R], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """``fn(session, *args, **kwargs)`` in a read-only transaction (SQLite: no write lock)."""
        engine = self.services.engine

        def run() -> R:
            with session_scope(engine, readonly=True) as session:
                return fn(session, *args, **kwargs)

        return await asyncio.to_thread(run)

    async def write(
        self, fn: Callable[Concatenate[Session, P], R], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """``fn(session, *args, **kwargs)`` in one transaction, committed when it returns."""
        engine = self.services.engine

        def run() -> R:
            with session_scope(engine) as session:
                return fn(session, *args, **kwargs)

        return await asyncio.to_thread(run)


CONTEXT_TYPES: Final = ContextTypes(context=SitrepContext)
