"""alerts.in.ua source: diffed alerts stored as alert-channel posts, 304/401/429, restarts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.metrics import Metrics
from bot.parsing import parse
from bot.pipeline import Pipeline
from bot.sources.alerts_in_ua import (
    CHANNEL,
    OBLAST_UIDS,
    AlertsApiService,
    Transition,
    parse_alerts,
    render,
)
from bot.standins.alerts_api import T0, AlertsApiStandin, alert
from bot.watch import SourceService, alerts_service
from storage import crud
from storage.db import session_scope
from storage.models import Event, Post

KYIV = ZoneInfo("Europe/Kyiv")
SUMY = alert(1, "Сумська область", oblast_uid=20, started_at=T0)
LUHANSK = alert(2, "Луганська область", oblast_uid=16, started_at=datetime(2022, 4, 4, tzinfo=UTC))
RAION = alert(
    3,
    "Нікопольський район",
    oblast_uid=9,
    location_type="raion",
    started_at=T0 + timedelta(hours=1),
)
HROMADA = alert(
    4,
    "Покровська територіальна громада",  # the name exists in several oblasts
    oblast_uid=9,
    location_type="hromada",
    started_at=T0 + timedelta(hours=1),
)
CITY = alert(
    5, "м. Харків", oblast_uid=22, location_type="city", started_at=T0 + timedelta(hours=1)
)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.now = at.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def api() -> Iterator[AlertsApiStandin]:
    with AlertsApiStandin(token="good") as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as c:
        yield c


def _service(
    engine: Engine, api: AlertsApiStandin, client: httpx.AsyncClient, clock: Clock, **kw: object
) -> AlertsApiService:
    token = str(kw.pop("token", "good"))
    return AlertsApiService(
        engine, Pipeline(engine), client, token, api.base_url, 15, clock=clock, rand=lambda: 1.0
    )


def _events(engine: Engine) -> list[tuple[int, str, list[str]]]:
    with session_scope(engine, readonly=True) as s:
        rows = s.exec(select(Post.message_id, Event.kind, Event.regions).join(Event)).all()
        return sorted((m, k, list(r)) for m, k, r in rows)


def _posts(engine: Engine) -> list[tuple[int, str]]:
    with session_scope(engine, readonly=True) as s:
        return sorted((p.message_id, p.text) for p in s.exec(select(Post)).all())


# --- texts the parser understands ------------------------------------------------------------


@pytest.mark.parametrize("uid", sorted(OBLAST_UIDS))
def test_every_oblast_text_parses_to_its_region(uid: int) -> None:
    title = "x" if uid not in (31, 30) else "м. Київ"
    (a,) = parse_alerts({"alerts": [alert(7, title, oblast_uid=uid)]}).alerts
    for kind in ("start", "end"):
        post = render(Transition(kind, a.id, a.place, T0), KYIV)
        (event,) = parse(post.text, "alerts", None)
        assert (event.kind, event.regions) == (f"air_alert_{kind}", (OBLAST_UIDS[uid],))


@pytest.mark.parametrize(
    ("item", "region"),
    [(RAION, "UA-12"), (HROMADA, "UA-12"), (CITY, "UA-63"), (SUMY, "UA-59")],
)
def test_sub_oblast_places_map_to_their_oblast(item: dict[str, object], region: str) -> None:
    (a,) = parse_alerts({"alerts": [item]}).alerts
    post = render(Transition("start", a.id, a.place, a.started_at), KYIV)
    assert post.message_id == a.id * 2
    assert post.text.startswith("🔴 ")
    assert [(e.kind, e.regions) for e in parse(post.text, "alerts", None)] == [
        ("air_alert_start", (region,))
    ]


def test_unreadable_entries_are_set_apart_by_id() -> None:
    no_type = dict(alert(11, "Сумська область", oblast_uid=20), alert_type=None)
    body = {
        "alerts": [
            {"id": 10},  # no started_at
            SUMY,
            {"id": "x", "started_at": "bad", "location_title": "a"},  # not even an id
            dict(SUMY, id=12, started_at="yesterday"),
            dict(
                SUMY, id=13, location_oblast_uid=999, location_oblast="", location_title="Атлантида"
            ),
            no_type,  # never guessed to be an air raid
            "not an object",
        ]
    }
    found = parse_alerts(body)
    assert [a.id for a in found.alerts] == [1]
    assert found.unreadable == {10, 11, 12, 13} and found.problems == 6


def _sumy(**changes: object) -> dict[str, object]:
    return dict(SUMY, **changes)


@pytest.mark.parametrize(
    "broken",
    [
        _sumy(started_at="not a date"),
        _sumy(location_oblast_uid=999, location_oblast="", location_title="?"),
        _sumy(alert_type=None),
        _sumy(location_title=None, started_at=None),
        _sumy(id="x"),
        {k: v for k, v in SUMY.items() if k != "id"},
    ],
    ids=["bad_started_at", "unknown_oblast", "no_alert_type", "fields_missing", "bad_id", "no_id"],
)
async def test_an_unreadable_entry_never_ends_its_alert(
    engine: Engine, api: AlertsApiStandin, client: httpx.AsyncClient, broken: dict[str, object]
) -> None:
    metrics = Metrics()
    clock = Clock(T0 + timedelta(minutes=2))
    service = AlertsApiService(
        engine, Pipeline(engine), client, "good", api.base_url, 15, clock=clock, metrics=metrics
    )
    await asyncio.to_thread(service._register)
    api.set_alerts([SUMY])
    assert (await service.poll_once()).posts == 1  # the start
    for _ in range(3):  # the entry turns unreadable and stays so for a while
        clock.advance(60)
        api.set_alerts([broken])
        outcome = await service.poll_once()
        assert (outcome.status, outcome.posts, outcome.alerts) == ("ok", 0, 1)
    assert service.unreadable_entries == 3
    assert b'sitrep_source_unreadable_total{source="alerts_in_ua"} 3.0' in metrics.render()
    # A restart while it is unreadable does not read it as ended either.
    restarted = _service(engine, api, client, clock)
    assert (await restarted.poll_once()).posts == 0
    # Readable again: no second start. Gone from the answer: now, and only now, it has ended.
    clock.advance(60)
    api.set_alerts([SUMY])
    assert (await restarted.poll_once()).posts == 0
    clock.advance(60)
    api.set_alerts([])
    assert (await restarted.poll_once()).posts == 1
    assert [k for _, k, _ in _events(engine)] == ["air_alert_start", "air_alert_end"]


# --- service against the stand-in --------------------------------------------------------------


async def test_starts_and_ends_are_stored_through_the_pipeline(
    engine: Engine, api: AlertsApiStandin, client: httpx.AsyncClient
) -> None:
    clock = Clock(T0 + timedelta(minutes=2))
    service = _service(engine, api, client, clock)
    await asyncio.to_thread(service._register)
    api.set_alerts(
        [SUMY, LUHANSK, alert(9, "Сумська область", oblast_uid=20, alert_type="nuclear")]
    )
    first = await service.poll_once()
    # Sumy started 2 min ago: caught up; Luhansk (since 2022) is the silent baseline.
    assert (first.status, first.alerts, first.posts) == ("ok", 2, 1)
    assert _events(engine) == [(2, "air_alert_start", ["UA-59"])]

    clock.advance(3600)
    api.set_alerts([SUMY, LUHANSK, RAION, HROMADA, CITY])
    second = await service.poll_once()
    assert (second.posts, second.events_created) == (3, 3)

    clock.advance(600)
    finished = dict(RAION, finished_at="2026-11-24T03:20:00.000Z")
    api.set_alerts([finished, HROMADA, CITY])
    third = await service.poll_once()
    assert third.posts == 3  # Sumy and Luhansk vanished, the raion is listed as finished
    assert _events(engine) == [
        (2, "air_alert_start", ["UA-59"]),
        (3, "air_alert_end", ["UA-59"]),
        (5, "air_alert_end", ["UA-09"]),
        (6, "air_alert_start", ["UA-12"]),
        (7, "air_alert_end", ["UA-12"]),
        (8, "air_alert_start", ["UA-12"]),
        (10, "air_alert_start", ["UA-63"]),
    ]
    texts = dict(_posts(engine))
    assert texts[2] == "🔴 04:00 Повітряна тривога в Сумська область."
    assert texts[7] == "🟢 05:20 Відбій тривоги в Нікопольський район, Дніпропетровська область."
    with session_scope(engine, readonly=True) as s:
        channel = crud.get_channel_by_username(s, CHANNEL)
        assert channel is not None and channel.kind == "alerts" and channel.last_poll_ok


async def test_unchanged_answers_304(
    engine: Engine, api: AlertsApiStandin, client: httpx.AsyncClient
) -> None:
    service = _service(engine, api, client, Clock(T0))
    await asyncio.to_thread(service._register)
    api.set_alerts([SUMY])
    assert (await service.poll_once()).status == "ok"
    again = await service.poll_once()
    assert (again.status, again.alerts, again.posts) == ("not_modified", 1, 0)
    first, second = api.requests
    assert "if-modified-since" not in first.headers
    assert second.headers["if-modified-since"] and second.status == 304
    api.set_alerts([])
    ended = await service.poll_once()
    assert (ended.status, ended.posts) == ("ok", 1)


async def test_bad_token_stops_polling_with_an_error(
    engine: Engine,
    api: AlertsApiStandin,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = _service(engine, api, client, Clock(T0), token="wrong")
    with caplog.at_level(logging.ERROR):
        await service.start()
        for _ in range(100):
            if not service.running:
                break
            await asyncio.sleep(0.02)
        assert not service.running
    await service.stop()
    assert service.error == "HTTP 401: token rejected"
    assert [r.status for r in api.requests] == [401]
    assert any(r.message == "alerts_in_ua.unauthorized" for r in caplog.records)
    with session_scope(engine, readonly=True) as s:
        channel = crud.get_channel_by_username(s, CHANNEL)
        assert channel is not None and channel.last_error and not channel.last_poll_ok


async def test_rate_limit_honours_retry_after_and_backs_off(
    engine: Engine, api: AlertsApiStandin, client: httpx.AsyncClient
) -> None:
    clock = Clock(T0)
    service = _service(engine, api, client, clock)
    await asyncio.to_thread(service._register)
    api.set_alerts([SUMY])
    api.rate_limit, api.retry_after = 2, "40"
    limited = await service.poll_once()
    assert limited.status == "rate_limited" and limited.retry_at == clock.now + 40
    api.retry_after = None  # no header: exponential backoff, at least the interval
    again = await service.poll_once()
    assert again.status == "rate_limited" and again.retry_at == clock.now + 30  # 15 * 2**1
    api.server_error = 1
    failed = await service.poll_once()
    assert failed.status == "error" and failed.retry_at == clock.now + 60
    ok = await service.poll_once()
    assert (ok.status, ok.posts) == ("ok", 1)
    assert service._backoff.attempts == 0


async def test_run_loop_waits_for_retry_after(
    engine: Engine, api: AlertsApiStandin, client: httpx.AsyncClient
) -> None:
    api.rate_limit, api.retry_after = 1, "3600"
    service = AlertsApiService(engine, Pipeline(engine), client, "good", api.base_url, 7.5)
    await service.start()
    await asyncio.sleep(0.3)
    await service.stop()
    assert [r.status for r in api.requests] == [429]  # no retry before the hour


async def test_restart_never_duplicates_starts_or_ends(
    engine: Engine, api: AlertsApiStandin, client: httpx.AsyncClient
) -> None:
    clock = Clock(T0 + timedelta(minutes=1))
    api.set_alerts([SUMY, LUHANSK])
    one = _service(engine, api, client, clock)
    await asyncio.to_thread(one._register)
    assert (await one.poll_once()).posts == 1
    stored = _posts(engine)

    # Restart while the alert is still on: nothing new (open start found; same id, same text).
    clock.advance(30)
    two = _service(engine, api, client, clock)
    assert (await two.poll_once()).posts == 0
    assert _posts(engine) == stored

    # The alert ends while the bot is down: the next start reports the end once.
    api.set_alerts([LUHANSK])
    clock.advance(300)
    three = _service(engine, api, client, clock)
    assert (await three.poll_once()).posts == 1
    four = _service(engine, api, client, clock)
    assert (await four.poll_once()).posts == 0
    assert _events(engine) == [(2, "air_alert_start", ["UA-59"]), (3, "air_alert_end", ["UA-59"])]

    # Re-sending a stored transition is a no-op in the pipeline.
    (a,) = parse_alerts({"alerts": [SUMY]}).alerts
    again = await Pipeline(engine).ingest(
        CHANNEL, [render(Transition("start", a.id, a.place, a.started_at), KYIV)]
    )
    assert (again.new, again.unchanged, again.events_created) == (0, 1, 0)


async def test_wiring_settings_and_channel_poller_skip(
    engine: Engine, api: AlertsApiStandin, client: httpx.AsyncClient
) -> None:
    pipeline = Pipeline(engine)
    assert alerts_service(Settings(alerts_in_ua_token=None), engine, pipeline, client) is None
    settings = Settings(alerts_in_ua_token="good", alerts_in_ua_url=api.base_url)  # type: ignore[arg-type]
    service = alerts_service(settings, engine, pipeline, client)
    assert service is not None and service.interval == 15.0
    assert service.url == f"{api.base_url}/v1/alerts/active.json"
    await asyncio.to_thread(service._register)
    sources = SourceService(engine, pipeline, source=None)  # type: ignore[arg-type]
    intervals, _ = sources._load()
    assert CHANNEL not in intervals


async def test_channel_health_writes_are_throttled_while_ok(engine: Engine) -> None:
    from bot.registry import ChannelSpec, seed_channels
    from bot.sources.poller import PollOutcome

    seed_channels(engine, [ChannelSpec("kpszsu", "air_force", None, True, "ПС ЗСУ", 10)])
    service = SourceService(engine, Pipeline(engine), source=None)  # type: ignore[arg-type]

    def state() -> tuple[object, bool | None, int]:
        with session_scope(engine, readonly=True) as s:
            c = crud.get_channel_by_username(s, "kpszsu")
            assert c is not None
            return c.last_poll_at, c.last_poll_ok, c.consecutive_errors

    await service._on_poll("kpszsu", PollOutcome("ok"))
    first = state()
    await service._on_poll("kpszsu", PollOutcome("ok"))
    assert state() == first  # unchanged state within health_every: not written
    await service._on_poll("kpszsu", PollOutcome("error", error="HTTP 500"))
    assert state()[1:] == (False, 1)  # failures always written
    await service._on_poll("kpszsu", PollOutcome("ok"))
    assert state()[1:] == (True, 0)  # recovery written at once


async def test_yellow_level_and_threats_reach_the_alert_message(
    engine: Engine, api: AlertsApiStandin, client: httpx.AsyncClient
) -> None:
    """alerts.in.ua's alert_level and threats: a yellow alert is marked as such and the weapon
    types are in the alert's own message (one post, one message)."""
    from bot.alerting import OutboxSink
    from bot.alerting.happenings import view_of
    from bot.alerting.render import render as render_alert
    from storage.models import Happening

    clock = Clock(T0 + timedelta(minutes=1))
    pipeline = Pipeline(engine, OutboxSink())
    service = AlertsApiService(
        engine, pipeline, client, "good", api.base_url, 15, clock=clock, rand=lambda: 1.0
    )
    await asyncio.to_thread(service._register)
    await service.poll_once()
    clock.advance(60)
    yellow = alert(31, "Сумська область", oblast_uid=20, alert_level="yellow",
                   threats=["drones", "ballistic", "something_new"],
                   started_at=datetime.fromtimestamp(clock(), UTC))  # fmt: skip
    api.set_alerts([yellow])
    await service.poll_once()
    texts = dict(_posts(engine))
    assert texts[62].endswith("Повітряна тривога (жовтий рівень) в Сумська область.\nЗагрози: БпЛА, ракети.")  # fmt: skip
    with session_scope(engine, readonly=True) as s:
        (episode,) = s.exec(select(Happening)).all()
        text = render_alert(view_of(episode, 0), "uk")
    assert text.startswith("🟡 <b>Загроза (жовта тривога)</b> · Сумщина\nЗагрози: БпЛА, ракети")
    assert (62, "air_alert_start", ["UA-59"]) in _events(engine)
