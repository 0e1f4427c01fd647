"""Alert fan-out: one air-raid alert post → N subscribed chats, through the real pipeline,
outbox, dispatcher and a Bot API stand-in running as its own process with Telegram-like limits.

    python benchmarks/fanout.py --chats 600 --limit 30
    python benchmarks/fanout.py --chats 3000 --limit 250
    python benchmarks/fanout.py --chats 3000 --limit 0        # no limits: the ceiling
    python benchmarks/fanout.py --mixed                        # threats behind a report backlog

``--mixed``: a backlog of one report per chat (a shelling report), then one threat per chat (an
air-raid alert) staged a second later, run twice: with the outbox's priority and without it
(``--no-priority`` runs only the latter). It prints the threats' delivery p50/p95 (from staging
to Telegram taking the message) and ends with JSON ``threat_p95_ms``,
``threat_p95_ms_no_priority``, ``lost`` and ``duplicated`` (totals over the runs).

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
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot  # noqa: E402
from bot.alerting.policy import DeliveryPolicy  # noqa: E402
from bot.parsing import parse  # noqa: E402
from bot.pipeline import IncomingPost, Pipeline  # noqa: E402
from bot.registry import ChannelSpec, seed_channels  # noqa: E402
from bot.standins.botapi_client import BotApiProcess  # noqa: E402
from bot.standins.botapi_state import Limits  # noqa: E402
from storage import crud  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Chat, Subscription  # noqa: E402

ALERT = "🔴 02:14 Повітряна тривога в Чернігівська область."
REPORT = "Ворог обстріляв Чернігів."  # one report (shelling) per chat
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
    seed_channels(
        engine,
        [
            ChannelSpec("air_alert_ua", "alerts", None, True, "Тривога", 10),
            ChannelSpec("chernigivskaODA", "governor", REGION, True, "ОВА", 10),
        ],
    )
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


class _ThreatClass:
    """Stages outbox rows as threats while ``on`` (until the sink passes the class itself)."""

    def __init__(self) -> None:
        self.on = False
        self.original = crud.enqueue_live

    def __call__(self, *args: Any, **kwargs: Any) -> int:
        if self.on:
            kwargs["klass"] = "threat"
        return self.original(*args, **kwargs)


def _open_rows(engine: Engine) -> int:
    with session_scope(engine, readonly=True) as s:
        return crud.pending_count(s)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def run_mixed(args: argparse.Namespace, priority: bool) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="fanout-"))
    engine, backend, schema = fresh_engine(tmp)
    seed(engine, args.chats)
    parse(ALERT)
    limit = args.limit
    threat_class = _ThreatClass()
    crud.enqueue_live = threat_class  # type: ignore[assignment]
    try:
        with BotApiProcess(
            limits=Limits(global_per_s=float(limit), global_burst=float(limit))
        ) as tg:
            bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=args.workers)
            async with bot:
                dispatcher = Dispatcher(
                    engine,
                    bot,
                    limits=RateLimits(global_per_s=float(limit)),
                    workers=args.workers,
                    policy=DeliveryPolicy(priority=priority),
                )
                await dispatcher.start()
                pipeline = Pipeline(engine, OutboxSink(dispatcher.wake))
                now = datetime.now(UTC)
                report = IncomingPost("chernigivskaODA", 1, now, REPORT)
                await pipeline.ingest("chernigivskaODA", [report])
                await asyncio.sleep(1.0)
                threat_class.on = True
                t_threat = time.time()
                await pipeline.ingest("air_alert_ua", [IncomingPost("air_alert_ua", 1, now, ALERT)])
                threat_class.on = False
                deadline = time.monotonic() + 60 + 2 * args.chats / max(1.0, limit)
                while time.monotonic() < deadline and await asyncio.to_thread(_open_rows, engine):
                    await asyncio.sleep(0.1)
                await dispatcher.stop()
            calls = tg.calls("sendMessage", ok=True)
            if os.environ.get("FANOUT_DEBUG"):
                print(Counter(str(c.params.get("text"))[:40] for c in calls), dispatcher.stats)
    finally:
        crud.enqueue_live = threat_class.original  # type: ignore[assignment]
    engine.dispose()
    if schema is not None:
        _admin(os.environ["DATABASE_URL"], f'DROP SCHEMA "{schema}" CASCADE')
    wanted = {10_000 + i for i in range(args.chats)}
    threats = [c for c in calls if "тривога" in str(c.params.get("text", "")).lower()
               or "air-raid" in str(c.params.get("text", "")).lower()]  # fmt: skip
    reports = [c for c in calls if c not in threats]
    lost = duplicated = 0
    for group in (threats, reports):
        per_chat = Counter(int(c.params["chat_id"]) for c in group)
        lost += len(wanted - set(per_chat))
        duplicated += sum(n - 1 for n in per_chat.values() if n > 1)
    latencies = [(c.time - t_threat) * 1000 for c in threats]
    return {
        "backend": backend,
        "priority": priority,
        "threat_p50_ms": _pct(latencies, 0.5),
        "threat_p95_ms": _pct(latencies, 0.95),
        "reports_before_last_threat": sum(
            1 for c in reports if threats and c.time < max(t.time for t in threats)
        ),
        "lost": lost,
        "duplicated": duplicated,
    }


async def mixed(args: argparse.Namespace) -> dict[str, object]:
    runs = [] if args.no_priority else [await run_mixed(args, True)]
    runs.append(await run_mixed(args, False))
    for r in runs:
        label = "with priority" if r["priority"] else "without priority"
        print(f"{label:>17}: threats p50 {r['threat_p50_ms']} ms, p95 {r['threat_p95_ms']} ms, "
              f"lost {r['lost']}, duplicated {r['duplicated']}")  # fmt: skip
    with_p = next((r for r in runs if r["priority"]), None)
    return {
        "mode": "mixed",
        "backend": runs[0]["backend"],
        "chats": args.chats,
        "limit": args.limit,
        "threat_p50_ms": with_p["threat_p50_ms"] if with_p else None,
        "threat_p95_ms": with_p["threat_p95_ms"] if with_p else None,
        "threat_p50_ms_no_priority": runs[-1]["threat_p50_ms"],
        "threat_p95_ms_no_priority": runs[-1]["threat_p95_ms"],
        "lost": sum(int(r["lost"]) for r in runs),
        "duplicated": sum(int(r["duplicated"]) for r in runs),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chats", type=int, default=600)
    ap.add_argument("--limit", type=float, default=30, help="msgs/s; 0 = no limit")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--headroom", type=float, default=1.0, help="our rate = limit × this")
    ap.add_argument("--mixed", action="store_true", help="threats behind a report backlog")
    ap.add_argument("--no-priority", action="store_true", help="--mixed without priority only")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.mixed:
        if args.limit <= 0:
            ap.error("--mixed needs a rate limit")
        print(json.dumps(asyncio.run(mixed(args))))
        return
    result = asyncio.run(run(args))
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
