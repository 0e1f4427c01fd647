"""Pruning on SQLite and PostgreSQL: old rows go, recent and live ones stay; the job is
scheduled daily and shortly after the start."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.config import Settings
from bot.metrics import Metrics
from bot.prune import Pruner
from handlers import upkeep
from storage import crud
from storage.db import session_scope
from storage.models import Broadcast, Event, Happening, LiveMessage, Outbox, Post
from tests.support.kit import running_bot

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=1)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


class Seed:
    """Old and recent rows of every pruned table, some of them live."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.posts: dict[str, int] = {}
        self.events: dict[str, int] = {}
        self.outbox: dict[str, int] = {}
        self.happenings: dict[str, int] = {}
        with session_scope(engine) as s:
            for chat in (1, 2, 3):
                crud.upsert_chat(s, chat, type="private")
            gov = crud.upsert_channel(s, "gov", kind="governor", enabled=True, confirmed=True)
            alerts = crud.upsert_channel(s, "alerts", kind="alerts", enabled=True, confirmed=True)
            assert gov.id is not None and alerts.id is not None
            self.gov, self.alerts = gov.id, alerts.id
        self.post("old", self.gov, 1, OLD, "drones", ["UA-74"])
        self.post("old_queued", self.gov, 2, OLD, "drones", ["UA-74"])
        self.post("old_in_window", self.gov, 180, OLD, "drones", ["UA-74"])  # re-read for edits
        self.post("recent", self.gov, 200, RECENT, "drones", ["UA-74"])
        # Luhansk has been under alert for years: its newest start stays, an older one goes.
        self.post("alert_older", self.alerts, 1, days_ago(500), "air_alert_start", ["UA-09"])
        self.post("alert_newest", self.alerts, 2, days_ago(400), "air_alert_start", ["UA-09"])
        self.post("alert_ended", self.alerts, 3, days_ago(60), "air_alert_start", ["UA-74"])
        self.post("alert_end", self.alerts, 4, days_ago(59), "air_alert_end", ["UA-74"])
        self.post("alert_recent", self.alerts, 100, RECENT, "air_alert_start", ["UA-74"])
        self.queue("old_queued", 1, "pending", OLD)
        self.queue("recent", 1, "sent", days_ago(10))  # final, past the outbox retention
        self.queue("recent", 2, "dead", days_ago(8))
        self.queue("recent", 3, "sent", days_ago(0.5))
        self.queue("alert_recent", 1, "failed", days_ago(10))  # will be retried: live
        self.queue("alert_recent", 2, "expired", days_ago(9))
        self.happening("old_incident", "report", OLD, ended=True)
        self.happening("old_open_alert", "air_alert", OLD, ended=False)
        self.happening("old_ended_alert", "air_alert", OLD, ended=True)
        self.happening("recent_incident", "report", RECENT, ended=True)
        live = self.happening("old_unsent", "threat", OLD, ended=True)
        with session_scope(engine) as s:
            crud.enqueue_live(
                s, [(self.events["recent"], 2, live, 1)], now=OLD, media={live: "map:wanted"}
            )
            for key in ("map:wanted", "map:sent"):  # pictures: one an unsent row still names
                crud.put_media(s, key, b"png", now=days_ago(10))
            crud.put_media(s, "map:new", b"png", now=RECENT)

    def post(
        self, key: str, channel: int, message_id: int, at: datetime, kind: str, regions: list[str]
    ) -> None:
        with session_scope(self.engine) as s:
            post, _ = crud.upsert_post(
                s, channel_id=channel, message_id=message_id, text=key, published_at=at, now=at
            )
            assert post.id is not None
            data = crud.EventData(kind, regions, occurred_at=at)
            [event] = crud.replace_events_for_post(s, post.id, [data], now=at).created
            crud.advance_last_seen_id(s, channel, message_id)
            assert event.id is not None
            self.posts[key], self.events[key] = post.id, event.id

    def queue(self, key: str, chat: int, status: str, at: datetime) -> None:
        with session_scope(self.engine) as s:
            [row] = crud.enqueue(s, self.events[key], [chat], now=at)
            s.execute(update(Outbox).where(col(Outbox.id) == row).values(status=status))
            self.outbox[f"{key}/{chat}/{status}"] = row

    def happening(self, key: str, kind: str, at: datetime, *, ended: bool) -> int:
        """A happening last updated at ``at`` with a live message; returns that message's id."""
        with session_scope(self.engine) as s:
            row = crud.add_happening(s, kind, "UA-74", at, ended_at=at if ended else None, now=at)
            assert row.id is not None
            self.happenings[key] = row.id
            live = crud.add_live(s, row.id, 0, [(1, key)], now=at)
            return live[1]


def settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


def ids(engine: Engine, model: type[Post] | type[Outbox] | type[Happening]) -> set[int]:
    with session_scope(engine, readonly=True) as s:
        return {int(i) for i in s.exec(select(model.id)).all() if i is not None}


