"""ChannelPoller against the local t.me stand-in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.sources.poller import ChannelPoller, PollOutcome
from bot.sources.telegram_web import TelegramWebSource
from bot.sources.tme_html import ChannelPost
from bot.standins.tme_render import ALERT_POSTS, KPSZSU_POSTS, ODA_POSTS
from bot.standins.tme_server import TmeStandin


class Sink:
    def __init__(self) -> None:
        self.posts: dict[str, list[ChannelPost]] = {}
        self.outcomes: dict[str, list[PollOutcome]] = {}
        self.fail_next = 0

    async def on_posts(self, username: str, posts: list[ChannelPost]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("storage down")
        self.posts.setdefault(username, []).extend(posts)

    async def on_poll(self, username: str, outcome: PollOutcome) -> None:
        self.outcomes.setdefault(username, []).append(outcome)

    def ids(self, username: str) -> list[int]:
        return [p.message_id for p in self.posts.get(username, [])]


@pytest.fixture
def tme() -> Iterator[TmeStandin]:
    with TmeStandin() as standin:
        for name, posts in (
            ("kpszsu", KPSZSU_POSTS),
            ("air_alert_ua", ALERT_POSTS),
            ("adm_dp", ODA_POSTS),
        ):
            standin.add_channel(name)
            standin.add_posts(name, posts)
        yield standin


@pytest.fixture
async def source(tme: TmeStandin) -> AsyncIterator[TelegramWebSource]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(3.0)) as client:
        yield TelegramWebSource(
            client, base_url=tme.base_url, backoff_base=0.05, backoff_cap=0.2, backoff_floor=0.01
        )


async def wait_for(cond: object, timeout: float = 3.0) -> None:
    assert callable(cond)
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_poll_once_delivers_then_advances(tme: TmeStandin, source: TelegramWebSource) -> None:
    sink = Sink()
    poller = ChannelPoller(source, {"kpszsu": 60}, on_posts=sink.on_posts, on_poll=sink.on_poll)
    outcome = await poller.poll_once("kpszsu")
    assert outcome.ok and outcome.posts == len(KPSZSU_POSTS)
    assert poller.last_seen == {"kpszsu": len(KPSZSU_POSTS)}
    new = tme.add_post("kpszsu", "🛵 БпЛА на Черкащину")
    assert (await poller.poll_once("kpszsu")).posts == 1
    assert sink.ids("kpszsu")[-1] == new
    assert (await poller.poll_once("kpszsu")).posts == 0


async def test_callback_failure_does_not_advance(
    tme: TmeStandin, source: TelegramWebSource
) -> None:
    sink = Sink()
    poller = ChannelPoller(source, {"adm_dp": 60}, on_posts=sink.on_posts, last_seen={"adm_dp": 1})
    sink.fail_next = 1
    outcome = await poller.poll_once("adm_dp")
    assert outcome.status == "error" and outcome.kind == "callback"
    assert poller.last_seen["adm_dp"] == 1
    assert (await poller.poll_once("adm_dp")).posts == 2
    assert sink.ids("adm_dp") == [2, 3]
    assert poller.last_seen["adm_dp"] == 3


async def test_edit_delivered_once(tme: TmeStandin, source: TelegramWebSource) -> None:
    sink = Sink()
    poller = ChannelPoller(source, {"adm_dp": 60}, on_posts=sink.on_posts)
    await poller.poll_once("adm_dp")
    tme.edit_post("adm_dp", 1, ODA_POSTS[0].replace("3 людей", "4 людей"))
    assert (await poller.poll_once("adm_dp")).posts == 1
    assert (await poller.poll_once("adm_dp")).posts == 0
    assert "4 людей" in sink.posts["adm_dp"][-1].text and sink.posts["adm_dp"][-1].edited


async def test_rate_limit_reported_with_retry_at(
    tme: TmeStandin, source: TelegramWebSource
) -> None:
    sink = Sink()
    tme.misbehave("kpszsu", rate_limit=1, retry_after="30")
    poller = ChannelPoller(source, {"kpszsu": 60}, on_posts=sink.on_posts, on_poll=sink.on_poll)
    before = time.time()
    outcome = await poller.poll_once("kpszsu")
    assert outcome.kind == "rate_limited" and outcome.error
    assert outcome.retry_at is not None and outcome.retry_at >= before + 30
    assert sink.outcomes["kpszsu"] == [outcome]


async def test_broken_and_slow_channels_do_not_stall_others(
    tme: TmeStandin, source: TelegramWebSource
) -> None:
    tme.misbehave("air_alert_ua", delay=2.5)  # slow: one poll occupies a slot for 2.5 s
    tme.misbehave("adm_dp", server_error=10_000)  # broken
    tme.add_channel("dark")
    tme.misbehave("dark", preview_disabled=True)
    sink = Sink()
    poller = ChannelPoller(
        source,
        {"air_alert_ua": 0.05, "adm_dp": 0.05, "dark": 0.05, "kpszsu": 0.05},
        on_posts=sink.on_posts,
        on_poll=sink.on_poll,
        concurrency=2,
    )
    poller.start()
    try:
        await wait_for(lambda: len(sink.outcomes.get("kpszsu", [])) >= 5, timeout=2.0)
        new = tme.add_post("kpszsu", "Швидкісна ціль на Запоріжжя")
        await wait_for(lambda: new in sink.ids("kpszsu"), timeout=1.0)
    finally:
        t0 = time.monotonic()
        await poller.stop(timeout=0.3)
        assert time.monotonic() - t0 < 1.0
    assert not poller.running
    assert "air_alert_ua" not in sink.posts  # still stuck in its first request
    adm = sink.outcomes["adm_dp"]
    assert len(adm) >= 2 and all(o.kind == "transient" and o.retry_at for o in adm)
    assert [o.kind for o in sink.outcomes["dark"]] == ["preview_disabled"]  # waits hours
    assert all(o.ok for o in sink.outcomes["kpszsu"])


async def test_stop_is_clean_and_final(tme: TmeStandin, source: TelegramWebSource) -> None:
    sink = Sink()
    poller = ChannelPoller(source, {"kpszsu": 0.02, "adm_dp": 3600}, on_posts=sink.on_posts)
    poller.start()
    await wait_for(lambda: "kpszsu" in sink.posts and "adm_dp" in sink.posts)
    t0 = time.monotonic()
    await poller.stop()
    assert time.monotonic() - t0 < 0.5  # the hour-long sleeper wakes up at once
    assert not poller.running
    count = len(tme.requests)
    await asyncio.sleep(0.1)
    assert len(tme.requests) == count


async def test_new_posts_flow_while_running(tme: TmeStandin, source: TelegramWebSource) -> None:
    sink = Sink()
    poller = ChannelPoller(
        source, {"air_alert_ua": 0.02}, on_posts=sink.on_posts, last_seen={"air_alert_ua": 4}
    )
    poller.start()
    try:
        ids = [tme.add_post("air_alert_ua", ALERT_POSTS[i % 4]) for i in range(3)]
        await wait_for(lambda: sink.ids("air_alert_ua") == ids)
        await asyncio.sleep(0.1)
        assert sink.ids("air_alert_ua") == ids  # no duplicates
    finally:
        await poller.stop()
    assert poller.last_seen["air_alert_ua"] == ids[-1]
