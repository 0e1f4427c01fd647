"""The daily digest carries the map of its 24 hours for a chat that asked for it in /settings:
through the real Application and the Bot API stand-in, the PNG decoded and read inside a region
that had an alert; the map is uploaded once and sent to the next chat by its file id."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

from PIL import Image

from bot.maps.cache import CACHE
from bot.maps.outlines import placed
from bot.maps.render import ALERT, HEIGHT, WIDTH, map_box
from handlers.callbacks import DigestMap, DigestTime, SettingsPage
from handlers.digests import JOB_NAME, TASKS_KEY
from tests.support.kit import NOW, running_bot

ALERT_74 = "🔴 09:14 Повітряна тривога в Чернігівська область."
END_74 = "🟢 09:31 Відбій тривоги в Чернігівська область."


async def test_digest_carries_the_map_when_the_chat_asked_for_it(tmp_path: Path) -> None:
    CACHE.clear()
    plain, with_map, also = 611, 612, 613
    async with running_bot(tmp_path, digests_job=True) as bot:
        await bot.post("air_alert_ua", ALERT_74, ago=timedelta(minutes=46))
        await bot.post("air_alert_ua", END_74, ago=timedelta(minutes=29))
        for chat in (plain, with_map, also):
            await bot.say(chat, "/subscribe Чернігівщина")
        for chat in (with_map, also):
            [menu] = await bot.say(chat, "/settings")
            await bot.tap(chat, menu.message_id, SettingsPage("digest").pack())
            await bot.tap(chat, menu.message_id, DigestMap(with_map=True).pack())
            edited = await bot.edited(chat, menu.message_id, "Щоденний дайджест: 08:00 · з картою")
            await bot.tap(chat, menu.message_id, DigestTime.of("12:00").pack())
            assert "✅ Карта в підсумку дня" in str(edited.reply_markup)
        [menu] = await bot.say(plain, "/settings")
        await bot.tap(plain, menu.message_id, DigestTime.of("12:00").pack())
        before = {c: len(bot.tg.sent(c)) for c in (plain, with_map, also)}

        [job] = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
        bot.clock.now = NOW.replace(hour=10)  # 12:00 in Kyiv
        await job.run(bot.app)
        await asyncio.gather(*bot.app.bot_data[TASKS_KEY])
        [text] = bot.tg.sent(plain)[before[plain] :]
        assert not text.photo and "Дайджест за добу" in text.text
        for chat in (with_map, also):
            [digest] = bot.tg.sent(chat)[before[chat] :]
            assert digest.photo and "Дайджест за добу" in digest.text  # one photo, its caption
            img = Image.open(io.BytesIO(digest.photo_bytes()))
            assert img.format == "PNG" and img.size == (WIDTH, HEIGHT)
            x0, y0, w = map_box()
            x, y = placed(float(x0), float(y0), float(w)).anchors["UA-74"]
            assert img.convert("RGB").getpixel((round(x), round(y))) == ALERT
        first, second = bot.tg.calls("sendPhoto")
        assert isinstance(first.params["photo"], dict)  # uploaded once
        assert second.params["photo"] == bot.tg.sent(with_map)[-1].photo[-1]["file_id"]
