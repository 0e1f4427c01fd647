"""The event pipeline: posts stored once, parsed, events updated on edits, restart-safe."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.parsing import parse
from bot.pipeline import IncomingPost, Pipeline
from bot.registry import ChannelSpec, seed_channels
from bot.sources.telegram_web import TelegramWebSource
from bot.standins.tme_server import TmeStandin
from bot.watch import SourceService
from storage import crud
from storage.db import make_engine, session_scope
from storage.models import Channel, Event, Post

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ALERT = "🔴 02:14 Повітряна тривога в Чернігівська область."
DRONES = "Група ударних БпЛА на півночі Сумщини, курсом на Полтавщину."


def _post(mid: int, text_: str) -> IncomingPost:
    return IncomingPost(channel="kpszsu", message_id=mid, published_at=T0, text=text_)


def _seed(engine: Engine) -> None:
    seed_channels(engine, [ChannelSpec("kpszsu", "air_force", None, True, "ПС ЗСУ", 10)])


def _events(engine: Engine) -> list[tuple[int, str, list[str]]]:
    with session_scope(engine, readonly=True) as s:
        rows = s.exec(select(Post.message_id, Event.kind, Event.regions).join(Event)).all()
        return sorted((m, k, list(r)) for m, k, r in rows)


async def test_batch_is_stored_parsed_and_idempotent(engine: Engine) -> None:
    _seed(engine)
    pipeline = Pipeline(engine)
    first = await pipeline.ingest("kpszsu", [_post(1, ALERT), _post(2, DRONES)])
    assert (first.new, first.events_created) == (2, 2)
    again = await pipeline.ingest("kpszsu", [_post(1, ALERT), _post(2, DRONES)])
    assert (again.new, again.unchanged, again.events_created) == (0, 2, 0)
    assert _events(engine) == [
        (1, "air_alert_start", ["UA-74"]),
        (2, "drones", ["UA-53", "UA-59"]),
    ]
    with session_scope(engine, readonly=True) as s:
        channel = crud.get_channel_by_username(s, "kpszsu")
        assert channel is not None and channel.last_seen_id == 2


async def test_threat_now_and_report_are_stored_as_such(engine: Engine) -> None:
    _seed(engine)
    summary = "У ніч на 24 листопада противник атакував 40 ударними БпЛА, збито 35."
    await Pipeline(engine).ingest("kpszsu", [_post(1, DRONES), _post(2, summary)])
    with session_scope(engine, readonly=True) as s:
        rows = s.exec(select(Post.message_id, Event.live, Event.heading).join(Event)).all()
        assert sorted((m, live, list(h)) for m, live, h in rows) == [
            (1, True, ["UA-53"]),
            (2, False, []),
        ]


async def test_channel_last_post_time_follows_the_newest_post(engine: Engine) -> None:
    """/admin's "last post" per channel: the newest post's time, never moving backwards."""
    _seed(engine)
    pipeline = Pipeline(engine)
    later = IncomingPost("kpszsu", 3, T0.replace(hour=4), DRONES)
    await pipeline.ingest("kpszsu", [_post(1, ALERT), later])
    await pipeline.ingest("kpszsu", [_post(1, ALERT + " ")])  # an edit of an older post
    with session_scope(engine, readonly=True) as s:
        channel = crud.get_channel_by_username(s, "kpszsu")
        assert channel is not None and channel.last_post_at == T0.replace(hour=4)


async def test_edit_updates_events_instead_of_adding(engine: Engine) -> None:
    _seed(engine)
    pipeline = Pipeline(engine)
    await pipeline.ingest("kpszsu", [_post(5, "Знеструмлено 12 тис. споживачів на Київщині.")])
    edited = await pipeline.ingest(
        "kpszsu", [_post(5, "Знеструмлено 30 тис. споживачів на Київщині.")]
    )
    assert (edited.edited, edited.events_created, edited.events_updated) == (1, 0, 1)
    with session_scope(engine, readonly=True) as s:
        events = s.exec(select(Event)).all()
        assert [(e.kind, e.counts) for e in events] == [("power_outage", {"consumers": 30000})]
        post = s.exec(select(Post)).one()
        assert post.version == 2


async def test_malformed_post_is_kept_and_loses_nothing(engine: Engine) -> None:
    _seed(engine)
    pipeline = Pipeline(engine)
    junk = "\x00\ud7ff<div>" + "ʼ😀" * 5000
    result = await pipeline.ingest("kpszsu", [_post(7, junk), _post(8, ALERT)])
    assert result.new == 2
    assert [k for _, k, _ in _events(engine)] == ["air_alert_start"]


async def test_stand_in_post_reaches_the_store(engine: Engine) -> None:
    _seed(engine)
    with TmeStandin() as tme:
        tme.add_channel("kpszsu")
        tme.add_post("kpszsu", ALERT)
        async with httpx.AsyncClient() as client:
            source = TelegramWebSource(client, base_url=tme.base_url)
            service = SourceService(engine, Pipeline(engine), source, interval_override=0.05)
            await service.start()
            try:
                await _wait_for(lambda: len(_events(engine)) == 1)
                tme.add_post("kpszsu", DRONES)
                await _wait_for(lambda: len(_events(engine)) == 2)
            finally:
                await service.stop()
    with session_scope(engine, readonly=True) as s:
        channel = s.exec(select(Channel)).one()
        assert channel.last_poll_ok is True and channel.consecutive_errors == 0


async def test_failing_channel_is_recorded_and_others_go_on(engine: Engine) -> None:
    seed_channels(
        engine,
        [
            ChannelSpec("kpszsu", "air_force", None, True, "", 10),
            ChannelSpec("broken", "governor", "UA-74", True, "", 10),
        ],
    )
    with TmeStandin() as tme:
        tme.add_channel("kpszsu")
        tme.add_channel("broken")
        tme.misbehave("broken", server_error=1000)
        tme.add_post("kpszsu", ALERT)
        async with httpx.AsyncClient() as client:
            source = TelegramWebSource(client, base_url=tme.base_url)
            service = SourceService(engine, Pipeline(engine), source, interval_override=0.05)
            await service.start()
            try:
                await _wait_for(lambda: len(_events(engine)) == 1)
                await _wait_for(lambda: _errors(engine, "broken") >= 1)
            finally:
                await service.stop()


def _errors(engine: Engine, username: str) -> int:
    with session_scope(engine, readonly=True) as s:
        channel = crud.get_channel_by_username(s, username)
        return channel.consecutive_errors if channel else 0


async def _wait_for(pred: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(pred):  # type: ignore[arg-type]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


# --- restart safety: kill -9 mid-poll, start again ------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def _watch(db: str, tme: TmeStandin, registry: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "SITREP_TELEGRAM_WEB_URL": tme.base_url,
        "SITREP_CHANNELS_FILE": str(registry),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "sitrep.cli", "watch", "--interval", "0.05"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_mid_poll_loses_and_repeats_nothing(db_url: str, tmp_path: Path) -> None:
    registry = tmp_path / "channels.json"
    registry.write_text(
        json.dumps({"channels": [{"username": "kpszsu", "kind": "air_force", "confirmed": True}]})
    )
    texts = [ALERT, DRONES, "Швидкісна ціль на Кременчук!", "Пуски КАБ на Сумщину."]
    rng = random.Random(7)
    with TmeStandin(page_size=5) as tme:
        tme.add_channel("kpszsu")
        tme.misbehave("kpszsu", delay=0.02)  # slow pages: kills land inside polls
        # A new channel starts from its latest page (no backfill of old history), so the first
        # batch fits in one page; after that every post must arrive, however the child dies.
        expected = {tme.add_post("kpszsu", t): t for t in texts[:3]}
        engine = make_engine(db_url)
        try:
            proc = _watch(db_url, tme, registry)
            _until(lambda: _last_seen(engine) == 3, 30)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            for round_ in range(6):
                for k in range(7):  # more than a page per round: the restart must page back
                    t = texts[(round_ + k) % len(texts)]
                    expected[tme.add_post("kpszsu", t)] = t
                before = _last_seen(engine)
                proc = _watch(db_url, tme, registry)
                if round_ < 5:
                    _until(lambda b=before: _last_seen(engine) > b or len(tme.requests) > 0, 20)
                    time.sleep(rng.uniform(0.0, 0.15))
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(10)
                    tme.clear_requests()
            _until(lambda: _last_seen(engine) >= max(expected), 30)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(10) == 0
            with session_scope(engine, readonly=True) as s:
                posts = s.exec(select(Post)).all()
                assert sorted(p.message_id for p in posts) == sorted(expected)
                assert all(p.version == 1 and p.parsed_at is not None for p in posts)
                n_events = s.exec(select(func.count()).select_from(Event)).one()
            assert n_events == sum(len(parse(t, "air_force")) for t in expected.values())
        finally:
            engine.dispose()


def _until(pred: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def _last_seen(engine: Engine) -> int:
    try:
        with session_scope(engine, readonly=True) as s:
            channel = crud.get_channel_by_username(s, "kpszsu")
            return channel.last_seen_id if channel else 0
    except Exception:  # the schema may not exist yet while the child migrates
        return 0
