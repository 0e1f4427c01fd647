"""Alert fan-out: one air-raid alert post → N subscribed chats, through the real pipeline,
outbox, dispatcher and a Bot API stand-in running as its own process with Telegram-like limits.

    python benchmarks/fanout.py --chats 600 --limit 30
    python benchmarks/fanout.py --chats 3000 --limit 250
    python benchmarks/fanout.py --chats 3000 --limit 0        # no limits: the ceiling

A fresh SQLite file (or a fresh schema on PostgreSQL when DATABASE_URL is set). The stand-in's
records give ``lost``/``duplicated``/``http_429`` and the delivery times; the last line is one
JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot  # noqa: E402
from bot.parsing import parse  # noqa: E402
from bot.pipeline import IncomingPost, Pipeline  # noqa: E402
from bot.registry import ChannelSpec, seed_channels  # noqa: E402
from bot.standins.botapi_client import BotApiProcess  # noqa: E402
from bot.standins.botapi_state import Limits  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Chat, Subscription  # noqa: E402

ALERT = "🔴 02:14 Повітряна тривога в Чернігівська область."
REGION = "UA-74"


def fresh_engine(tmp: Path) -> tuple[Engine, str, str | None]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return make_engine(f"sqlite:///{tmp / 'fanout.sqlite3'}"), "sqlite", None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    _admin(url, f'CREATE SCHEMA "{schema}"')
    return make_engine(url, search_path=schema), "postgresql", schema


def _admin(url: str, sql: str) -> None:
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(sql))
    admin.dispose()


def seed(engine: Engine, n: int) -> None:
    upgrade(engine)
    seed_channels(engine, [ChannelSpec("air_alert_ua", "alerts", None, True, "Тривога", 10)])
    now = datetime.now(UTC)
    chats = [
        {"id": 10_000 + i, "type": "private", "language": "uk" if i % 3 else "en",
         "active": True, "topics": 63, "digest_time": None, "created_at": now}
        for i in range(n)
    ]  # fmt: skip
    subs = [{"chat_id": c["id"], "region": REGION, "created_at": now} for c in chats]
    with engine.begin() as conn:
        conn.execute(insert(Chat), chats)
        conn.execute(insert(Subscription), subs)


async def run(args: argparse.Namespace) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="fanout-"))
    engine, backend, schema = fresh_engine(tmp)
    seed(engine, args.chats)
    parse(ALERT)  # warm the parser: a running bot has it loaded
    limit = args.limit
    stand_in_limits = (
        None if limit <= 0 else Limits(global_per_s=float(limit), global_burst=float(limit))
    )
    ours = RateLimits(global_per_s=float(limit) * args.headroom if limit > 0 else 0.0)
    with BotApiProcess(limits=stand_in_limits) as tg:
        bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=args.workers)
        async with bot:
            dispatcher = Dispatcher(engine, bot, limits=ours, workers=args.workers)
            await dispatcher.start()
            pipeline = Pipeline(engine, OutboxSink(dispatcher.wake))
            t0 = time.time()
            post = IncomingPost("air_alert_ua", 1, datetime.now(UTC), ALERT)
            await pipeline.ingest("air_alert_ua", [post])
            staged_ms = (time.time() - t0) * 1000
            deadline = time.monotonic() + 30 + args.chats / max(1, limit or 100)
            while dispatcher.stats.sent + dispatcher.stats.dead < args.chats:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.01)
            await dispatcher.stop()
        calls = tg.calls("sendMessage", ok=True)
        http_429 = tg.rate_limited
    engine.dispose()
    if schema is not None:
        _admin(os.environ["DATABASE_URL"], f'DROP SCHEMA "{schema}" CASCADE')
    per_chat = Counter(int(c.params["chat_id"]) for c in calls)
    times = sorted(c.time for c in calls)
    wanted = {10_000 + i for i in range(args.chats)}
    lost = len(wanted - set(per_chat))
    duplicated = sum(n - 1 for n in per_chat.values() if n > 1)
    first_ms = (times[0] - t0) * 1000 if times else None
    last_ms = (times[-1] - t0) * 1000 if times else None
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span > 0 else 0.0
    return {
        "backend": backend,
        "chats": args.chats,
        "limit": limit,
        "workers": args.workers,
        "delivered": len(per_chat),
        "rate": round(rate, 1),
        "rate_pct_of_limit": round(100 * rate / limit, 1) if limit > 0 else None,
        "lost": lost,
        "duplicated": duplicated,
        "http_429": http_429,
        "staged_ms": round(staged_ms, 1),
        "first_ms": round(first_ms, 1) if first_ms is not None else None,
        "last_ms": round(last_ms, 1) if last_ms is not None else None,
        "commits": dispatcher.recorder.commits,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chats", type=int, default=600)
    ap.add_argument("--limit", type=float, default=30, help="msgs/s; 0 = no limit")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--headroom", type=float, default=1.0, help="our rate = limit × this")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(run(args))
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
