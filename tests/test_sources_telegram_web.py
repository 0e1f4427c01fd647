"""TelegramWebSource against the local t.me stand-in (real httpx, real sockets)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sources.telegram_web import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    Backoff,
    PreviewDisabled,
    RateLimited,
    SourceError,
    TelegramWebSource,
    TooLarge,
    TransientError,
    UnreadablePage,
    parse_retry_after,
)
from bot.standins.tme_render import ALERT_POSTS, KPSZSU_POSTS
from bot.standins.tme_server import TmeStandin

NOW = 1_790_000_000.0


class FakeClock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def tme() -> Iterator[TmeStandin]:
    with TmeStandin(page_size=20) as standin:
        standin.add_channel("kpszsu", "Повітряні Сили ЗСУ")
        yield standin


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.5)) as c:
        yield c


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def source(tme: TmeStandin, client: httpx.AsyncClient, clock: FakeClock) -> TelegramWebSource:
    return TelegramWebSource(client, base_url=tme.base_url, clock=clock, rand=lambda: 0.5)


def fill(tme: TmeStandin, n: int, channel: str = "kpszsu") -> None:
    for i in range(n):
        tme.add_post(channel, KPSZSU_POSTS[i % len(KPSZSU_POSTS)])


async def test_first_poll_takes_latest_page_only(
    tme: TmeStandin, source: TelegramWebSource
) -> None:
    fill(tme, 45)
    result = await source.fetch_new("kpszsu", 0)
    assert [p.message_id for p in result.posts] == list(range(26, 46))
    assert not result.gap
    assert len(tme.requests) == 1


async def test_only_new_posts(tme: TmeStandin, source: TelegramWebSource) -> None:
    fill(tme, 30)
    result = await source.fetch_new("kpszsu", 27)
    assert [p.message_id for p in result.posts] == [28, 29, 30]
    assert result.reached_last_seen and not result.gap
    assert len(tme.requests) == 1
    assert (await source.fetch_new("kpszsu", 30)).posts == []


async def test_pages_back_over_a_gap(tme: TmeStandin, source: TelegramWebSource) -> None:
    fill(tme, 70)
    result = await source.fetch_new("kpszsu", 12)
    assert [p.message_id for p in result.posts] == list(range(13, 71))
    assert result.reached_last_seen and not result.gap
    assert [r.query.get("before") for r in tme.requests] == [None, "51", "31"]


async def test_gap_beyond_bound_walks_forward_without_skipping(
    tme: TmeStandin, source: TelegramWebSource
) -> None:
    fill(tme, 200)
    result = await source.fetch_new("kpszsu", 5, max_pages=3)
    assert result.gap and not result.reached_last_seen
    # Too far behind to page back: the oldest missed posts come first, none skipped.
    assert [p.message_id for p in result.posts] == list(range(6, 66))
    assert len(tme.requests) == 6  # 3 pages back, then 3 forward with ?after=
    assert [r.query.get("after") for r in tme.requests[3:]] == ["5", "25", "45"]
    seen = [p.message_id for p in result.posts]
    while result.gap:
        result = await source.fetch_new("kpszsu", seen[-1], max_pages=3)
        seen += [p.message_id for p in result.posts]
    assert seen == list(range(6, 201))


async def test_deleted_posts_and_channel_start(tme: TmeStandin, source: TelegramWebSource) -> None:
    tme.add_channel("adm_dp", first_id=500)
    tme.add_posts("adm_dp", ALERT_POSTS)
    # last_seen before the first existing post: paging back finds nothing older → no gap
    result = await source.fetch_new("adm_dp", 100)
    assert [p.message_id for p in result.posts] == [500, 501, 502, 503]
    assert result.reached_last_seen and not result.gap
    tme.skip_ids("adm_dp", 10)  # 504..513 deleted
    new = tme.add_post("adm_dp", "🟢 04:10 Відбій тривоги в м. Київ.")
    result = await source.fetch_new("adm_dp", 503)
    assert [p.message_id for p in result.posts] == [new]
    assert not result.gap


async def test_edits_within_window_are_reported(tme: TmeStandin, client: httpx.AsyncClient) -> None:
    source = TelegramWebSource(client, base_url=tme.base_url, edit_window=5)
    fill(tme, 20)
    tme.edit_post("kpszsu", 17, "🛵 БпЛА на Київщину — уточнення: з півночі")
    tme.edit_post("kpszsu", 3, "старе редагування")  # outside the window
    result = await source.fetch_new("kpszsu", 19)
    assert [(p.message_id, p.edited) for p in result.posts] == [(17, True), (20, False)]
    assert result.new_ids == {20}
    edited = result.posts[0]
    assert edited.text.endswith("з півночі")
    # Already delivered in this version → not again; a further edit → again.
    seen = {17: edited.digest}
    assert [
        p.message_id for p in (await source.fetch_new("kpszsu", 20, seen_digests=seen)).posts
    ] == []
    tme.edit_post("kpszsu", 17, "ще раз")
    again = await source.fetch_new("kpszsu", 20, seen_digests=seen)
    assert [p.text for p in again.posts] == ["ще раз"]


async def test_rate_limited_seconds(
    tme: TmeStandin, source: TelegramWebSource, clock: FakeClock
) -> None:
    fill(tme, 3)
    tme.misbehave("kpszsu", rate_limit=1, retry_after="120")
    with pytest.raises(RateLimited) as info:
        await source.fetch_new("kpszsu", 0)
    assert info.value.retry_after == 120
    assert info.value.retry_at >= NOW + 120
    assert source.backoff("kpszsu").attempts == 1
    result = await source.fetch_new("kpszsu", 0)
    assert len(result.posts) == 3
    assert source.backoff("kpszsu").attempts == 0


async def test_rate_limited_http_date(tme: TmeStandin, source: TelegramWebSource) -> None:
    when = datetime.fromtimestamp(NOW + 300, tz=UTC)
    tme.misbehave("kpszsu", rate_limit=1, retry_after=format_datetime(when, usegmt=True))
    with pytest.raises(RateLimited) as info:
        await source.fetch_new("kpszsu", 0)
    assert info.value.retry_at == pytest.approx(NOW + 300, abs=1)


def test_parse_retry_after() -> None:
    assert parse_retry_after("30", NOW) == 30
    assert parse_retry_after(None, NOW) is None
    assert parse_retry_after("soon", NOW) is None
    past = format_datetime(datetime.fromtimestamp(NOW - 50, tz=UTC), usegmt=True)
    assert parse_retry_after(past, NOW) == 0


@given(
    attempt=st.integers(min_value=0, max_value=200),
    r=st.floats(min_value=0, max_value=1, exclude_max=True),
    base=st.floats(min_value=0.1, max_value=30),
    cap=st.floats(min_value=30, max_value=3600),
)
def test_backoff_delay_within_full_jitter_bounds(
    attempt: int, r: float, base: float, cap: float
) -> None:
    b = Backoff(base=base, cap=cap, floor=0.5, clock=lambda: NOW, rand=lambda: r)
    d = b.delay(attempt)
    assert 0.5 <= d <= max(0.5, min(cap, base * 2.0 ** min(attempt, 60)))
    assert b.ceiling(attempt) <= b.ceiling(attempt + 1)


@given(st.lists(st.floats(min_value=0, max_value=1, exclude_max=True), min_size=12, max_size=12))
def test_backoff_grows_and_is_jittered(rands: list[float]) -> None:
    it = iter(rands)
    b = Backoff(base=1.0, cap=1000.0, floor=0.0, clock=lambda: NOW, rand=lambda: next(it))
    for n in range(12):
        retry_at = b.failure()
        assert NOW <= retry_at <= NOW + min(1000.0, 2.0**n)
        assert retry_at == NOW + rands[n] * min(1000.0, 2.0**n)
    assert b.attempts == 12
    b.success()
    assert b.attempts == 0 and b.retry_at is None


async def test_server_errors_then_recovery(tme: TmeStandin, source: TelegramWebSource) -> None:
    fill(tme, 4)
    tme.misbehave("kpszsu", server_error=2)
    at = []
    for _ in range(2):
        with pytest.raises(TransientError) as info:
            await source.fetch_new("kpszsu", 0)
        assert "500" in info.value.message
        at.append(info.value.retry_at)
    assert at[1] > at[0]  # rand fixed at 0.5: the ceiling doubled
    assert len((await source.fetch_new("kpszsu", 0)).posts) == 4


async def test_timeout_is_transient(tme: TmeStandin, source: TelegramWebSource) -> None:
    fill(tme, 2)
    tme.misbehave("kpszsu", delay=2.0)
    with pytest.raises(TransientError) as info:
        await source.fetch_new("kpszsu", 0)
    assert "timeout" in info.value.message
    tme.misbehave("kpszsu", delay=0.0)
    assert len((await source.fetch_new("kpszsu", 0)).posts) == 2


async def test_connection_refused_is_transient(client: httpx.AsyncClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    source = TelegramWebSource(client, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(TransientError, match="transport error"):
        await source.fetch_new("kpszsu", 0)


async def test_preview_disabled(tme: TmeStandin, source: TelegramWebSource) -> None:
    tme.misbehave("kpszsu", preview_disabled=True)
    with pytest.raises(PreviewDisabled) as info:
        await source.fetch_new("kpszsu", 0)
    assert info.value.retry_at > NOW
    with pytest.raises(PreviewDisabled):
        await source.fetch_new("no_such_channel", 0)
    assert not isinstance(info.value, TransientError)
    assert isinstance(info.value, SourceError)


async def test_first_redirect_is_rechecked_soon_repeated_ones_later(
    tme: TmeStandin, source: TelegramWebSource, clock: FakeClock
) -> None:
    fill(tme, 2)
    tme.misbehave("kpszsu", preview_disabled=True)
    waits = []
    for _ in range(6):
        with pytest.raises(PreviewDisabled) as info:
            await source.fetch_new("kpszsu", 0)
        waits.append(info.value.retry_at - clock.now)
    assert waits[0] <= 120  # a login wall can be a blip: look again within two minutes
    assert waits == sorted(waits) and waits[2] > waits[0] and waits[-1] <= 6 * 3600
    tme.misbehave("kpszsu", preview_disabled=False)
    assert len((await source.fetch_new("kpszsu", 0)).posts) == 2
    tme.misbehave("kpszsu", preview_disabled=True)
    with pytest.raises(PreviewDisabled) as info:  # a success resets the count
        await source.fetch_new("kpszsu", 0)
    assert info.value.retry_at - clock.now == waits[0]


async def test_backoff_is_capped_at_about_two_minutes(
    tme: TmeStandin, source: TelegramWebSource, clock: FakeClock
) -> None:
    fill(tme, 1)
    tme.misbehave("kpszsu", server_error=20)
    waits = []
    for _ in range(20):
        with pytest.raises(TransientError) as info:
            await source.fetch_new("kpszsu", 0)
        waits.append(info.value.retry_at - clock.now)
    assert max(waits) <= 120.0


async def test_a_huge_page_is_an_error_not_a_memory_spike(tme: TmeStandin) -> None:
    fill(tme, 1)
    # The production timeout, not the fixture's 0.5 s: the stand-in's thread may still be busy
    # with the abandoned body when the next poll connects.
    async with httpx.AsyncClient(timeout=DEFAULT_TIMEOUT) as client:
        source = TelegramWebSource(client, base_url=tme.base_url, max_body_bytes=100_000)
        tme.misbehave("kpszsu", body="<div>" + "x" * 300_000 + "</div>")
        with pytest.raises(TooLarge, match="too large") as info:
            await source.fetch_new("kpszsu", 0)
        assert isinstance(info.value, TransientError)
        tme.misbehave("kpszsu", body=None)
        assert len((await source.fetch_new("kpszsu", 0)).posts) == 1


async def test_a_huge_chunked_body_is_cut_off_while_streaming() -> None:
    sent = []

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(10_000):  # 640 MB if read whole
            sent.append(1)
            yield b"x" * 65536

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        source = TelegramWebSource(client, base_url="http://tme.test")
        with pytest.raises(TooLarge):
            await source.fetch_new("kpszsu", 0)
    assert len(sent) <= 40  # stopped just past 2 MB


async def test_truncated_and_changed_html(tme: TmeStandin, source: TelegramWebSource) -> None:
    fill(tme, 20)
    tme.break_post("kpszsu", 10, "no_time")
    result = await source.fetch_new("kpszsu", 0)
    assert 10 not in [p.message_id for p in result.posts]
    assert len(result.posts) == 19 and result.skipped == 1
    tme.misbehave("kpszsu", truncate=0.5)
    result = await source.fetch_new("kpszsu", 0)
    assert 0 < len(result.posts) < 19


async def test_empty_channel(tme: TmeStandin, source: TelegramWebSource) -> None:
    tme.add_channel("empty")
    result = await source.fetch_new("empty", 0)
    assert result.posts == [] and not result.gap
    with pytest.raises(UnreadablePage):  # it had posts: an empty history is not "nothing new"
        await source.fetch_new("empty", 7)


LOGIN_WALL = (
    "<html><head><title>Telegram</title></head><body><div class='login'>Log in</div></body></html>"
)
RENAMED = (
    "<html><body><header><div class='tgme_header_title'>Повітряні Сили</div></header>"
    "<section class='tgme_channel_history js-message_history'>"
    "<div class='tg_post_v2' data-post='kpszsu/9'>Ракети курсом на Київ</div></section></body></html>"
)


@pytest.mark.parametrize("body", ["", "garbage \x00 bytes", LOGIN_WALL, RENAMED])
async def test_unreadable_200_page_is_an_error_not_an_empty_poll(
    tme: TmeStandin, source: TelegramWebSource, body: str
) -> None:
    fill(tme, 3)
    assert len((await source.fetch_new("kpszsu", 0)).posts) == 3
    tme.misbehave("kpszsu", body=body)
    retry = []
    for _ in range(2):
        with pytest.raises(UnreadablePage) as info:
            await source.fetch_new("kpszsu", 3)
        assert isinstance(info.value, TransientError) and "unreadable page" in info.value.message
        retry.append(info.value.retry_at)
    assert retry[1] > retry[0] > NOW  # backs off like any failure
    tme.misbehave("kpszsu", body=None)
    fill(tme, 1)
    assert [p.message_id for p in (await source.fetch_new("kpszsu", 3)).posts] == [4]


async def test_default_client_sends_user_agent(tme: TmeStandin) -> None:
    fill(tme, 1)
    async with TelegramWebSource(base_url=tme.base_url) as source:
        await source.fetch_new("kpszsu", 0)
    headers = tme.requests[0].headers
    assert headers["user-agent"] == USER_AGENT
    assert headers["accept-language"].startswith("en")
