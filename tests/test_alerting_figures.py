"""Figures beyond the scored counts in what people read: damage with its plural forms, the
numbers of delayed trains, and the channel's own spelling in the source link. Through the
renderer, and end to end through the Bot API stand-in (one post, one message, every figure)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.alerting import AlertView, render
from bot.alerting.render import KYIV
from bot.latest import latest_summary
from bot.registry import ChannelSpec, seed_channels
from bot.standins.botapi_server import BotApiStandin
from storage import crud
from storage.db import session_scope
from tests.support.delivery import post, running, settle

AT = datetime(2026, 11, 24, 0, 14, tzinfo=UTC)  # 02:14 in Kyiv


def _line(view: AlertView, lang: str, start: str) -> str:
    return next(line for line in render(view, lang).splitlines()[1:] if line.startswith(start))


@pytest.mark.parametrize(
    ("n", "uk", "en"),
    [
        (1, "Пошкоджено 1 будинок", "1 house damaged"),
        (3, "Пошкоджено 3 будинки", "3 houses damaged"),
        (5, "Пошкоджено 5 будинків", "5 houses damaged"),
        (11, "Пошкоджено 11 будинків", "11 houses damaged"),
        (21, "Пошкоджено 21 будинок", "21 houses damaged"),
        (1204, "Пошкоджено 1\u00a0204 будинки", "1,204 houses damaged"),
    ],
)
def test_damaged_houses_read_with_their_plural_form(n: int, uk: str, en: str) -> None:
    view = AlertView("damage", "UA-18", AT, {"houses": n})
    assert _line(view, "uk", "🏚️") == f"🏚️ {uk}"
    assert _line(view, "en", "🏚️") == f"🏚️ {en}"


def test_damage_lists_every_object_damaged_and_destroyed() -> None:
    counts = {"houses": 7, "apartment_blocks": 2, "vehicles": 3, "buildings_destroyed": 1}
    view = AlertView("damage", "UA-18", AT, counts)
    assert _line(view, "uk", "🏚️") == (
        "🏚️ Пошкоджено 7 будинків, 2 багатоповерхівки та 3 автомобілі; зруйновано 1 будівлю"
    )
    assert _line(view, "en", "🏚️") == (
        "🏚️ 7 houses, 2 apartment blocks and 3 vehicles damaged; 1 building destroyed"
    )


def test_train_numbers_with_the_delay() -> None:
    counts = {"trains": 3, "delay_minutes": 420}
    view = AlertView("train_delay", "UA", AT, counts, train_numbers=["743", "105", "92/91"])
    assert _line(view, "uk", "🚆 П") == "🚆 Поїзди 743, 105 та 92/91 затримуються до 7 год"
    assert _line(view, "en", "🚆 T") == "🚆 Trains 743, 105 and 92/91 delayed up to 7 h"
    one = AlertView("train_delay", "UA", AT, {"delay_minutes": 50}, train_numbers=["17"])
    assert _line(one, "uk", "🚆 П") == "🚆 Поїзд 17 затримується до 50 хв"
    assert _line(one, "en", "🚆 T") == "🚆 Train 17 delayed up to 50 min"
    # more trains than the numbers given: the count first, the numbers it names beside it
    some = AlertView("train_delay", "UA", AT, {"trains": 5, "delay_minutes": 90}, train_numbers=["6"])  # fmt: skip
    assert _line(some, "uk", "🚆 З") == "🚆 Затримуються 5 поїздів (6), до 1 год 30 хв"
    assert _line(some, "en", "🚆 5") == "🚆 5 trains delayed (6), up to 1 h 30 min"


def test_an_edit_names_the_trains_it_added() -> None:
    view = AlertView(
        "train_delay", "UA", AT, {"delay_minutes": 60}, train_numbers=["105", "12"],
        updated_at=AT + timedelta(minutes=30), added_trains=["12"],
    )  # fmt: skip
    assert "✎ Оновлено 02:44: + поїзд 12" in render(view, "uk")
    assert "✎ Updated 02:44: + train 12" in render(view, "en")


def test_one_link_per_channel_whatever_the_case_in_its_latest_spelling() -> None:
    view = AlertView("damage", "UA-74", AT, sources=[("chernigivskaoda", 5), ("chernigivskaODA", 7)])  # fmt: skip
    text = render(view, "uk")
    assert text.count("<a href") == 1
    assert '<a href="https://t.me/chernigivskaODA/7">@chernigivskaODA</a>' in text


# ---- end to end -------------------------------------------------------------------------------

SHELLING = (
    "Внаслідок обстрілу Коростеня загинули двоє людей, ще п'ятеро поранені. "
    "Пошкоджено 7 приватних будинків і 2 автомобілі, зруйновано одну багатоповерхівку."
)
RAIL = "Через обстріл на Житомирщині поїзди №92/91, 105 та 743 затримуються до 7 год."
RAIL_MORE = "На Житомирщині із затримкою до 7 год курсує також поїзд №12."


@pytest.fixture
def tg() -> Iterator[BotApiStandin]:
    with BotApiStandin(limits=None) as standin:
        yield standin


def _seed(engine: Engine) -> None:
    seed_channels(
        engine,
        [
            ChannelSpec("zhytomyrskaODA", "governor", "UA-18", True, "", 10),
            ChannelSpec("UkrzalInfo", "railway", None, True, "", 10),
        ],
    )
    with session_scope(engine) as s:
        crud.upsert_chat(s, 1, type="private")
        crud.subscribe(s, 1, "UA-18")
        crud.upsert_chat(s, 2, type="private", language="en")
        crud.subscribe(s, 2, "UA-18")


async def test_killed_injured_and_damaged_houses_arrive_as_one_message(
    engine: Engine, tg: BotApiStandin
) -> None:
    _seed(engine)
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("zhytomyrskaoda", post("zhytomyrskaoda", 31, SHELLING))
        await tg.wait_for_messages(1, 1)
        await tg.wait_for_messages(2, 1)
        await settle(engine, tg)
    (uk,) = tg.sent(1)
    (en,) = tg.sent(2)
    assert uk.text.splitlines()[:3] == [
        "💥 Обстріл · Житомирщина",
        "🕯️ Загинули 2 людини · поранено 5",
        "🏚️ Пошкоджено 7 будинків та 2 автомобілі; зруйновано 1 багатоповерхівку",
    ]
    assert "🏚️ 7 houses and 2 vehicles damaged; 1 apartment block destroyed" in en.text
    assert "2 people killed · 5 injured" in en.text
    # the registry's spelling, not the lowercased lookup key
    assert "@zhytomyrskaODA" in uk.text and "https://t.me/zhytomyrskaODA/31" in uk.source_text
    assert tg.call_count("sendMessage") == 2  # one per chat


async def test_train_numbers_are_listed_and_a_later_post_adds_its_own(
    engine: Engine, tg: BotApiStandin
) -> None:
    _seed(engine)
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("ukrzalinfo", post("ukrzalinfo", 900, RAIL))
        await tg.wait_for_messages(1, 1)
        later = AT + timedelta(minutes=20)
        await pipeline.ingest("ukrzalinfo", post("ukrzalinfo", 901, RAIL_MORE, later))
        await tg.async_wait_for(lambda: tg.sent(1)[0].history)
        await settle(engine, tg)
    (msg,) = tg.sent(1)
    first = msg.history[0]["text"]
    assert "🚆 Поїзди 92/91, 105 та 743 затримуються до 7 год" in first
    assert "🚆 Поїзди 92/91, 105, 743 та 12 затримуються до 7 год" in msg.text
    assert "✎ Оновлено 02:34: поїздів 3 → 4; + поїзд 12" in msg.text
    assert "@UkrzalInfo" in msg.text
    assert "Trains 92/91, 105, 743 and 12 delayed up to 7 h" in tg.sent(2)[0].text
    # /latest names them too, and links the post in the channel's own spelling
    with session_scope(engine, readonly=True) as s:
        text = latest_summary(s, "UA-18", AT + timedelta(minutes=30), "uk", KYIV)
    assert "поїзди 92/91, 105, 743" in text and "https://t.me/UkrzalInfo/900" in text


def test_the_registry_spelling_is_kept_and_filled_in_for_older_databases(engine: Engine) -> None:
    with session_scope(engine) as s:
        old = crud.upsert_channel(s, "kyivoda", kind="governor")  # as an older database has it
        old.display_name = ""
    seed_channels(engine, [ChannelSpec("KyivODA", "governor", "UA-32", True, "", 10)])
    with session_scope(engine) as s:
        row = crud.get_channel_by_username(s, "@KYIVODA")
        assert row is not None and row.username == "kyivoda" and row.shown == "KyivODA"
        crud.upsert_channel(s, "kyivoda", kind="governor")  # a lowercased lookup keeps it
    with session_scope(engine, readonly=True) as s:
        row = crud.get_channel_by_username(s, "kyivoda")
        assert row is not None and row.shown == "KyivODA"


def test_latest_names_the_damage_in_words() -> None:
    from bot.latest import counts_text

    assert counts_text("uk", {"houses": 7, "vehicles_destroyed": 1}) == (
        "пошкоджено 7 будинків; зруйновано 1 автомобіль"
    )
    assert counts_text("en", {"apartment_blocks": 2}) == "2 apartment blocks damaged"
