"""The /latest summary builder and its queries, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.digest import digest_text
from bot.latest import fmt_num, fmt_time, latest_summary, staleness
from bot.pipeline import IncomingPost, Pipeline
from bot.registry import ChannelSpec, seed_channels
from storage import crud
from storage.db import session_scope
from storage.models import ALL_TOPICS_MASK, TOPICS

KYIV = ZoneInfo("Europe/Kyiv")
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
SPECS = [
    ChannelSpec("air_alert_ua", "alerts", None, True, "alerts", 10),
    ChannelSpec("kpszsu", "air_force", None, True, "air force", 10),
    ChannelSpec("kharkivoda", "governor", "UA-63", True, "ОВА", 30),
]


async def _ingest(engine: Engine) -> None:
    seed_channels(engine, SPECS)
    pipeline = Pipeline(engine)
    posts = [
        ("air_alert_ua", 1, "🔴 06:10 Повітряна тривога в Харківська область.", 110),
        ("air_alert_ua", 2, "🟢 06:40 Відбій тривоги в Харківська область.", 80),
        ("air_alert_ua", 3, "🔴 07:30 Повітряна тривога в Харківська область.", 30),
        ("kharkivoda", 7, "Харків: обстріл, поранені 3 людини. <script>", 20),
        ("kharkivoda", 6, "Вибухи в Харкові вчора ввечері.", 60 * 20),  # older than 12 h
    ]
    for channel, mid, text, minutes in posts:
        post = IncomingPost(channel, mid, NOW - timedelta(minutes=minutes), text)
        await pipeline.ingest(channel, [post])
    with session_scope(engine) as s:
        for c in crud.list_channels(s):
            assert c.id is not None
            crud.record_poll(s, c.id, ok=True, now=NOW - timedelta(seconds=5))


async def test_latest_summary_reads_the_last_12_hours(engine: Engine) -> None:
    await _ingest(engine)
    with session_scope(engine, readonly=True) as s:
        uk = latest_summary(s, "UA-63", NOW, "uk", KYIV)
        en = latest_summary(s, "UA-63", NOW, "en", KYIV)
        empty = latest_summary(s, "UA-46", NOW, "uk", KYIV)
    assert "🔴 повітряна тривога з 09:30" in uk
    assert "Обстріл — Харків ·" in uk and "Постраждалі — Харків; поранених 3" in uk
    assert '<a href="https://t.me/kharkivoda/7">джерело</a>' in uk
    assert "Вибухи" not in uk  # 20 hours old
    assert "<script>" not in uk
    assert "Casualties — Kharkiv; injured 3" in en
    assert "За цей час подій у регіоні не зафіксовано." in empty


async def test_alert_states_and_digest(engine: Engine) -> None:
    await _ingest(engine)
    with session_scope(engine, readonly=True) as s:
        states = crud.alert_states(s, ["UA-63", "UA-46"])
        text = digest_text(s, ["UA-63", "UA-46"], ALL_TOPICS_MASK, NOW, "en", KYIV)
        nothing = digest_text(s, ["UA-46"], ALL_TOPICS_MASK, NOW, "en", KYIV)
        alerts_only = 1 << TOPICS.index("air_alerts")
        only = digest_text(s, ["UA-63"], alerts_only, NOW, "uk", KYIV)
    assert states["UA-63"].active and states["UA-63"].started_at == NOW - timedelta(minutes=30)
    assert not states["UA-46"].active and states["UA-46"].started_at is None
    assert text is not None and "Air-raid alerts: 2" in text and "Explosions" in text
    assert "Lviv" not in text
    assert nothing is None
    assert only is not None and "Обстріл" not in only and "Повітряних тривог: 2" in only


def test_staleness_rules() -> None:
    def health(**kw: object) -> crud.ChannelHealth:
        base: dict[str, object] = {
            "username": "air_alert_ua",
            "kind": "alerts",
            "default_region": None,
            "poll_interval_s": 10,
            "last_poll_at": NOW - timedelta(seconds=5),
            "last_poll_ok": True,
            "consecutive_errors": 0,
            "last_post_at": None,
        }
        base.update(kw)
        return crud.ChannelHealth(**base)  # type: ignore[arg-type]

    assert staleness([health()], NOW) is None
    assert staleness([], NOW) is not None  # no source at all is not "all clear"
    old = staleness([health(last_poll_at=NOW - timedelta(minutes=10))], NOW)
    assert old is not None and old.since == NOW - timedelta(minutes=10)
    failing = staleness([health(last_poll_ok=False, consecutive_errors=4, last_post_at=NOW)], NOW)
    assert failing is not None and failing.since is not None and failing.since < NOW
    never_ok = staleness([health(last_poll_ok=False, consecutive_errors=4)], NOW)
    assert never_ok is not None and never_ok.since is None  # not "stale since <start>"
    never = staleness([health(last_poll_at=None, last_poll_ok=None)], NOW)
    assert never is not None and never.since is None
    regional = health(username="kharkivoda", kind="governor", default_region="UA-63",
                      last_poll_at=NOW - timedelta(hours=1))  # fmt: skip
    assert staleness([health(), regional], NOW, "UA-63") is not None
    assert staleness([health(), regional], NOW, "UA-46") is None


def test_locale_formats() -> None:
    assert fmt_num("uk", 30000) == "30\u00a0000" and fmt_num("en", 30000) == "30,000"
    assert fmt_time("uk", NOW, NOW, KYIV) == "10:00"
    assert fmt_time("en", NOW - timedelta(days=1), NOW, KYIV) == "Nov 23, 10:00"
    assert fmt_time("uk", NOW - timedelta(days=1), NOW, KYIV) == "23 лист. 10:00"


def test_latest_tells_now_apart_from_what_happened() -> None:
    from bot.latest import Staleness, render_latest

    def row(i: int, kind: str, minutes: int, live: bool, region: str = "UA-74") -> crud.EventRow:
        return crud.EventRow(i, kind, region, [region], {}, [], NOW - timedelta(minutes=minutes),
                             "kpszsu", i, live=live)  # fmt: skip

    rows = [
        row(1, "drones", 10, True),  # a drone group now
        row(2, "drones", 300, False, "UA"),  # the night's summary: a report
        row(3, "missiles", 200, True),  # a threat, but hours ago: what happened
        row(4, "shelling", 30, False),
    ]
    on = crud.AlertState("UA-74", NOW - timedelta(minutes=20), None)
    text = render_latest("uk", "UA-74", rows, on, None, NOW, KYIV)
    now, happened = text.split("Що сталося")
    assert "Зараз" in now and "🔴 повітряна тривога з 09:40" in now and "Ударні БпЛА" in now
    assert "Ракети" not in now and "уся Україна" not in now
    assert "Обстріл" in happened and "уся Україна" in happened and "Загрози" not in text
    # a stale source: said first, and no green "no alert" line after it
    off = crud.AlertState("UA-74", NOW - timedelta(hours=3), NOW - timedelta(hours=2))
    stale = Staleness(NOW - timedelta(minutes=30), ("air_alert_ua",))
    text = render_latest("uk", "UA-74", rows, off, stale, NOW, KYIV)
    assert "🟢" not in text and "стан тривоги невідомий" in text
