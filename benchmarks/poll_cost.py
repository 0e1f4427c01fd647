"""Cost of watching channels: CPU of the poller process and post-to-stored latency.

100 channels (``--channels``) on the t.me stand-in, polled every 10 s (``--interval``) through the
real ``SourceService`` + ``TelegramWebSource`` + ``Pipeline`` into a fresh SQLite database. The
stand-in runs in a forked child process, so its CPU is not counted; it also adds posts at random
times (Poisson, ``--post-rate`` per second) to random channels and reports when each appeared.
The poller process's CPU time (``time.process_time``, all its threads) is measured over the
measurement window after a warm-up of one interval; latency is from a post appearing on the
stand-in to the pipeline returning from storing it (hooked ``Pipeline.ingest``).

    python benchmarks/poll_cost.py [--seconds 90] [--channels 100] [--interval 10]
    python benchmarks/poll_cost.py --huge-page-mb 15   # one channel answers a 15 MB page

The poller's resident memory is reported too: peak (``ru_maxrss``) and at the end. With
``--huge-page-mb`` one channel serves a page that large on every poll; the source stops
reading past its 2 MB cap, so the peak stays where it is without it.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import logging
import multiprocessing as mp
import pstats
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bot.pipeline import BatchResult, IncomingPost, Pipeline  # noqa: E402
from bot.registry import ChannelSpec, seed_channels  # noqa: E402
from bot.sources.telegram_web import TelegramWebSource  # noqa: E402
from bot.watch import SourceService  # noqa: E402
from storage import crud  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

TEXTS = (
    "🔴 {t} Повітряна тривога в Чернігівська область.\nСлідкуйте за подальшими повідомленнями.",
    "🟢 {t} Відбій тривоги в Конотопський район.\nБудьте обережні!",
    "Група ударних БпЛА на півночі Сумщини, курсом на Полтавщину. ({t})",
    "Внаслідок обстрілу Нікополя о {t} поранено двох людей, пошкоджено будинки та авто.",
    "{t} Через знеструмлення на Дніпропетровщині затримуються поїзди: №79 Київ — Кривий Ріг.",
)
SEED_POSTS = 20  # a full preview page per channel, as on real channels


def _text(rng: random.Random) -> str:
    return rng.choice(TEXTS).format(t=f"{rng.randrange(24):02d}:{rng.randrange(60):02d}")


def standin_main(
    conn: Connection, channels: list[str], rate: float, seed: int, huge_mb: float = 0.0
) -> None:
    """Child process: serve the stand-in; add posts at random until told to stop."""
    from bot.standins.tme_server import TmeStandin

    rng = random.Random(seed)
    appeared: list[tuple[str, int, float]] = []
    with TmeStandin() as tme:
        for name in channels:
            tme.add_channel(name)
            for _ in range(SEED_POSTS):
                tme.add_post(name, _text(rng))
        if huge_mb > 0:  # a broken proxy or a hostile page: megabytes of markup
            tme.misbehave(channels[0], body="<div>" + "x" * int(huge_mb * 2**20) + "</div>")
        conn.send((tme.base_url, {n: tme.channel(n).next_id - 1 for n in channels}))
        adding = conn.recv() == "go"
        next_at = time.time() + rng.expovariate(rate) if rate > 0 else float("inf")
        while adding:
            if conn.poll(max(0.0, min(next_at - time.time(), 0.5))):
                conn.recv()  # "stop"
                break
            if time.time() >= next_at:
                name = rng.choice(channels)
                mid = tme.add_post(name, _text(rng))
                appeared.append((name, mid, time.time()))
                next_at += rng.expovariate(rate)
        conn.send(appeared)
        conn.recv()  # keep serving until the poller has stopped


class TimedPipeline(Pipeline):
    """The real pipeline, noting when each post's batch was committed."""

    stored: dict[tuple[str, int], float]

    async def ingest(self, channel: str, posts: Sequence[IncomingPost]) -> BatchResult:
        result = await super().ingest(channel, posts)
        now = time.time()
        for p in posts:
            self.stored.setdefault((channel, p.message_id), now)
        return result


