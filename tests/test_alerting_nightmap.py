"""The morning summary carries the night's map: through the pipeline, the outbox and the real
PTB ``Bot`` to the Bot API stand-in, on SQLite and PostgreSQL. The PNG a chat received is
decoded and read at a point inside a region that had an alert."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.alerting.photos import CAPTION_MAX
from bot.maps.cache import CACHE
from bot.maps.outlines import placed
from bot.maps.render import ALERT, CALM, HEIGHT, WIDTH, map_box
from bot.registry import ChannelSpec, seed_channels
from bot.standins.botapi_server import BotApiStandin
from bot.standins.botapi_state import SentMessage
from storage import crud
from storage.crud import live as crud_live
from storage.crud import media as crud_media
from storage.crud import outbox as crud_outbox
from storage.db import session_scope
from storage.models import Event, LiveMessage, Media, Post
from tests.support.delivery import post, running, settle

NIGHT = datetime(2026, 11, 24, 0, 14, tzinfo=UTC)  # 02:14 in Kyiv
MORNING = datetime(2026, 11, 24, 5, 30, tzinfo=UTC)  # 07:30 in Kyiv
ALERT_74 = "🔴 02:14 Повітряна тривога в Чернігівська область."
END_74 = "🟢 03:10 Відбій тривоги в Чернігівська область."
HIT = "Костянтинівка: окупанти обстріляли місто, пошкоджено 5 будинків."
SUMMARY = (
    "У ніч на 24 листопада противник атакував Україну 310 ударними БпЛА та 12 ракетами. "
    "Знешкоджено 280 БпЛА та 10 ракет. Влучання зафіксовано на 9 локаціях."
)


@pytest.fixture
def tg() -> Iterator[BotApiStandin]:
    with BotApiStandin(limits=None) as standin:
        yield standin


def seed(engine: Engine, chats: dict[int, tuple[str, str]]) -> None:
    seed_channels(
        engine,
        [
            ChannelSpec("air_alert_ua", "alerts", None, True, "", 10),
            ChannelSpec("kpszsu", "air_force", None, True, "", 10),
            ChannelSpec("donetsk_oda", "governor", "UA-14", True, "", 10),
        ],
    )
    with session_scope(engine) as s:
        for chat_id, (region, lang) in chats.items():
            crud.upsert_chat(s, chat_id, type="private", language=lang)
            crud.subscribe(s, chat_id, region)


def decode(msg: SentMessage) -> Image.Image:
    img = Image.open(io.BytesIO(msg.photo_bytes()))
    assert img.format == "PNG"
    return img.convert("RGB")


def colour_at(img: Image.Image, region: str) -> tuple[int, int, int]:
    x0, y0, w = map_box()
    x, y = placed(float(x0), float(y0), float(w)).anchors[region]
    return img.getpixel((round(x), round(y)))  # type: ignore[return-value]


async def test_morning_summary_after_a_night_of_alerts_is_one_photo_with_its_caption(
    engine: Engine, tg: BotApiStandin
) -> None:
    CACHE.clear()
    seed(engine, {1: ("UA-46", "uk"), 2: ("UA-12", "uk"), 3: ("UA-05", "en")})
    async with running(engine, tg) as (pipeline, dispatcher):
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT_74))
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 2, END_74, NIGHT + timedelta(minutes=56)))  # fmt: skip
        await pipeline.ingest("donetsk_oda", post("donetsk_oda", 3, HIT, NIGHT + timedelta(hours=1)))  # fmt: skip
        await pipeline.ingest("kpszsu", post("kpszsu", 30, SUMMARY, MORNING))
        for chat_id in (1, 2, 3):
            await tg.wait_for_messages(chat_id, 1)
        await settle(engine, tg)
    assert tg.call_count("sendMessage") == 0  # none of them subscribed to the alert's region
    photos = tg.calls("sendPhoto")
    assert len(photos) == 3
    for chat_id in (1, 2, 3):
        (msg,) = tg.sent(chat_id)
        assert msg.photo and msg.text.splitlines()[0] in (
            "📋 Підсумок атаки · Україна",
            "📋 Attack summary · Ukraine",
        )
        img = decode(msg)
        assert img.size == (WIDTH, HEIGHT)
        assert colour_at(img, "UA-74") == ALERT  # the night's alert
        assert colour_at(img, "UA-46") == CALM
    # one upload per language; every other chat of the language reuses Telegram's file id
    uploads = [c for c in photos if isinstance(c.params.get("photo"), dict)]
    reused = [c for c in photos if isinstance(c.params.get("photo"), str)]
    assert len(uploads) == 2 and len(reused) == 1
    assert reused[0].params["photo"] == tg.sent(1)[0].photo[-1]["file_id"] or (
        reused[0].params["photo"] == tg.sent(2)[0].photo[-1]["file_id"]
    )
    assert dispatcher.photos.uploads == 2
    with session_scope(engine, readonly=True) as s:
        stored = s.exec(select(Media)).all()
        assert len(stored) == 2 and all(m.file_id for m in stored)
        assert all(lm.captioned for lm in s.exec(select(LiveMessage)).all() if lm.chat_id in (1, 2, 3))  # fmt: skip


async def test_a_quiet_night_summary_is_text_only(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-46", "uk")})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("kpszsu", post("kpszsu", 30, SUMMARY, MORNING))
        await tg.wait_for_messages(1, 1)
        await settle(engine, tg)
    (msg,) = tg.sent(1)
    assert not msg.photo and msg.text.startswith("📋 Підсумок атаки · Україна")
    assert tg.call_count("sendPhoto") == 0


async def test_an_edited_summary_edits_the_caption(engine: Engine, tg: BotApiStandin) -> None:
    CACHE.clear()
    seed(engine, {1: ("UA-46", "uk")})
    more = SUMMARY.replace("9 локаціях", "11 локаціях")
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT_74))
        await pipeline.ingest("kpszsu", post("kpszsu", 30, SUMMARY, MORNING))
        await tg.wait_for_messages(1, 1)
        await settle(engine, tg)
        later = MORNING + timedelta(minutes=20)
        await pipeline.ingest("kpszsu", post("kpszsu", 30, more, later, edited=True))
        await tg.async_wait_for(lambda: tg.sent(1)[0].history)
        await settle(engine, tg)
    (msg,) = tg.sent(1)
    assert msg.photo and "11 локаціях" in msg.text and "9 локаціях" in msg.history[0]["text"]
    assert tg.call_count("editMessageCaption") == 1 and tg.call_count("editMessageText") == 0


def _long_summary(engine: Engine, chats: list[int]) -> int:
    """A summary whose text is longer than a caption, queued for ``chats`` with the map."""
    text = "📋 Підсумок атаки · Україна\n" + "\n".join(f"📍 Місце {i}: влучання" for i in range(90))
    assert len(text) > CAPTION_MAX
    png = io.BytesIO()
    Image.new("RGB", (WIDTH, HEIGHT), ALERT).save(png, "PNG")
    with session_scope(engine) as s:
        channel = crud.upsert_channel(s, "kpszsu", kind="air_force")
        assert channel.id is not None
        row = Post(channel_id=channel.id, message_id=1, published_at=MORNING, text="x", content_hash="x")  # fmt: skip
        s.add(row)
        s.flush()
        assert row.id is not None
        event = Event(post_id=row.id, kind="drones", occurred_at=MORNING, regions=["UA"])
        s.add(event)
        s.flush()
        assert event.id is not None
        happening = crud_live.add_happening(s, "report", "UA", MORNING)
        assert happening.id is not None
        ids = crud_live.add_live(s, happening.id, 0, [(c, text) for c in chats])
        key = crud_media.put_media(s, crud_media.media_key("night:test", png.getvalue()), png.getvalue())  # fmt: skip
        crud_outbox.enqueue_live(
            s,
            [(event.id, c, lid, 1) for c, lid in ids.items()],
            media={lid: key for lid in ids.values()},
        )
        return len(ids)


async def test_a_summary_too_long_for_a_caption_is_the_photo_then_the_text(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine, {1: ("UA-46", "uk"), 2: ("UA-12", "uk")})
    _long_summary(engine, [1, 2])
    async with running(engine, tg) as (_, dispatcher):
        dispatcher.wake()
        await tg.wait_for_messages(1, 2)
        await tg.wait_for_messages(2, 2)
        await settle(engine, tg)
    for chat_id in (1, 2):
        photo, text = tg.sent(chat_id)
        assert photo.photo and photo.text == "" and decode(photo).size == (WIDTH, HEIGHT)
        assert not text.photo and text.text.startswith("📋 Підсумок атаки")
    assert tg.call_count("sendPhoto") == 2 and tg.call_count("sendMessage") == 2
    assert dispatcher.photos.uploads == 1


async def test_the_photo_is_not_sent_twice_when_its_text_fails(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine, {1: ("UA-46", "uk")})
    _long_summary(engine, [1])
    tg.set_limits(True, per_chat_burst=1.0)  # the text right after the photo gets a 429
    async with running(engine, tg) as (_, dispatcher):
        dispatcher.wake()
        await tg.wait_for_messages(1, 2, timeout=10)
        await settle(engine, tg, timeout=10)
    photo, text = tg.sent(1)
    assert photo.photo and not text.photo
    assert tg.call_count("sendPhoto") == 1 and tg.rate_limited >= 1


async def test_a_file_id_telegram_no_longer_knows_is_uploaded_again(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine, {1: ("UA-46", "uk")})
    _long_summary(engine, [1])
    with session_scope(engine) as s:
        for picture in s.exec(select(Media)).all():
            picture.file_id = "photo-from-another-bot"
    async with running(engine, tg) as (_, dispatcher):
        dispatcher.wake()
        await tg.wait_for_messages(1, 2)
        await settle(engine, tg)
    photo, _ = tg.sent(1)
    assert photo.photo and decode(photo).size == (WIDTH, HEIGHT)
    refused, uploaded = tg.calls("sendPhoto")
    assert refused.status == 400 and isinstance(uploaded.params["photo"], dict)
