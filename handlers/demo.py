"""``sitrep demo``: the whole system offline, on embedded defaults, in well under a minute.

A local t.me stand-in serves a recorded night (``bot/demo/night.py``) and a local Bot API
stand-in plays Telegram. The real bot runs against both: demo chats subscribe the way people do
(/start, /subscribe), receive their alerts as the night unfolds, and one asks /latest. Every
message a chat receives is printed as it arrives (or as JSON lines with ``--json``). It ends
with that chat's /map, whose PNG is written to a file the demo names (``--map-out``).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.config import Settings
from bot.demo.night import DEMO_CHANNELS, DEMO_CHATS, NIGHT
from bot.i18n import t
from bot.registry import ChannelSpec, seed_channels
from bot.standins.botapi_server import BotApiStandin
from bot.standins.tme_server import TmeStandin
from handlers.runtime import build_runtime, serve
from storage.db import make_engine
from storage.migrate import upgrade


class _Printer:
    """Prints what each demo chat receives, once per new message or edit."""

    def __init__(self, tg: BotApiStandin, json_lines: bool, started: float) -> None:
        self.tg, self.json_lines, self.started = tg, json_lines, started
        self.seen: dict[tuple[int, int], str] = {}
        self.regions = {chat: regions for chat, _, regions in DEMO_CHATS}
        self.count = 0

    def poll(self) -> None:
        for chat, lang, _ in DEMO_CHATS:
            for msg in self.tg.sent(chat):
                key = (chat, msg.message_id)
                if self.seen.get(key) == msg.text:
                    continue
                edited = key in self.seen
                self.seen[key] = msg.text
                self.count += 1
                self._emit(chat, lang, msg.message_id, msg.text, edited)

    def _emit(self, chat: int, lang: str, message_id: int, text: str, edited: bool) -> None:
        regions = [r for r in self.regions[chat] if t(lang, f"region.{r}") in text]
        if self.json_lines:
            row = {
                "chat_id": chat,
                "message_id": message_id,
                "edited": edited,
                "region": regions[0] if regions else None,
                "regions": regions,
                "text": text,
            }
            print(json.dumps(row, ensure_ascii=False), flush=True)
            return
        stamp = f"{time.monotonic() - self.started:5.1f}s"
        mark = "✎ edited" if edited else "→ new"
        body = "\n".join("      " + line for line in text.splitlines())
        print(f"[{stamp}] chat {chat} ({lang}) {mark}\n{body}", flush=True)


def _say(json_lines: bool, text: str) -> None:
    print(text, file=sys.stderr if json_lines else sys.stdout, flush=True)


DEFAULT_MAP_OUT = Path(tempfile.gettempdir()) / "sitrep-demo-map.png"


async def _map(tg: BotApiStandin, printer: _Printer, json_lines: bool, out: Path) -> None:
    """Chat 1001 asks /map; the photo it receives is written to ``out``."""
    _say(json_lines, "\n── chat 1001 asks /map ──")
    before = len(tg.sent(1001))
    tg.send_text(1001, "/map", user_id=1001, language_code="uk")
    msgs = await tg.wait_for_messages(1001, before + 1, timeout=20)
    await _settle(tg, printer, 0.5)
    photo = next((m for m in msgs[before:] if m.photo), None)
    if photo is None:
        _say(json_lines, "/map sent no photo")
        return
    out.write_bytes(photo.photo_bytes())
    size = photo.photo[0] if photo.photo else {}
    _say(json_lines, f"/map PNG ({size.get('width')}×{size.get('height')}) written to {out}")


async def run_demo(
    *, json_lines: bool = False, speed: float = 1.0, map_out: Path = DEFAULT_MAP_OUT
) -> int:
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="sitrep-demo-") as tmp,
        TmeStandin() as tme,
        BotApiStandin() as tg,
    ):
        for username, _, _, title in DEMO_CHANNELS:
            tme.add_channel(username, title, first_id=100)
        db_url = f"sqlite:///{Path(tmp) / 'sitrep.sqlite3'}"
        engine = make_engine(db_url)
        upgrade(engine)
        seed_channels(
            engine, [ChannelSpec(u, k, r, True, title, 1) for u, k, r, title in DEMO_CHANNELS]
        )
        settings = Settings(
            bot_token=SecretStr(tg.token),
            bot_api_base_url=tg.base_url,
            telegram_web_url=tme.base_url,
            database_url=db_url,
            poll_interval_s=0.3,
            metrics_port=0,
        )
        rt = build_runtime(settings, engine, builder=tg.ptb_builder(), health=False)
        stop, ready = asyncio.Event(), asyncio.Event()
        server = asyncio.create_task(serve(rt, stop, ready=ready))
        await asyncio.wait_for(ready.wait(), 20)
        printer = _Printer(tg, json_lines, started)
        _say(json_lines, "Sitrep demo: three chats subscribe, then a recorded night is replayed.")
        for chat, lang, regions in DEMO_CHATS:
            tg.send_text(chat, "/start", user_id=chat, language_code=lang)
            for region in regions:
                tg.send_text(
                    chat,
                    f"/subscribe {t(lang, f'region.{region}')}",
                    user_id=chat,
                    language_code=lang,
                )
        await _settle(tg, printer, 3.0)
        _say(json_lines, f"\n── the night ({len(NIGHT)} posts) ──")
        t0 = time.monotonic()
        night_start = datetime.now(UTC) - timedelta(minutes=5 * NIGHT[-1][0] + 30)
        for i, (at, channel, text) in enumerate(NIGHT, 1):
            while time.monotonic() - t0 < at / speed:
                printer.poll()
                await asyncio.sleep(0.1)
            # The recorded night: one second of replay is 5 minutes of the night, which
            # ended a little before now (so the alerts' times and durations read true).
            tme.add_post(channel, text, published_at=night_start + timedelta(minutes=5 * at))
            first = text.splitlines()[0][:90]
            _say(json_lines, f"[{i}/{len(NIGHT)}] @{channel} posted: {first}")
        await _drain(rt, tg, printer)
        _say(json_lines, "\n── chat 1001 asks /latest ──")
        tg.send_text(1001, "/latest", user_id=1001, language_code="uk")
        await _settle(tg, printer, 2.0)
        await _map(tg, printer, json_lines, map_out)
        stop.set()
        await asyncio.wait_for(server, 15)
        engine.dispose()
        printer.poll()
        _say(
            json_lines,
            f"\nDone in {time.monotonic() - started:.1f} s: {printer.count} messages and edits delivered to {len(DEMO_CHATS)} chats, {tg.rate_limited} answered 429.",
        )
    return 0


async def _settle(tg: BotApiStandin, printer: _Printer, seconds: float) -> None:
    """Print arrivals until nothing new has come for ``seconds``."""
    quiet_since = time.monotonic()
    last = printer.count
    while time.monotonic() - quiet_since < seconds:
        printer.poll()
        if printer.count != last:
            last, quiet_since = printer.count, time.monotonic()
        await asyncio.sleep(0.1)


async def _drain(rt: Any, tg: BotApiStandin, printer: _Printer) -> None:
    """Wait until the sources caught up and the outbox is empty (bounded)."""
    deadline = time.monotonic() + 20
    await _settle(tg, printer, 2.5)
    while time.monotonic() < deadline and rt.dispatcher.busy:
        printer.poll()
        await asyncio.sleep(0.1)
    await _settle(tg, printer, 1.0)
