"""/latest, /regions, /status, staleness, the daily digest and a flood, end to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from telegram.ext import Job

from handlers.callbacks import DigestTime, Stop
from handlers.digests import JOB_NAME, TASKS_KEY, minutes_due
from storage import crud
from storage.db import session_scope
from storage.models import Chat
from tests.support.kit import NOW, Bot, running_bot

USER = 601
ALERT_74 = "🔴 09:14 Повітряна тривога в Чернігівська область."
END_74 = "🟢 09:31 Відбій тривоги в Чернігівська область."
ALERT_63 = "🔴 09:40 Повітряна тривога в Харківська область."
NIZHYN = "Ворожі ударні БпЛА над Ніжином! Внаслідок атаки загинули двоє людей, ще п'ятеро поранені."
POWER = "Внаслідок обстрілу знеструмлено 30 тис. споживачів на Чернігівщині."
TRAINS = (
    "Через знеструмлення на Чернігівщині затримуються поїзди:\n"
    "№79 Київ — Чернігів — на 1 год 20 хв;\n№85 Чернігів — Київ — на 2 год."
)
NIGHT = (
    "У ніч на 24 листопада противник атакував 502 ударними БпЛА та 24 ракетами. Збито/подавлено "
    "430 БпЛА та 21 ракету. Зафіксовано влучання на 14 локаціях."
)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(tmp_path) as b:
        yield b


async def _events(bot: Bot) -> None:
    await bot.post("kpszsu", NIGHT, ago=timedelta(hours=5))
    await bot.post("air_alert_ua", ALERT_74, ago=timedelta(minutes=46))
    await bot.post("chernihivskaoda", NIZHYN, ago=timedelta(minutes=40))
    await bot.post("ukrenergo", POWER, ago=timedelta(minutes=35))
    await bot.post("ukrzalinfo", TRAINS, ago=timedelta(minutes=25))
    await bot.post("air_alert_ua", ALERT_63, ago=timedelta(minutes=20))
    bot.polls_ok()


async def test_latest_summarises_a_region_in_ukrainian(bot: Bot) -> None:
    await _events(bot)
    await bot.say(USER, "/subscribe Чернігівщина")
    [text] = await bot.say(USER, "/latest")
    body = text.text
    assert "Чернігівщина — останні 12 год (станом на 10:00)" in body
    assert "🔴 повітряна тривога з 09:14" in body
    assert "09:20 — Ударні БпЛА — Ніжин" in body
    assert "загиблих 2, поранених 5" in body
    assert "без світла 30\u00a0000 споживачів" in body
    assert "затримка до 2 год" in body and "поїздів 2" in body
    assert "Ударні БпЛА (уся Україна) — запущено 502, збито 430" in body
    assert "Дані можуть бути застарілими" not in body
    links = [e["url"] for e in text.entities if e["type"] == "text_link"]
    assert "https://t.me/chernihivskaoda/1003" in links and "https://t.me/kpszsu/1001" in links


async def test_latest_in_english_and_by_argument(bot: Bot) -> None:
    await _events(bot)
    [text] = await bot.say(USER, "/latest Nizhyn", language_code="en")
    body = text.text
    assert "Chernihiv region — last 12 h (as of 10:00)" in body
    assert "🔴 air-raid alert since 09:14" in body
    assert "Attack drones — Nizhyn" in body and "killed 2, injured 5" in body
    assert "30,000 consumers without power" in body
    await bot.post("air_alert_ua", END_74, ago=timedelta(minutes=5))
    [after] = await bot.say(USER, "/latest UA-74", language_code="en")
    assert "🟢 no alert (all clear at 09:55)" in after.text


async def test_latest_empty_region_says_so(bot: Bot) -> None:
    bot.polls_ok()
    [text] = await bot.say(USER, "/latest Львів")
    assert "За цей час подій у регіоні не зафіксовано." in text.text
    assert "🟢 тривог не було" in text.text


async def test_stale_sources_are_never_all_clear(bot: Bot) -> None:
    bot.polls_ok(NOW - timedelta(hours=2))  # last good poll 08:00 Kyiv
    [latest] = await bot.say(USER, "/latest Львів")
    assert "Дані можуть бути застарілими" in latest.text and "з 08:00" in latest.text
    assert "не означає спокою" in latest.text
    [status] = await bot.say(USER, "/status")
    assert "Дані можуть бути застарілими" in status.text
    assert "Зараз тривог немає" not in status.text
    await bot.say(USER, "/subscribe Львів")
    [regions] = await bot.say(USER, "/regions")
    assert "Дані можуть бути застарілими" in regions.text


async def test_never_polled_sources_warn(bot: Bot) -> None:
    [status] = await bot.say(USER, "/status", language_code="en")
    assert "No fresh data from the sources" in status.text


async def test_regions_and_status(bot: Bot) -> None:
    await _events(bot)
    await bot.say(USER, "/subscribe Чернігівщина")
    await bot.say(USER, "/subscribe Львів")
    [regions] = await bot.say(USER, "/regions")
    assert "Львівщина: 🟢 тривог не було" in regions.text
    assert "Чернігівщина: 🔴 повітряна тривога з 09:14" in regions.text
    [status] = await bot.say(USER, "/status")
    assert "Тривога в 2 з 27 регіонів" in status.text
    assert "Харківщина — з 09:40" in status.text and "Чернігівщина — з 09:14" in status.text
    await bot.post("air_alert_ua", END_74, ago=timedelta(minutes=5))
    [status] = await bot.say(USER, "/status")
    assert "Тривога в 1 з 27 регіонів" in status.text and "Чернігівщина" not in status.text


async def test_digest_sent_when_events_and_not_when_empty(tmp_path: Path) -> None:
    async with running_bot(tmp_path, digests_job=True) as bot:
        await _events(bot)
        await bot.say(USER, "/subscribe Чернігівщина")
        quiet = 602
        await bot.say(quiet, "/subscribe Львівщина")
        late = 603
        await bot.say(late, "/subscribe Чернігівщина")
        [menu] = await bot.say(late, "/settings")
        await bot.tap(late, menu.message_id, DigestTime.of("09:00").pack())
        before = {c: len(bot.tg.sent(c)) for c in (USER, quiet, late)}

        [job] = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
        bot.clock.now = NOW.replace(hour=6)  # 08:00 in Kyiv
        await job.run(bot.app)
        await asyncio.gather(*bot.app.bot_data[TASKS_KEY])
        [digest] = (await bot.tg.wait_for_messages(USER, before[USER] + 1))[before[USER] :]
        assert "Дайджест за добу" in digest.text and "Чернігівщина" in digest.text
        assert "Повітряних тривог: 1" in digest.text and "загиблих 2" in digest.text
        assert len(bot.tg.sent(quiet)) == before[quiet]  # nothing happened in Lviv: no digest
        assert len(bot.tg.sent(late)) == before[late]  # wants it at 09:00
        await job.run(bot.app)  # the same minute again: nothing twice
        await asyncio.gather(*bot.app.bot_data[TASKS_KEY])
        assert len(bot.tg.sent(USER)) == before[USER] + 1


def test_digest_minutes_catch_up_and_never_repeat() -> None:
    now = NOW.replace(second=30)
    assert minutes_due(None, now) == [NOW]
    assert minutes_due(NOW, now) == []
    assert minutes_due(NOW - timedelta(minutes=3), now) == [
        NOW - timedelta(minutes=2),
        NOW - timedelta(minutes=1),
        NOW,
    ]
    assert len(minutes_due(NOW - timedelta(hours=5), now)) == 15


async def test_flood_of_latest_is_answered_in_full(bot: Bot) -> None:
    await _events(bot)
    chats = [700 + i for i in range(20)]
    for chat in chats:
        await bot.say(chat, "/subscribe Чернігівщина")
    for _ in range(10):
        for chat in chats:
            bot.tg.send_text(chat, "/latest")
    for chat in chats:
        msgs = await bot.tg.wait_for_messages(chat, 11, timeout=20)
        assert all("Чернігівщина — останні 12 год" in m.text for m in msgs[1:])
        assert len(msgs) == 11


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_telegram_flood_limits_lose_nothing(tmp_path: Path) -> None:
    """Real limits (1 msg/s per private chat, burst 3): the rate limiter waits, nothing lost."""
    async with running_bot(tmp_path, limits=True) as bot:
        bot.polls_ok()
        for _ in range(5):
            bot.tg.send_text(USER, "/latest Львів")
        msgs = await bot.tg.wait_for_messages(USER, 5, timeout=15)
        assert all("Львівщина — останні 12 год" in m.text for m in msgs)


async def test_whole_flow_on_both_backends(tmp_path: Path, engine: Engine) -> None:
    """The same conversation on SQLite and on PostgreSQL (``engine`` is parametrised)."""
    async with running_bot(tmp_path, engine) as bot:
        await _events(bot)
        await bot.say(USER, "/subscribe Ніжин")
        [latest] = await bot.say(USER, "/latest")
        assert "🔴 повітряна тривога з 09:14" in latest.text and "загиблих 2" in latest.text
        [status] = await bot.say(USER, "/status")
        assert "Тривога в 2 з 27 регіонів" in status.text
        [ask] = await bot.say(USER, "/stop")
        await bot.tap(USER, ask.message_id, Stop("yes").pack())
        await bot.edited(USER, ask.message_id, "я забув цей чат")
        assert bot.chat(USER) is None


async def test_a_new_leader_carries_on_the_digest_minutes(tmp_path: Path, engine: Engine) -> None:
    """Two instances on one database (a leader, then the standby that takes over): the minute
    both run goes out once; the minutes the new leader missed are caught up, once."""
    async with (
        running_bot(tmp_path / "a", engine, digests_job=True) as a,
        running_bot(tmp_path / "b", engine, digests_job=True) as b,
    ):
        for bot in (a, b):  # the jobs run only when the test says, at the test's clock
            assert bot.app.job_queue is not None
            bot.app.job_queue.scheduler.pause()
        await _events(a)
        await a.say(USER, "/subscribe Чернігівщина")
        late = 603
        await a.say(late, "/subscribe Чернігівщина")
        with session_scope(engine) as s:
            chat = s.get(Chat, late)
            assert chat is not None
            chat.digest_time = "08:02"
        [job_a] = a.app.job_queue.get_jobs_by_name(JOB_NAME)
        [job_b] = b.app.job_queue.get_jobs_by_name(JOB_NAME)
        sent = {USER: len(a.tg.sent(USER)), late: len(a.tg.sent(late))}

        async def tick(bot: Bot, job: Job[Any], at: datetime) -> None:
            bot.clock.now = at
            await job.run(bot.app)
            await asyncio.gather(*bot.app.bot_data.get(TASKS_KEY, ()))

        eight = NOW.replace(hour=6)  # 08:00 in Kyiv
        await tick(a, job_a, eight)  # the leader sends 08:00
        await tick(b, job_b, eight + timedelta(seconds=20))  # handed over within the minute
        assert len(a.tg.sent(USER)) == sent[USER] + 1
        assert b.tg.sent(USER) == []  # not twice
        await tick(b, job_b, eight + timedelta(minutes=2, seconds=30))  # a is gone since 08:00
        await tick(b, job_b, eight + timedelta(minutes=2, seconds=50))
        assert len(b.tg.sent(late)) == 1  # 08:02, caught up once
        assert len(a.tg.sent(late)) == sent[late]
        assert b.tg.sent(USER) == []


async def test_a_digest_tick_missed_while_paused_runs_at_resume(tmp_path: Path) -> None:
    """A standby's JobQueue is paused; a tick that came due meanwhile runs at once when it is
    elected (not dropped as misfired, which would leave its minute to the next tick)."""
    async with running_bot(tmp_path, digests_job=True) as bot:
        jobs = bot.app.job_queue
        assert jobs is not None
        [job] = jobs.get_jobs_by_name(JOB_NAME)
        jobs.scheduler.pause()
        job.job.modify(next_run_time=datetime.now(UTC) - timedelta(seconds=150))  # 3 ticks due

        def mark() -> int | None:
            with session_scope(bot.engine, readonly=True) as s:
                return crud.job_mark(s, JOB_NAME)

        assert mark() is None
        jobs.scheduler.resume()
        await bot.tg.async_wait_for(mark, timeout=5)
        assert mark() == int(NOW.timestamp()) // 60  # the test's clock: its current minute