def rss_mb() -> tuple[float, float]:
    """(peak, current) resident set size of this process in MB (Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        current = pages * resource.getpagesize() / 2**20
    except (OSError, ValueError, IndexError):
        current = float("nan")
    return peak, current


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(
    args: argparse.Namespace, base_url: str, engine: Engine, conn: Connection
) -> dict[str, float]:
    """Run the real service against the stand-in; CPU over the window, latencies per post."""
    pipeline = TimedPipeline(engine)
    pipeline.stored = {}
    async with httpx.AsyncClient(follow_redirects=False, timeout=15) as client:
        source = TelegramWebSource(client, base_url=base_url)
        service = SourceService(engine, pipeline, source, interval_override=args.interval)
        await service.start()
        await asyncio.sleep(args.interval + 1)  # warm-up: every channel polled once
        conn.send("go")
        profiler = cProfile.Profile() if args.profile else None
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        await asyncio.sleep(args.seconds)
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if profiler is not None:
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(40)
        conn.send("stop")
        appeared: list[tuple[str, int, float]] = await asyncio.to_thread(conn.recv)
        await asyncio.sleep(args.interval + 2)  # let the last posts be picked up
        await service.stop()
        conn.send("bye")
    latencies = [
        (pipeline.stored[(name, mid)] - t) * 1000
        for name, mid, t in appeared
        if (name, mid) in pipeline.stored
    ]
    missing = [(n, m) for n, m, _ in appeared if (n, m) not in pipeline.stored]
    if missing:
        print(f"NOT STORED: {missing}", file=sys.stderr)
    return {
        "cpu_s": cpu,
        "wall_s": wall,
        "posts": len(appeared),
        "stored": len(latencies),
        "p50": _pct(latencies, 0.5),
        "p95": _pct(latencies, 0.95),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        "rss_peak_mb": rss_mb()[0],
        "rss_end_mb": rss_mb()[1],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seconds", type=float, default=90.0, help="measurement window")
    ap.add_argument("--channels", type=int, default=100)
    ap.add_argument("--interval", type=float, default=10.0)
    ap.add_argument("--post-rate", type=float, default=1.0, help="new posts per second, in all")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="cProfile the loop thread (stderr)")
    ap.add_argument("--huge-page-mb", type=float, default=0.0, help="one channel's page size")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)

    channels = [f"bench_{i:03d}" for i in range(args.channels)]
    parent, child = mp.get_context("fork").Pipe()
    proc = mp.get_context("fork").Process(
        target=standin_main,
        args=(child, channels, args.post_rate, args.seed, args.huge_page_mb),
        daemon=True,
    )
    proc.start()
    base_url, highest = parent.recv()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sitrep.sqlite3"
        engine = make_engine(f"sqlite:///{db}")
        upgrade(engine)
        specs = [ChannelSpec(n, "governor", "UA-12", True, n, int(args.interval)) for n in channels]
        seed_channels(engine, specs)
        with session_scope(engine) as s:  # steady state: the seeded pages were seen before
            for name in channels:
                row = crud.get_channel_by_username(s, name)
                assert row is not None and row.id is not None
                crud.advance_last_seen_id(s, row.id, highest[name])
        try:
            r = asyncio.run(measure(args, base_url, engine, parent))
        finally:
            engine.dispose()
            with contextlib.suppress(Exception):
                proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()

    cpu_per_min = r["cpu_s"] / r["wall_s"] * 60
    print(f"channels {args.channels}, interval {args.interval:g} s, window {r['wall_s']:.1f} s")
    print(
        f"poller CPU: {r['cpu_s']:.2f} s → {cpu_per_min:.2f} CPU-s/min ({cpu_per_min / 0.6:.2f}% of a core)"
    )
    print(
        f"posts added {r['posts']:.0f}, stored {r['stored']:.0f}; latency p50 {r['p50']:.0f} ms,"
        f" p95 {r['p95']:.0f} ms, mean {r['mean']:.0f} ms"
    )
    print(f"poller RSS: peak {r['rss_peak_mb']:.0f} MB, at the end {r['rss_end_mb']:.0f} MB")
    print(
        json.dumps(
            {
                "cpu_s_per_min": round(cpu_per_min, 3),
                "cpu_percent": round(cpu_per_min / 0.6, 2),
                "latency_p50_ms": round(r["p50"], 1),
                "latency_p95_ms": round(r["p95"], 1),
                "channels": args.channels,
                "interval_s": args.interval,
                "posts": int(r["posts"]),
                "stored": int(r["stored"]),
                "rss_peak_mb": round(r["rss_peak_mb"], 1),
                "rss_end_mb": round(r["rss_end_mb"], 1),
                "huge_page_mb": args.huge_page_mb,
            }
        )
    )


if __name__ == "__main__":
    main()
