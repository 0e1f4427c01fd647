"""/map and /history end to end: the real Application, sendPhoto through the Bot API stand-in,
the PNG a chat received decoded and read at points inside regions of a known state."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from bot.maps.cache import CACHE
from bot.maps.outlines import placed
from bot.maps.render import (
    ALERT,
    CALM,
    HEIGHT,
    MARK_COLOURS,
    MINE,
    PARTIAL_ALERT,
    WIDTH,
    map_box,
    stacked_pins,
    town_pin,
    town_point,
)
from bot.standins.botapi_state import SentMessage
from handlers.callbacks import ShowHistory
from tests.support.kit import Bot, running_bot

USER = 701
ALERT_74 = "🔴 09:14 Повітряна тривога в Чернігівська область."
ALERT_NIKOPOL = "🔴 09:30 Повітряна тривога в Нікопольський район."
ALERT_63 = "🔴 09:40 Повітряна тривога в Харківська область."
END_63 = "🟢 09:50 Відбій тривоги в Харківська область."
DRONES_SUMY = "Група ударних БпЛА на Сумщині, курсом на Конотоп."


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    CACHE.clear()
    async with running_bot(tmp_path) as b:
        yield b


def decode(msg: SentMessage) -> Image.Image:
    img = Image.open(io.BytesIO(msg.photo_bytes()))
    assert img.format == "PNG"
    return img.convert("RGB")


def colour_at(img: Image.Image, region: str, dy: float = 0) -> tuple[int, int, int]:
    x0, y0, w = map_box()
    x, y = placed(float(x0), float(y0), float(w)).anchors[region]
    return img.getpixel((round(x), round(y + dy)))  # type: ignore[return-value]


async def _alerts(bot: Bot) -> None:
    await bot.post("air_alert_ua", ALERT_74, ago=timedelta(minutes=46))
    await bot.post("air_alert_ua", ALERT_NIKOPOL, ago=timedelta(minutes=30))
    await bot.post("air_alert_ua", ALERT_63, ago=timedelta(minutes=20))
    await bot.post("air_alert_ua", END_63, ago=timedelta(minutes=10))
    await bot.post("kpszsu", DRONES_SUMY, ago=timedelta(minutes=15))
    bot.polls_ok()


async def test_map_in_ukrainian_colours_regions_by_state(bot: Bot) -> None:
    await _alerts(bot)
    await bot.say(USER, "/subscribe Чернігівщина")
    [msg] = await bot.say(USER, "/map")
    assert msg.photo is not None and msg.photo[0]["width"] == WIDTH
    assert "Повітряні тривоги станом на" in msg.text
    img = decode(msg)
    assert img.size == (WIDTH, HEIGHT)
    assert colour_at(img, "UA-74") == ALERT  # whole oblast
    assert colour_at(img, "UA-12") == PARTIAL_ALERT  # one raion
    assert colour_at(img, "UA-63") == CALM  # all clear
    assert colour_at(img, "UA-46") == CALM
    assert colour_at(img, "UA-59") == MARK_COLOURS["drones"]  # drones within the hour


NIZHYN = "UA74040250010023991"  # codifier ids: towns GeoNames places
NIKOPOL = "UA12080050010010114"
CHERNIHIV = "UA74100390010054825"
ICHNIA = "UA74080030010061043"  # under 15,000 people: no point, stacked under the oblast


async def test_map_pins_the_chat_s_towns_where_they_are(bot: Bot) -> None:
    await _alerts(bot)
    await bot.say(USER, "/subscribe Ніжин")
    await bot.say(USER, "/subscribe Нікополь")
    await bot.say(USER, "/subscribe Ічня")
    [msg] = await bot.say(USER, "/map")
    img = decode(msg)
    box = map_box()
    for key in (NIZHYN, NIKOPOL):  # a pin at the town, in the outline colour
        point = town_point(key, *box)
        assert point is not None
        assert img.getpixel((round(point[0]), round(point[1]))) == MINE
    chernihiv = town_point(CHERNIHIV, *box)
    assert chernihiv is not None  # the oblast centre is no pin of this chat's
    assert img.getpixel((round(chernihiv[0]), round(chernihiv[1]))) == ALERT
    assert town_point(ICHNIA, *box) is None
    nizhyn = town_point(NIZHYN, *box)
    assert nizhyn is not None  # the town without a point is stacked under the anchor
    first, second = stacked_pins("UA-74", 2, [nizhyn], *box)
    assert img.getpixel((round(first[0]), round(first[1]))) == MINE
    assert img.getpixel((round(second[0]), round(second[1]))) != MINE  # one stacked, one pin
    x, y = town_pin("UA-12", 0, *box)  # Nikopol is pinned at Nikopol, not under Dnipro's
    assert img.getpixel((round(x), round(y))) == PARTIAL_ALERT
    assert colour_at(img, "UA-74") == ALERT  # the region's own state is still shown
    [other] = await bot.say(USER + 1, "/map")  # a chat without towns has no pins
    point = town_point(NIZHYN, *box)
    assert point is not None
    assert decode(other).getpixel((round(point[0]), round(point[1]))) == ALERT


async def test_map_in_english_says_when_data_is_stale(bot: Bot) -> None:
    await _alerts(bot)
    bot.polls_ok(at=bot.clock.now - timedelta(hours=2))
    [msg] = await bot.say(USER, "/map", language_code="en")
    assert "Air-raid alerts as of" in msg.text and "Data may be stale" in msg.text
    img = decode(msg)
    assert colour_at(img, "UA-74") == ALERT
    assert img.getpixel((WIDTH - 40, 62)) == (255, 236, 153)  # the stale band on the image


async def test_a_storm_of_map_requests_renders_once(bot: Bot) -> None:
    await _alerts(bot)
    before = CACHE.renders
    users = list(range(800, 810))
    for user in users:
        bot.tg.send_text(user, "/map")
    for user in users:
        await bot.tg.wait_for_messages(user, 1, timeout=30)
    assert CACHE.renders - before == 1
    photos = {bot.tg.sent(u)[0].photo_bytes() for u in users}
    assert len(photos) == 1
    await bot.post("air_alert_ua", END_63.replace("Харківська", "Чернігівська"), ago=timedelta(0))
    [after] = await bot.say(users[0], "/map")
    assert CACHE.renders - before == 2 and colour_at(decode(after), "UA-74") == CALM


async def test_history_in_both_languages(bot: Bot) -> None:
    day = timedelta(days=1)
    for ago_start, ago_end in (
        (3 * day + timedelta(hours=2), 3 * day),
        (timedelta(hours=8), timedelta(hours=7)),
    ):
        await bot.post("air_alert_ua", ALERT_74, ago=ago_start)
        await bot.post(
            "air_alert_ua",
            ALERT_74.replace("🔴", "🟢").replace("Повітряна тривога", "Відбій тривоги"),
            ago=ago_end,
        )
    bot.polls_ok()
    photo, text = await bot.say(USER, "/history Чернігівщина", n=2)
    assert photo.photo is not None
    img = Image.open(io.BytesIO(photo.photo_bytes()))
    assert img.format == "PNG" and img.size[0] == 1000
    assert "Чернігівщина" in text.text and "2 тривоги, разом 3 години" in text.text
    assert "найдовша — 2 години" in text.text
    photo_en, text_en = await bot.say(USER + 1, "/history Chernihiv", n=2, language_code="en")
    assert photo_en.photo is not None
    assert "2 alerts, 3 hours in all, the longest 2 hours" in text_en.text


async def test_history_without_argument_asks_for_a_region(bot: Bot) -> None:
    [msg] = await bot.say(USER, "/history")
    assert "Для якого регіону?" in msg.text and msg.reply_markup is not None


async def test_standin_enforces_photo_limits(bot: Bot) -> None:
    url = bot.tg.api_url
    buf = io.BytesIO()
    Image.new("RGB", (9000, 1200), (255, 255, 255)).save(buf, "PNG")
    bot.tg.send_text(USER, "/help")  # make the chat known
    await bot.tg.wait_for_messages(USER, 1)

    def send(data: bytes, caption: str = "") -> httpx.Response:
        files = {"photo": ("map.png", data, "image/png")}
        return httpx.post(
            f"{url}/sendPhoto", data={"chat_id": str(USER), "caption": caption}, files=files
        )

    too_big = await asyncio.to_thread(send, buf.getvalue())
    assert too_big.status_code == 400 and "PHOTO_INVALID_DIMENSIONS" in too_big.text
    not_image = await asyncio.to_thread(send, b"not an image")
    assert not_image.status_code == 400 and "IMAGE_PROCESS_FAILED" in not_image.text
    small = io.BytesIO()
    Image.new("RGB", (10, 10)).save(small, "PNG")
    long_caption = await asyncio.to_thread(send, small.getvalue(), "x" * 1025)
    assert long_caption.status_code == 400 and "caption is too long" in long_caption.text
    ok = await asyncio.to_thread(send, small.getvalue(), "fine")
    assert ok.status_code == 200 and ok.json()["result"]["photo"][0]["width"] == 10


async def test_night_map_shows_alerts_hits_and_outages(bot: Bot) -> None:
    from zoneinfo import ZoneInfo

    from bot.maps.history import last_night
    from bot.maps.night import night_state, render_night_map
    from storage.db import session_scope

    zone = ZoneInfo("Europe/Kyiv")
    start, end = last_night(bot.clock.now, zone)  # 22:00–07:00 local before 10:00
    await bot.post("air_alert_ua", ALERT_74, ago=timedelta(hours=7))
    await bot.post(
        "air_alert_ua", END_63.replace("Харківська", "Чернігівська"), ago=timedelta(hours=6)
    )
    await bot.post(
        "ukrenergo",
        "Внаслідок обстрілу знеструмлено 30 тис. споживачів на Чернігівщині.",
        ago=timedelta(hours=5),
    )
    with session_scope(bot.engine, readonly=True) as s:
        night = night_state(s, start, end)
    assert not night.quiet
    assert night.state.alert("UA-74") is not None and night.state.alert("UA-63") is None
    assert "outage" in night.state.marks_of("UA-74")
    img = Image.open(io.BytesIO(render_night_map(night, "uk", zone, ["UA-74"]))).convert("RGB")
    assert img.size == (WIDTH, HEIGHT)
    x0, y0, w = map_box()
    ax, ay = placed(float(x0), float(y0), float(w)).anchors["UA-74"]
    near = img.crop((round(ax) - 40, round(ay) - 12, round(ax) + 40, round(ay) + 12))
    assert MARK_COLOURS["outage"] in {c for _, c in near.getcolors(1 << 16) or []}
    assert colour_at(img, "UA-74", dy=30) == ALERT and colour_at(img, "UA-46") == CALM
    with session_scope(bot.engine, readonly=True) as s:
        quiet = night_state(s, start - timedelta(days=3), end - timedelta(days=3))
    assert quiet.quiet


async def test_history_asks_among_the_chats_regions_and_answers_a_tap(bot: Bot) -> None:
    await bot.post("air_alert_ua", ALERT_63, ago=timedelta(hours=3))
    await bot.post("air_alert_ua", END_63, ago=timedelta(hours=2, minutes=30))
    await bot.say(USER, "/subscribe Чернігівщина")
    await bot.say(USER, "/subscribe Харківщина")
    [question] = await bot.say(USER, "/history")
    assert question.reply_markup is not None
    buttons = [b["callback_data"] for row in question.reply_markup["inline_keyboard"] for b in row]
    assert sorted(buttons) == [ShowHistory("UA-63").pack(), ShowHistory("UA-74").pack()]
    before = len(bot.tg.sent(USER))
    bot.tg.tap(USER, question.message_id, ShowHistory("UA-63").pack())
    msgs = await bot.tg.wait_for_messages(USER, before + 2)
    photo, text = msgs[before:]
    assert photo.photo is not None and "Харківщина" in text.text
    assert "1 тривога, разом 30 хвилин" in text.text


async def test_forged_history_tap_is_refused(bot: Bot) -> None:
    [question] = await bot.say(USER, "/history")
    before = len(bot.tg.sent(USER))
    update = bot.tg.tap(USER, question.message_id, f"{ShowHistory.prefix}:UA-99")
    query_id = update["callback_query"]["id"]
    await bot.tg.async_wait_for(lambda: bot.answered(query_id))
    assert len(bot.tg.sent(USER)) == before  # no photo, no text
