"""/latest speed at scale: 1,000,000 stored events and 100,000 chats in a SQLite file.

Builds the database with the real schema (SQLModel metadata) and bulk ``executemany`` inserts,
then runs /latest's summary builder (``bot.latest.latest_summary``: events query, alert state,
source health, rendering) for random regions, plus /status and the digest's due-chats query.
Prints medians and p95 in ms; the last line is one JSON object.

    .venv/bin/python benchmarks/latest.py [--events 1000000] [--chats 100000] [--runs 500]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import SQLModel

import storage.models  # noqa: F401
from bot.geo import REGIONS
from bot.latest import latest_summary
from storage import crud
from storage.db import make_engine, session_scope

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
SPAN = timedelta(days=30)
KINDS = {  # rough share of each kind among events
    "air_alert_start": 22,
    "air_alert_end": 22,
    "drones": 14,
    "missiles": 3,
    "airstrike": 4,
    "shelling": 12,
    "explosions": 6,
    "casualties": 6,
    "damage": 4,
    "power_outage": 3,
    "outage_schedule": 1,
    "power_restored": 1,
    "train_delay": 2,
}
CHANNELS = ["air_alert_ua", "kpszsu", "ukrzalinfo", "ukrenergo"] + [
    f"oda_{code[3:]}" for code in REGIONS
]


def ts(at: datetime) -> str:
    """SQLAlchemy's SQLite DateTime storage format (naive UTC)."""
    return at.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def chunks(
    rows: Iterator[tuple[object, ...]], size: int = 50_000
) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build(path: Path, n_events: int, n_chats: int, seed: int = 7) -> float:
    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    rnd = random.Random(seed)
    regions = list(REGIONS)
    kinds, weights = list(KINDS), list(KINDS.values())
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    now_s = ts(NOW)
    con.executemany(
        "INSERT INTO channels (id, username, kind, default_region, title, enabled, confirmed,"
        " poll_interval_s, last_seen_id, last_poll_at, last_poll_ok, consecutive_errors)"
        " VALUES (?, ?, ?, ?, '', 1, 1, 30, 0, ?, 1, 0)",
        [
            (
                i + 1,
                name,
                "alerts" if i == 0 else "air_force" if i == 1 else "news" if i < 4 else "governor",
                None if i < 4 else "UA-" + name[4:],
                ts(NOW - timedelta(seconds=5)),
            )
            for i, name in enumerate(CHANNELS)
        ],
    )

    def events() -> Iterator[tuple[object, ...]]:
        span_s = SPAN.total_seconds()
        for i in range(1, n_events + 1):
            kind = rnd.choices(kinds, weights)[0]
            at = NOW - timedelta(seconds=rnd.random() * span_s)
            roll = rnd.random()
            regs = ["UA"] if roll < 0.02 else rnd.sample(regions, 2 if roll < 0.15 else 1)
            counts = {"injured": rnd.randint(1, 9)} if kind == "casualties" else {}
            if kind in ("drones", "missiles") and regs == ["UA"]:
                counts = {"launched": rnd.randint(20, 600), "destroyed": rnd.randint(10, 500)}
            places = [{"name_uk": "Місто", "name_en": "Town", "level": "city", "region": regs[0]}]
            yield (i, kind, regs, counts, places, at)

    post_sql = (
        "INSERT INTO posts (id, channel_id, message_id, published_at, text, content_hash, fetched_at,"
        " parsed_at, version) VALUES (?, ?, ?, ?, '', '', ?, ?, 1)"
    )
    event_sql = (
        "INSERT INTO events (id, post_id, kind, regions, counts, summary, places, occurred_at,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?)"
    )
    region_sql = (
        "INSERT INTO event_regions (event_id, region, kind, occurred_at) VALUES (?, ?, ?, ?)"
    )
    for batch in chunks(events()):
        posts: list[tuple[object, ...]] = []
        evs: list[tuple[object, ...]] = []
        ers: list[tuple[object, ...]] = []
        for i, kind, regs, counts, places, at in batch:
            at_s = ts(at)  # type: ignore[arg-type]
            posts.append((i, rnd.randint(1, len(CHANNELS)), i, at_s, now_s, now_s))
            body = (json.dumps(regs), json.dumps(counts), json.dumps(places))
            evs.append((i, i, kind, *body, at_s, now_s, now_s))
            ers.extend((i, r, kind, at_s) for r in regs)  # type: ignore[attr-defined]
        con.executemany(post_sql, posts)
        con.executemany(event_sql, evs)
        con.executemany(region_sql, ers)
        con.commit()
    con.executemany(
        "INSERT INTO chats (id, type, language, active, digest_time, topics, created_at)"
        " VALUES (?, 'private', ?, 1, ?, 63, ?)",
        [
            (1000 + i, "uk" if i % 5 else "en", f"{rnd.randint(6, 22):02d}:00", now_s)
            for i in range(n_chats)
        ],
    )
    con.executemany(
        "INSERT OR IGNORE INTO subscriptions (chat_id, region, created_at) VALUES (?, ?, ?)",
        [(1000 + i, rnd.choice(regions), now_s) for i in range(n_chats) for _ in range(2)],
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return time.perf_counter() - started


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def stats(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--chats", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--db", type=Path, help="reuse/keep this SQLite file")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = args.db or Path(tmp.name) / "bench.sqlite3"
    build_s = 0.0
    if not path.exists():
        build_s = build(path, args.events, args.chats)
        print(f"built {args.events:,} events, {args.chats:,} chats in {build_s:.1f} s")
    engine = make_engine(f"sqlite:///{path}")
    kyiv = ZoneInfo("Europe/Kyiv")
    rnd = random.Random(1)
    regions = list(REGIONS)
    sample = ""

    def one_latest() -> None:
        nonlocal sample
        region = rnd.choice(regions)
        with session_scope(engine, readonly=True) as s:
            sample = latest_summary(s, region, NOW, rnd.choice(("uk", "en")), kyiv)

    def one_status() -> None:
        with session_scope(engine, readonly=True) as s:
            crud.alert_states(s, regions)

    def one_due() -> None:
        with session_scope(engine, readonly=True) as s:
            crud.digest_chats(s, "08:00")

    timed(one_latest, 20)  # warm the page cache
    latest = stats(timed(one_latest, args.runs))
    status = stats(timed(one_status, max(50, args.runs // 5)))
    due = stats(timed(one_due, 20))
    assert "<b>" in sample and "t.me/" in sample, sample
    print(f"/latest summary: median {latest['median_ms']} ms, p95 {latest['p95_ms']} ms")
    print(f"/status alert states (27 regions): median {status['median_ms']} ms")
    print(f"digest due-chats query: median {due['median_ms']} ms")
    result = {
        "events": args.events,
        "chats": args.chats,
        "runs": args.runs,
        "build_s": round(build_s, 1),
        "latest": latest,
        "status": status,
        "digest_due": due,
    }
    engine.dispose()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