async def test_old_rows_go_recent_and_live_ones_stay(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    seed = Seed(engine)
    metrics = Metrics()
    pruner = Pruner(engine, settings(), metrics, batch=2, pause_s=0)  # batches of 2: many rounds
    with caplog.at_level(logging.INFO, logger="bot.prune"):
        done = await pruner.run(NOW)

    kept_posts = {
        "old_queued",  # its message is still to send
        "old_in_window",  # the poller re-reads it for edits
        "recent",
        "alert_newest",  # Luhansk's alert began 400 days ago and goes on
        "alert_end",  # the newest all-clear of UA-74
        "alert_recent",
    }
    assert ids(engine, Post) == {seed.posts[k] for k in kept_posts}
    with session_scope(engine, readonly=True) as s:
        events = {int(e) for e in s.exec(select(Event.id)).all() if e is not None}
        assert events == {seed.events[k] for k in kept_posts}
        left = {(r.event_id, r.chat_id, r.status) for r in s.exec(select(Outbox)).all()}
    assert left == {
        (seed.events["old_queued"], 1, "pending"),
        (seed.events["recent"], 3, "sent"),
        (seed.events["alert_recent"], 1, "failed"),
        (seed.events["recent"], 2, "pending"),  # the old happening's unsent message
    }
    assert ids(engine, Happening) == {
        seed.happenings[k] for k in ("old_open_alert", "recent_incident", "old_unsent")
    }
    with session_scope(engine, readonly=True) as s:
        assert len(s.exec(select(LiveMessage)).all()) == 3
    assert done["posts"] == 3 and done["events"] == 3  # old, alert_older, alert_ended
    assert done["outbox"] == 3  # final and past the outbox retention: sent, dead, expired
    assert done["happenings"] == 2 and done["live_messages"] == 2
    assert done["media"] == 1
    with session_scope(engine, readonly=True) as s:
        assert {k for k in ("map:wanted", "map:sent", "map:new") if crud.get_media(s, k)} == {
            "map:wanted",
            "map:new",
        }
    [line] = [r for r in caplog.records if r.message == "prune.done"]
    assert line.__dict__["posts"] == 3 and line.__dict__["retention_days"] == 30
    text = metrics.render().decode()
    assert 'sitrep_pruned_rows_total{table="posts"} 3.0' in text
    assert 'sitrep_pruned_rows_total{table="happenings"} 2.0' in text

    again = await pruner.run(NOW)  # nothing more to do
    assert sum(again.values()) == 0


async def test_retention_comes_from_the_settings(engine: Engine) -> None:
    seed = Seed(engine)
    await Pruner(engine, settings(retention_days=90, outbox_retention_days=30)).run(NOW)
    assert seed.posts["old"] in ids(engine, Post)  # 40 days < 90
    assert seed.outbox["recent/1/sent"] in ids(engine, Outbox)  # 10 days < 30
    await Pruner(engine, settings(retention_days=8, outbox_retention_days=1)).run(NOW)
    assert seed.posts["old"] not in ids(engine, Post)
    assert ids(engine, Outbox) & set(seed.outbox.values()) == {
        seed.outbox["old_queued/1/pending"],
        seed.outbox["alert_recent/1/failed"],
        seed.outbox["recent/3/sent"],  # half a day old
    }


async def test_an_unreported_broadcast_keeps_its_rows(engine: Engine) -> None:
    seed = Seed(engine)
    with session_scope(engine) as s:
        bid = crud.add_broadcast(s, seed.events["recent"], 1, "en", 3, now=days_ago(10))
    await Pruner(engine, settings(outbox_retention_days=1)).run(NOW)
    assert seed.outbox["recent/1/sent"] in ids(engine, Outbox)  # its report is still due
    with session_scope(engine) as s:
        s.execute(update(Broadcast).values(reported_at=days_ago(9)))
    await Pruner(engine, settings(outbox_retention_days=1)).run(NOW)
    assert seed.outbox["recent/1/sent"] not in ids(engine, Outbox)
    with session_scope(engine, readonly=True) as s:
        assert s.get(Broadcast, bid) is not None  # the broadcast itself: by the longer retention


async def test_the_job_runs_shortly_after_the_start_and_daily(tmp_path: Path) -> None:
    async with running_bot(tmp_path, prune_job=True) as bot:
        [job] = bot.app.job_queue.get_jobs_by_name(upkeep.JOB_NAME)
        assert job.job.trigger.interval == timedelta(days=1)
        wait = job.next_t - datetime.now(UTC)
        assert timedelta(seconds=30) < wait <= timedelta(minutes=1)
        assert isinstance(job.data, Pruner)
    async with running_bot(tmp_path / "b") as bot:  # the handler tests' kit leaves it off
        assert not bot.app.job_queue.get_jobs_by_name(upkeep.JOB_NAME)
