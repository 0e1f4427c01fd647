"""``sitrep demo``: the whole system offline, on embedded defaults, in well under a minute.

A local t.me stand-in serves a recorded night (``bot/demo/night.py``) and a local Bot API
stand-in plays Telegram. The real bot runs against both: demo chats subscribe the way people do
(/start, /subscribe), receive their alerts as the night unfolds, and one asks /latest. Every
message a chat receives is printed as it arrives (or as JSON lines with ``--json``). The
morning summary comes with the night's map, written beside ``--map-out`` as ``*-night.png``.
It ends with that chat's /map, whose PNG is written to a file the demo names (``--map-out``).
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

from bot.alerting import OutboxSink
from bot.alerting.render import KYIV
from bot.config import Settings
from bot.demo.night import DEMO_CHANNELS, DEMO_CHATS, NIGHT, QUIET_CHAT
from bot.i18n import t
from bot.registry import ChannelSpec, seed_channels
from bot.standins.botapi_server import BotApiStandin
from bot.standins.tme_server import TmeStandin
from handlers.context import SERVICES
from sitrep.runtime import build_runtime, serve
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Chat

STEP_S = 0.7  # replay seconds between two posts (at speed 1)


class NightClock:
    """The recorded night's own clock: the time of the latest replayed post plus the real time
    since. The alerting stage and the dispatcher read it, so a post saying 01:14 is pushed as
    01:14 and quiet hours are those of the night."""

    def __init__(self, start: datetime) -> None:
        self.at, self.real = start, time.monotonic()

    def set(self, at: datetime) -> None:
        self.at, self.real = at, time.monotonic()

    def __call__(self) -> datetime:
        return self.at + timedelta(seconds=time.monotonic() - self.real)


def night_times() -> list[datetime]:
    """Each post's moment: its "HH:MM" of the latest night already over (Kyiv)."""
    now = datetime.now(KYIV)
    day = now.date() if now.hour >= 9 else (now - timedelta(days=1)).date()
    out = []
    for clock, _, _ in NIGHT:
        hh, mm = (int(x) for x in clock.split(":"))
        out.append(datetime(day.year, day.month, day.day, hh, mm, tzinfo=KYIV).astimezone(UTC))
    return out


class _Printer:
    """Prints what each demo chat receives, once per new message or edit."""

    def __init__(self, tg: BotApiStandin, json_lines: bool, started: float) -> None:
        self.tg, self.json_lines, self.started = tg, json_lines, started
        self.seen: dict[tuple[int, int], str] = {}
        self.regions = {chat: regions for chat, _, regions in DEMO_CHATS}
        self.count = 0

    def poll(self) -> None:
        silent = {
            (c.params.get("chat_id"), c.params.get("text", c.params.get("caption") or "")): bool(
                c.params.get("disable_notification")
            )
            for c in (*self.tg.calls("sendMessage"), *self.tg.calls("sendPhoto"))
        }
        for chat, lang, _ in DEMO_CHATS:
            for msg in self.tg.sent(chat):
                key = (chat, msg.message_id)
                if self.seen.get(key) == msg.text:
                    continue
                edited = key in self.seen
                if not edited and (chat, msg.source_text) not in silent:
                    continue  # its call is logged a moment after the message: next poll
                self.seen[key] = msg.text
                self.count += 1
                quiet = not edited and silent.get((chat, msg.source_text), False)
                self._emit(chat, lang, msg.message_id, msg.text, edited, quiet, bool(msg.photo))

    def _emit(
        self,
        chat: int,
        lang: str,
        message_id: int,
        text: str,
        edited: bool,
        quiet: bool = False,
        photo: bool = False,
    ) -> None:
        regions = [
            r for r in self.regions[chat] if r.startswith("UA") and t(lang, f"region.{r}") in text
        ]
        if self.json_lines:
            row = {
                "chat_id": chat,
                "message_id": message_id,
                "edited": edited,
                "silent": quiet,
                "region": regions[0] if regions else None,
                "regions": regions,
                "text": text,
                "photo": photo,
            }
            print(json.dumps(row, ensure_ascii=False), flush=True)
            return
        stamp = f"{time.monotonic() - self.started:5.1f}s"
        mark = "✎ edited" if edited else ("→ new 🔕 silent" if quiet else "→ new 🔔")
        if photo:
            mark += " 🗺 with a map"
        body = "\n".join("      " + line for line in text.splitlines())
        print(f"[{stamp}] chat {chat} ({lang}) {mark}\n{body}", flush=True)


def _say(json_lines: bool, text: str) -> None:
    print(text, file=sys.stderr if json_lines else sys.stdout, flush=True)


DEFAULT_MAP_OUT = Path(tempfile.gettempdir()) / "sitrep-demo-map.png"


def _night_map(tg: BotApiStandin, json_lines: bool, out: Path) -> None:
    """The night's map that came with chat 1001's morning summary, written beside ``out``."""
    photo = next((m for m in tg.sent(1001) if m.photo), None)
    if photo is None:
        _say(json_lines, "the morning summary came without the night's map")
        return
    night = out.with_name(f"{out.stem}-night{out.suffix or '.png'}")
    night.parent.mkdir(parents=True, exist_ok=True)
    night.write_bytes(photo.photo_bytes())
    size = photo.photo[0] if photo.photo else {}
    _say(json_lines, f"night map PNG ({size.get('width')}×{size.get('height')}) written to {night}")


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
    out.parent.mkdir(parents=True, exist_ok=True)
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
        _say(
            json_lines,
            f"Sitrep demo: {len(DEMO_CHATS)} chats subscribe (one to a town), then a recorded "
            "night is replayed.",
        )
        for chat, lang, regions in DEMO_CHATS:
            tg.send_text(chat, "/start", user_id=chat, language_code=lang)
            for region in regions:
                name = t(lang, f"region.{region}") if region.startswith("UA") else region
                tg.send_text(chat, f"/subscribe {name}", user_id=chat, language_code=lang)
        await _settle(tg, printer, 3.0)
        chat_id, quiet_start, quiet_end = QUIET_CHAT
        with session_scope(engine) as session:  # after /start made the chat
            quiet_chat = session.get(Chat, chat_id)
            if quiet_chat is not None:
                quiet_chat.quiet_start, quiet_chat.quiet_end = quiet_start, quiet_end
        times = night_times()
        clock = NightClock(times[0] - timedelta(minutes=1))
        rt.dispatcher.clock = clock
        rt.app.bot_data[SERVICES].clock = clock  # /latest and /map answer as of the night too
        sink = rt.sources.pipeline.sink
        if isinstance(sink, OutboxSink):
            sink.clock = clock
        _say(
            json_lines,
            f"\n── the night ({len(NIGHT)} posts, {NIGHT[0][0]}–{NIGHT[-1][0]} Kyiv time; "
            f"chat {chat_id} keeps quiet hours {quiet_start // 60:02d}:{quiet_start % 60:02d}–"
            f"{quiet_end // 60:02d}:{quiet_end % 60:02d}) ──",
        )
        t0 = time.monotonic()
        for i, ((hhmm, channel, text), at) in enumerate(zip(NIGHT, times, strict=True), 1):
            while time.monotonic() - t0 < (i - 1) * STEP_S / speed:
                printer.poll()
                await asyncio.sleep(0.1)
            clock.set(at)
            tme.add_post(channel, text, published_at=at)
            first = text.splitlines()[0][:90]
            _say(json_lines, f"[{i}/{len(NIGHT)}] {hhmm} @{channel} posted: {first}")
        await _drain(rt, tg, printer)
        _night_map(tg, json_lines, map_out)
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
