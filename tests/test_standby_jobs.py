"""The JobQueue runs on the leader only (``sitrep.runtime``): two in-process runtimes on one
private schema of the real PostgreSQL, elected by :class:`~bot.leader.PgElector`, against the
Bot API stand-in.

A job runs on exactly one instance at a time: the leader's; the standby's stays paused (also
while it starts) and resumes when the leader stops. A broadcast confirmed on a standby (webhook
mode: every instance answers updates) is reported once, by the leader's report job; after the
leader stops, the new leader reports the next one, once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import handlers.admin as admin_module
from bot.config import Settings
from bot.leader import PgElector
from bot.standins.botapi_server import BotApiStandin
from sitrep.runtime import Runtime, build_runtime, serve
from storage import crud
from storage.db import make_engine, session_scope
from tests.support.outages import free_port

ADMIN = 700
CHATS = (801, 802, 803)
PUBLIC = "https://bot.example.org"
HOOK = f"{PUBLIC}/telegram/updates"
SECRET = "wh_Secret-for-the-test-0123456789"


async def _until(pred: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := pred():
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _settings(tg: BotApiStandin, pg_url: str, webhook_port: int | None = None) -> Settings:
    kw: dict[str, Any] = {
        "database_url": pg_url,
        "bot_token": tg.token,
        "bot_api_base_url": tg.base_url,
        "telegram_web_url": "http://127.0.0.1:9",
        "metrics_port": 0,
        "admin_ids": [ADMIN],
    }
    if webhook_port is not None:
        kw.update(
            webhook_url=HOOK,
            webhook_listen="127.0.0.1",
            webhook_port=webhook_port,
            webhook_secret=SECRET,
        )
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


Runs = list[tuple[float, str]]


@asynccontextmanager
async def _instance(
    name: str, settings: Settings, engine: Engine, runs: Runs
) -> AsyncIterator[tuple[Runtime, asyncio.Event]]:
    """A runtime with a fast elector and a probe job that records where it ran (every 0.1 s,
    due the moment the JobQueue starts); yields it and its stop event, once serving."""
    rt = build_runtime(settings, engine, health=False)
    rt.leadership = PgElector(settings.database_url, retry_s=0.3, check_s=0.5, step_down_s=2.0)
    assert rt.app.job_queue is not None

    jobs = rt.app.job_queue

    async def probe(_context: object) -> None:
        runs.append((time.monotonic(), name))

    async def add_probe(_app: object) -> None:  # just before the app starts its JobQueue
        jobs.run_repeating(probe, interval=0.1, first=0, name="probe")

    rt.app.post_init = add_probe
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(rt, stop, ready=ready))
    try:
        await asyncio.wait_for(ready.wait(), 30)
        yield rt, stop
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def _who(runs: Runs) -> list[str]:
    """Where the probe ran, consecutive repeats merged: ``["a", "b"]`` is a clean handover."""
    out: list[str] = []
    for _, name in runs:
        if not out or out[-1] != name:
            out.append(name)
    return out


async def test_jobs_run_on_the_leader_only_and_move_with_it(pg_url: str, pg_engine: Engine) -> None:
    runs: Runs = []
    with BotApiStandin() as tg:
        async with _instance("a", _settings(tg, pg_url), pg_engine, runs) as (a, stop_a):
            await _until(lambda: a.leadership.is_leader and runs, 15)
            async with _instance("b", _settings(tg, pg_url), pg_engine, runs) as (b, _):
                await asyncio.sleep(1.5)  # b tries the lock several times; a's job runs on
                assert (a.leadership.role, b.leadership.role) == ("leader", "standby")
                assert b.app.job_queue is not None
                assert b.app.job_queue.scheduler.state == STATE_PAUSED
                assert _who(runs) == ["a"]  # never on the standby, not even while it started
                stop_a.set()  # the leader stops (a rolling deploy)
                await _until(lambda: not a.leadership.is_leader, 10)
                stopped = time.monotonic()
                await _until(lambda: b.leadership.is_leader, 15)
                await _until(lambda: sum(1 for _, w in runs if w == "b") >= 5, 10)
                assert b.app.job_queue.scheduler.state == STATE_RUNNING
    assert _who(runs) == ["a", "b"]  # one handover, never both
    assert all(t < stopped for t, w in runs if w == "a")
    # The runs missed while paused are not replayed on resume: coalesced into one (APScheduler's
    # default ``coalesce=True``), then the job keeps its interval.
    first_b = min(t for t, w in runs if w == "b")
    assert sum(1 for t, w in runs if w == "b" and t < first_b + 0.3) <= 5


def _chats(engine: Engine) -> None:
    with session_scope(engine) as s:
        for chat_id in CHATS:
            crud.upsert_chat(s, chat_id, type="private", language="en")
            crud.subscribe(s, chat_id, "UA-74")


def _finished(tg: BotApiStandin) -> list[str]:
    return [m.text for m in tg.sent(ADMIN) if "finished" in m.text]


async def _broadcast(tg: BotApiStandin, text: str) -> None:
    """``/admin broadcast`` and Confirm, as Telegram POSTs them to the webhook."""
    seen = len(tg.sent(ADMIN))
    tg.send_text(ADMIN, f"/admin broadcast {text}", user_id=ADMIN, language_code="en")
    preview = (await _until(lambda: tg.sent(ADMIN)[seen:], 20))[0]
    ok = preview.reply_markup["inline_keyboard"][0][0]["callback_data"]
    tg.tap(ADMIN, preview.message_id, ok, user_id=ADMIN, language_code="en")
    await _until(lambda: any("queued" in m.text for m in tg.sent(ADMIN)[seen:]), 20)


async def test_a_broadcast_confirmed_on_a_standby_is_reported_once_by_the_leader(
    pg_url: str, pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin_module, "PROGRESS_EVERY_S", 0.1)
    _chats(pg_engine)
    runs: Runs = []
    port_a, port_b = free_port(), free_port()
    with BotApiStandin() as tg:
        tg.webhook_route(PUBLIC, f"http://127.0.0.1:{port_b}")  # every update reaches b
        settings_a = _settings(tg, pg_url, port_a)
        async with _instance("a", settings_a, pg_engine, runs) as (a, stop_a):
            await _until(lambda: a.leadership.is_leader, 15)
            settings_b = _settings(tg, pg_url, port_b)
            async with _instance("b", settings_b, pg_engine, runs) as (b, _):
                await asyncio.sleep(0.5)
                assert b.leadership.role == "standby"
                await _broadcast(tg, "Maintenance at noon")  # answered by the standby b
                assert _who(runs) == ["a"]  # b's jobs paused throughout, its report job too
                await _until(lambda: _finished(tg), 20)
                await asyncio.sleep(1.0)  # ten more rounds of the leader's report job
                assert _finished(tg) == [
                    "✅ Broadcast finished: delivered to 3 of 3 chats, failed 0."
                ]
                for chat_id in CHATS:
                    assert len(tg.sent(chat_id)) == 1

                stop_a.set()  # the leader stops; b takes over and reports the next one
                await _until(lambda: b.leadership.is_leader, 15)
                await _broadcast(tg, "Back to normal")
                await _until(lambda: len(_finished(tg)) == 2, 20)
                await asyncio.sleep(1.0)
                assert len(_finished(tg)) == 2
                for chat_id in CHATS:
                    assert len(tg.sent(chat_id)) == 2
    assert _who(runs) == ["a", "b"]


async def test_a_confirm_on_another_instance_than_the_preview_goes_through(
    pg_url: str, pg_engine: Engine
) -> None:
    _chats(pg_engine)
    runs: Runs = []
    port_a, port_b = free_port(), free_port()
    with BotApiStandin() as tg:
        # a load balancer in front of both: POSTs in turn, the preview to a, the Confirm to b
        tg.webhook_route(PUBLIC, [f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"])
        async with _instance("a", _settings(tg, pg_url, port_a), pg_engine, runs) as (a, _):
            await _until(lambda: a.leadership.is_leader, 15)
            async with _instance("b", _settings(tg, pg_url, port_b), pg_engine, runs):
                tg.send_text(ADMIN, "/admin broadcast hi", user_id=ADMIN, language_code="en")
                preview = (await _until(lambda: tg.sent(ADMIN), 20))[0]
                ok = preview.reply_markup["inline_keyboard"][0][0]["callback_data"]
                tap = tg.tap(ADMIN, preview.message_id, ok, user_id=ADMIN, language_code="en")
                query_id = tap["callback_query"]["id"]
                await _until(lambda: tg.callback_answer(query_id) is not None, 20)
                assert tg.callback_answer(query_id) == {}  # a plain answer: b found a's draft
                await _until(lambda: _finished(tg), 30)
                assert len(_finished(tg)) == 1
                for chat_id in CHATS:
                    assert len(tg.sent(chat_id)) == 1
                # the draft was taken: the same Confirm again is refused, on either instance
                again = tg.tap(ADMIN, preview.message_id, ok, user_id=ADMIN, language_code="en")
                again_id = again["callback_query"]["id"]
                await _until(lambda: tg.callback_answer(again_id) is not None, 20)
                assert tg.callback_answer(again_id) == {
                    "text": "This button is no longer valid.",
                    "show_alert": True,
                }
