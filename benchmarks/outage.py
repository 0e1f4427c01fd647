"""A Telegram outage in the middle of an alert fan-out, at full length (no scaled timings).

    python benchmarks/outage.py --chats 200 --outage 110           # 502 Bad Gateway for 110 s
    python benchmarks/outage.py --chats 200 --outage 150 --mode drop

The real pipeline, outbox and dispatcher (default :class:`DeliveryPolicy`: threats live 30 min,
retries capped at 60 s, circuit breaker) against the Bot API stand-in in its own process, which
answers every request 502 (or drops the connection) for ``--outage`` seconds right after the
alert is staged. Prints delivered, lost, duplicated, dead, expired, whether ``/healthz``'s
dispatcher check failed during the outage, and how long after the outage the last chat got its
alert. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fanout import ALERT, fresh_engine, seed  # noqa: E402

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot  # noqa: E402
from bot.pipeline import IncomingPost, Pipeline  # noqa: E402
from bot.standins.botapi_client import BotApiProcess  # noqa: E402
from storage import crud  # noqa: E402
from storage.db import session_scope  # noqa: E402


async def run(args: argparse.Namespace) -> dict[str, object]:
    engine, backend, _schema = fresh_engine(Path(tempfile.mkdtemp(prefix="outage-")))
    seed(engine, args.chats)
    with BotApiProcess(limits=None) as tg:
        bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=8)
        async with bot:
            dispatcher = Dispatcher(engine, bot, limits=RateLimits(global_per_s=args.limit))
            await dispatcher.start()
            tg.outage(args.outage, mode=args.mode)
            t0 = time.time()
            ends = t0 + args.outage
            post = IncomingPost("air_alert_ua", 1, datetime.now(UTC), ALERT)
            await Pipeline(engine, OutboxSink(dispatcher.wake)).ingest("air_alert_ua", [post])
            unhealthy = 0.0
            deadline = ends + args.grace
            while time.time() < deadline:
                if not dispatcher.health[0]:
                    unhealthy += 0.5
                with session_scope(engine, readonly=True) as s:
                    counts = crud.outbox_counts(s)
                if counts["sent"] + counts["dead"] + counts["expired"] >= args.chats:
                    break
                await asyncio.sleep(0.5)
            await dispatcher.stop()
        calls = tg.calls("sendMessage", ok=True)
    per_chat = Counter(int(c.params["chat_id"]) for c in calls)
    wanted = {10_000 + i for i in range(args.chats)}
    last = max((c.time for c in calls), default=None)
    return {
        "backend": backend,
        "chats": args.chats,
        "outage_s": args.outage,
        "mode": args.mode,
        "delivered": len(per_chat),
        "lost": len(wanted - set(per_chat)),
        "duplicated": sum(n - 1 for n in per_chat.values() if n > 1),
        "dead": counts["dead"],
        "expired": counts["expired"],
        "health_failed_s": unhealthy,
        "breaker_opened": dispatcher.stats.breaker_opened,
        "recovered_s": round(last - ends, 1) if last is not None else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chats", type=int, default=200)
    ap.add_argument("--outage", type=float, default=110.0, help="seconds Telegram is down")
    ap.add_argument("--mode", choices=("502", "drop"), default="502")
    ap.add_argument("--limit", type=float, default=30.0, help="our msgs/s")
    ap.add_argument("--grace", type=float, default=120.0, help="seconds allowed after the outage")
    args = ap.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    result = asyncio.run(run(args))
    for key, value in result.items():
        print(f"{key:>16}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
