"""The incident model end to end through the Bot API stand-in: one message per post and chat,
separate incidents stay separate with all their figures, follow-ups edit the right message and
say what changed, the night summary is one report per chat."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.registry import ChannelSpec, seed_channels
from bot.standins.botapi_server import BotApiStandin
from storage import crud
from storage.db import session_scope
from tests.support.delivery import post, running, settle

T0 = datetime(2026, 11, 24, 0, 5, tzinfo=UTC)  # 02:05 in Kyiv
KOST = "Костянтинівка: окупанти обстріляли місто, поранено 2 мирних жителів, пошкоджено 5 будинків."
DRUZH = "Дружківка під ворожим вогнем: загинула 1 людина."
KOST_MORE = "У Костянтинівці кількість поранених зросла до 4."
SUMMARY = (
    "Противник атакував Україну 310 ударними БпЛА та 12 ракетами. Знешкоджено 280 БпЛА та "
    "10 ракет. Влучання зафіксовано на 9 локаціях."
)


@pytest.fixture
def tg() -> Iterator[BotApiStandin]:
    with BotApiStandin(limits=None) as standin:
        yield standin


def seed(engine: Engine, chats: dict[int, tuple[str, ...]]) -> None:
    seed_channels(
        engine,
        [
            ChannelSpec("kpszsu", "air_force", None, True, "", 10),
            ChannelSpec("donetsk_oda", "governor", "UA-14", True, "", 10),
            ChannelSpec("donetsk_police", "governor", "UA-14", True, "", 10),
        ],
    )
    with session_scope(engine) as s:
        for chat_id, regions in chats.items():
            crud.upsert_chat(s, chat_id, type="private")
            for region in regions:
                crud.subscribe(s, chat_id, region)


async def test_two_incidents_in_one_region_stay_two_messages_and_a_follow_up_edits_the_right_one(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine, {1: ("UA-14",)})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("donetsk_oda", post("donetsk_oda", 1, KOST))
        await tg.wait_for_messages(1, 1)
        later = T0 + timedelta(minutes=7)
        await pipeline.ingest("donetsk_oda", post("donetsk_oda", 2, DRUZH, later))
        await tg.wait_for_messages(1, 2)
        update = T0 + timedelta(hours=1)
        await pipeline.ingest("donetsk_police", post("donetsk_police", 9, KOST_MORE, update))
        await tg.async_wait_for(lambda: tg.sent(1)[0].history)
        await settle(engine, tg)
    kost, druzh = tg.sent(1)
    assert "Костянтинівка" in kost.text and "Дружківка" not in kost.text
    assert "Дружківка" in druzh.text and "Костянтинівка" not in druzh.text
    # one post, one message: the shelling with its toll and its damage
    first = kost.history[0]["text"]
    assert first.startswith("💥 Обстріл · Донеччина") and "🩹 Поранено 2" in first
    assert "🏚️ Руйнування" in first and "🕯️" not in first
    # the follow-up edited the Kostiantynivka message only, and says what changed
    assert "🩹 Поранено 4" in kost.text and "✎ Оновлено 03:05: поранених 2 → 4" in kost.text
    assert "🏚️ Руйнування" in kost.text  # nothing that was sent is dropped
    assert "@donetsk_oda" in kost.text and "@donetsk_police" in kost.text
    assert druzh.history == [] and "🕯️ Загинула 1 людина" in druzh.text
    assert tg.call_count("sendMessage") == 2 and tg.call_count("editMessageText") == 1


async def test_night_summary_is_one_report_per_chat_never_a_threat(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine, {1: ("UA-14",), 2: ("UA-46", "UA-74"), 3: ()})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("kpszsu", post("kpszsu", 30, SUMMARY))
        await tg.wait_for_messages(1, 1)
        await tg.wait_for_messages(2, 1)
        await settle(engine, tg)
    assert tg.sent(3) == []
    for chat_id in (1, 2):
        (msg,) = tg.sent(chat_id)
        assert msg.text.splitlines()[:4] == [
            "📋 Підсумок атаки · Україна",
            "🛩️ БпЛА: запущено 310 · збито/подавлено 280",
            "🚀 Ракети: запущено 12 · збито/подавлено 10",
            "📍 Влучання на 9 локаціях",
        ]
        assert "загроз" not in msg.text.lower()


async def test_same_report_from_two_channels_is_one_message(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine, {1: ("UA-14",)})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("donetsk_oda", post("donetsk_oda", 1, KOST))
        await tg.wait_for_messages(1, 1)
        again = "Поліція: у Костянтинівці внаслідок обстрілу поранено 2 цивільних."
        await pipeline.ingest("donetsk_police", post("donetsk_police", 5, again, T0 + timedelta(minutes=4)))  # fmt: skip
        await tg.async_wait_for(lambda: tg.sent(1)[0].history)
        await settle(engine, tg)
    (msg,) = tg.sent(1)
    assert "@donetsk_oda" in msg.text and "@donetsk_police" in msg.text
    assert "✎" not in msg.text  # nothing changed but the sources


async def test_a_later_incident_in_the_same_town_hours_after_is_new(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine, {1: ("UA-14",)})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("donetsk_oda", post("donetsk_oda", 1, KOST))
        await tg.wait_for_messages(1, 1)
        next_day = T0 + timedelta(hours=9)
        await pipeline.ingest("donetsk_oda", post("donetsk_oda", 2, KOST_MORE, next_day))
        await tg.wait_for_messages(1, 2)
        await settle(engine, tg)
    first, second = tg.sent(1)
    assert first.history == [] and "Поранено 4" in second.text


DRONES_NORTH = "Група ударних БпЛА на півночі Чернігівщини, курсом на Київщину."
DRONES_AGAIN = (
    "Увага! Ударні БпЛА над Чернігівщиною, рухаються курсом на Київщину. Будьте в укриттях!"
)


def seed_threats(engine: Engine, chats: dict[int, tuple[str, ...]]) -> None:
    seed(engine, chats)
    seed_channels(engine, [ChannelSpec("chernihiv_oda", "governor", "UA-74", True, "", 10)])


async def test_threat_is_short_with_its_heading_and_one_group_is_one_message(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed_threats(engine, {1: ("UA-32",), 2: ("UA-74",)})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("kpszsu", post("kpszsu", 40, DRONES_NORTH))
        await tg.wait_for_messages(1, 1)
        soon = T0 + timedelta(minutes=6)  # another channel on the same drone group
        await pipeline.ingest("chernihiv_oda", post("chernihiv_oda", 41, DRONES_AGAIN, soon))
        await tg.async_wait_for(lambda: tg.sent(1)[0].history)
        await settle(engine, tg)
    (kyiv,) = tg.sent(1)
    assert kyiv.text.startswith("🛩️ Ударні БпЛА: Чернігівщина → курсом на Київщину\n")
    assert "@kpszsu" in kyiv.text and "@chernihiv_oda" in kyiv.text
    (chernihiv,) = tg.sent(2)
    assert chernihiv.text.startswith("🛩️ Ударні БпЛА: Чернігівщина → курсом на Київщину")


async def test_a_new_wave_is_a_new_message(engine: Engine, tg: BotApiStandin) -> None:
    seed_threats(engine, {1: ("UA-74",)})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("kpszsu", post("kpszsu", 40, DRONES_NORTH))
        await tg.wait_for_messages(1, 1)
        later = T0 + timedelta(minutes=50)
        await pipeline.ingest("kpszsu", post("kpszsu", 47, DRONES_NORTH, later))
        await tg.wait_for_messages(1, 2)
        await settle(engine, tg)
    first, second = tg.sent(1)
    assert first.history == [] and "🕑 02:55" in second.text


async def test_a_threat_never_edits_a_report(engine: Engine, tg: BotApiStandin) -> None:
    seed_threats(engine, {1: ("UA",)})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("kpszsu", post("kpszsu", 30, SUMMARY))
        await tg.wait_for_messages(1, 1)
        await settle(engine, tg)
    (msg,) = tg.sent(1)
    assert msg.text.startswith("📋 Підсумок атаки")
