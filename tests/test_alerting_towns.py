"""Down to the town through the Bot API stand-in: a town-subscribed chat gets its oblast's
alerts and its own raion's, not another raion's (or gets them marked, per its setting)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.alerting.areas import MINE, OTHER, followed, relation
from bot.geo.lookup import lookup
from bot.registry import ChannelSpec, seed_channels
from bot.standins.botapi_server import BotApiStandin
from storage import crud
from storage.crud.places import FollowedPlace, follow_place, followed_places
from storage.db import session_scope
from storage.models import Chat
from tests.support.delivery import post, running, settle

T0 = datetime(2026, 11, 24, 0, 5, tzinfo=UTC)
OBLAST = "🔴 02:05 Повітряна тривога в Чернігівська область."
FAR_RAION = "🔴 02:07 Повітряна тривога в Новгород-Сіверський район."
OWN_RAION = "🔴 02:09 Повітряна тривога в Ніжинський район."
CITY = "Чернігів: уламки збитого дрона пошкодили два гаражі."


def _nizhyn() -> FollowedPlace:
    (place,) = [p for p in lookup("Ніжин") if p.level == "city" and p.region == "UA-74"]
    return followed(place)


@pytest.fixture
def tg() -> Iterator[BotApiStandin]:
    with BotApiStandin(limits=None) as standin:
        yield standin


def seed(engine: Engine) -> None:
    seed_channels(
        engine,
        [
            ChannelSpec("air_alert_ua", "alerts", None, True, "", 10),
            ChannelSpec("chernihiv_oda", "governor", "UA-74", True, "", 10),
        ],
    )
    with session_scope(engine) as s:
        for chat_id in (1, 2, 3):
            crud.upsert_chat(s, chat_id, type="private")
            crud.subscribe(s, chat_id, "UA-74")
        for chat_id in (2, 3):
            assert follow_place(s, chat_id, _nizhyn())
        chat = s.get(Chat, 3)
        assert chat is not None
        chat.other_areas = True


def test_a_town_keeps_its_hromada_and_raion() -> None:
    town = _nizhyn()
    assert (town.name_uk, town.hromada, town.raion) == ("Ніжин", "Ніжинська громада", "Ніжинський район")  # fmt: skip
    raion = {"name_uk": "Ніжинський район", "level": "raion", "region": "UA-74"}
    far = {"name_uk": "Новгород-Сіверський район", "level": "raion", "region": "UA-74"}
    village = {"name_uk": "Ніжинське", "level": "village", "region": "UA-74"}  # Nizhyn raion
    city = {"name_uk": "Чернігів", "level": "city", "region": "UA-74"}
    assert relation([town], [raion], "UA-74") == MINE
    assert relation([town], [far], "UA-74") == OTHER
    assert relation([town], [village], "UA-74") == MINE
    assert relation([town], [city], "UA-74") == OTHER
    assert relation([town], [], "UA-74") == MINE  # the whole oblast
    assert relation([], [far], "UA-74") == MINE  # a chat following the whole oblast


async def test_town_subscribed_chat_gets_its_oblast_and_own_raion_not_another(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine)
    with session_scope(engine, readonly=True) as s:
        assert [p.name_uk for p in followed_places(s, 2)] == ["Ніжин"]
    async with running(engine, tg) as (pipeline, _):
        for i, text in enumerate((OBLAST, FAR_RAION, OWN_RAION), 1):
            at = T0 + timedelta(minutes=2 * i)
            await pipeline.ingest("air_alert_ua", post("air_alert_ua", i, text, at))
        await pipeline.ingest("chernihiv_oda", post("chernihiv_oda", 7, CITY, T0))
        await tg.wait_for_messages(1, 4)
        await tg.wait_for_messages(3, 4)
        await tg.wait_for_messages(2, 2)
        await settle(engine, tg)
    whole = [m.text for m in tg.sent(1)]
    town = [m.text for m in tg.sent(2)]
    marked = [m.text for m in tg.sent(3)]
    assert len(whole) == 4 and any("Новгород-Сіверський район" in t for t in whole)
    assert len(town) == 2
    assert town[0].startswith("🔴 Повітряна тривога · Чернігівщина\n🕑 02:07")
    assert "Ніжинський район" in town[1] and "Не ваш район" not in town[1]
    assert not any("Новгород-Сіверський" in t or "Чернігів\n" in t for t in town)
    others = [t for t in marked if "ℹ️ Не ваш район" in t]
    assert len(marked) == 4 and len(others) == 2  # the far raion's alert and the city's post
