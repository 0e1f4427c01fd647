"""The context every handler gets: the app factory installs it, and its read/write run one
transaction each on a worker thread, on both backends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.ext import ApplicationBuilder

from bot.config import Settings
from bot.pipeline import Pipeline
from bot.services import Services
from handlers.app import build_application
from handlers.context import SitrepContext
from storage import crud

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def _context(engine: Engine) -> SitrepContext:
    settings = Settings(_env_file=None, timezone="Europe/Kyiv")  # type: ignore[call-arg]
    svc = Services(settings, engine, Pipeline(engine), clock=lambda: NOW)
    builder = ApplicationBuilder().token("123:not-a-real-token")
    app = build_application(svc, builder, rate_limit=False, digests_job=False)
    assert app.context_types.context is SitrepContext
    return SitrepContext(app)


def _register(session: Session, chat_id: int, *, fail: bool = False) -> str:
    assert threading.current_thread() is not threading.main_thread()  # off the event loop
    crud.upsert_chat(session, chat_id, type="private", language="en")
    crud.subscribe(session, chat_id, "UA-74")
    if fail:
        raise RuntimeError("the second statement of a unit of work fails")
    return threading.current_thread().name


async def test_services_clock_and_zone_are_typed_properties(engine: Engine) -> None:
    context = _context(engine)
    assert context.services.engine is engine
    assert context.clock() == NOW
    assert str(context.tz) == "Europe/Kyiv"


async def test_write_commits_one_unit_and_read_sees_it(engine: Engine) -> None:
    context = _context(engine)
    await context.write(_register, 1)
    assert await context.read(crud.subscriptions_of, 1) == ["UA-74"]
    with pytest.raises(RuntimeError):
        await context.write(_register, 2, fail=True)
    assert await context.read(crud.get_chat, 2) is None  # the whole unit rolled back
    assert await context.read(crud.subscriptions_of, 2) == []
