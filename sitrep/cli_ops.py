"""Operator sub-commands of ``sitrep``: the channel registry, watching sources, the health probe."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from datetime import UTC

import httpx
from sqlalchemy.engine import Engine

from bot.config import Settings, load_settings
from bot.pipeline import Pipeline
from bot.registry import retire_channels, retired_usernames, seed_channels
from bot.sources.telegram_web import SourceError, TelegramWebSource
from bot.watch import PSEUDO_CHANNELS, SourceService, alerts_service
from storage import crud
from storage.db import session_scope
from storage.models import CHANNEL_KINDS


def open_store() -> tuple[Settings, Engine]:
    """Settings and a migrated engine with the default registry seeded; any bad setting is a
    :class:`~bot.config.ConfigError` (one line)."""
    from bot.preflight import load_channels, open_engine

    settings = load_settings()
    channels = load_channels(settings)
    engine = open_engine(settings)
    seed_channels(engine, channels)
    retire_channels(engine, retired_usernames(settings.channels_file))
    return settings, engine


def cmd_channels(args: argparse.Namespace) -> int:
    settings, engine = open_store()
    action = args.action
    with session_scope(engine) as s:
        if action == "list":
            for c in crud.list_channels(s):
                state = "on " if c.enabled else "off"
                mark = "confirmed" if c.confirmed else "CHECK USERNAME"
                region = c.default_region or "-"
                print(
                    f"{state} {c.username:<24} {c.kind:<9} {region:<6} last_id={c.last_seen_id:<7} {mark}"
                )
            return 0
        if action == "add":
            if args.kind not in CHANNEL_KINDS:
                print(
                    f"unknown channel kind {args.kind!r}; one of: {', '.join(CHANNEL_KINDS)}",
                    file=sys.stderr,
                )
                return 2
            crud.upsert_channel(
                s,
                args.username,
                kind=args.kind,
                default_region=args.region,
                enabled=True,
                confirmed=True,
                poll_interval_s=args.interval,
            )
            print(f"added {args.username}")
            return 0
        if action == "remove":
            channel = crud.get_channel_by_username(s, args.username)
            if channel is None:
                print(f"no channel {args.username!r}", file=sys.stderr)
                return 1
            channel.enabled = False
            print(f"disabled {args.username} (its posts and events are kept)")
            return 0
    return asyncio.run(_check(settings, engine))  # action == "check"


async def _check(settings: Settings, engine: Engine) -> int:
    """Fetch each enabled channel's preview once; a table: reachable, title, last post date."""
    base = settings.telegram_web_url
    with session_scope(engine, readonly=True) as s:
        channels = [
            (c.username, c.confirmed)
            for c in crud.list_channels(s, enabled_only=True)
            if c.username not in PSEUDO_CHANNELS  # fed by an API, not a t.me page
        ]
    bad = 0
    print(f"{'':<5}{'channel':<28}{'reachable':<11}{'last post (UTC)':<18}title")
    async with TelegramWebSource(base_url=base) as source:
        for name, confirmed in channels:
            try:
                page = await source.fetch_page(name)
            except Exception as exc:  # report every failure kind the same way
                bad += 1
                why = exc.message if isinstance(exc, SourceError) else type(exc).__name__
                print(f"FAIL {name:<28}{'no':<11}{'-':<18}({why})")
                continue
            last = max((p.published_at for p in page.posts), default=None)
            when = last.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if last else "no posts"
            mark = "" if confirmed else "  [unconfirmed]"
            print(f"ok   {name:<28}{'yes':<11}{when:<18}{page.title or '?'}{mark}")
    return 1 if bad else 0


def cmd_watch(args: argparse.Namespace) -> int:
    """Poll the channels into the database until interrupted (no Telegram bot needed)."""
    settings, engine = open_store()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        async with httpx.AsyncClient(follow_redirects=False) as client:
            source = TelegramWebSource(client, base_url=settings.telegram_web_url)
            pipeline = Pipeline(engine)
            service = SourceService(engine, pipeline, source, interval_override=args.interval)
            alerts = alerts_service(settings, engine, pipeline, client)
            await service.start()
            if alerts is not None:
                await alerts.start()
            try:
                if args.seconds:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), args.seconds)
                else:
                    await stop.wait()
            finally:
                await service.stop()
                if alerts is not None:
                    await alerts.stop()

    asyncio.run(main())
    return 0


def cmd_healthcheck(args: argparse.Namespace) -> int:
    """Exit 0 when the running bot's /healthz says ok (the container's HEALTHCHECK)."""
    settings = load_settings()
    host = "127.0.0.1" if settings.metrics_host in ("0.0.0.0", "::") else settings.metrics_host
    host = f"[{host}]" if ":" in host else host
    url = f"http://{host}:{settings.metrics_port}/healthz"
    try:
        response = httpx.get(url, timeout=4)
    except httpx.HTTPError as exc:
        print(f"unhealthy: {url} unreachable ({type(exc).__name__})", file=sys.stderr)
        return 1
    print(response.text)
    return 0 if response.status_code == 200 else 1


def channels_arguments(p: argparse.ArgumentParser) -> None:
    chs = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    chs.add_parser("list", help="show every channel with its kind, region and state")
    add = chs.add_parser("add", help="watch a public channel")
    add.add_argument("username")
    add.add_argument("--kind", required=True, help="|".join(CHANNEL_KINDS))
    add.add_argument("--region", help="default region (ISO code) of a regional channel")
    add.add_argument("--interval", type=int, default=30, help="poll interval in seconds")
    rm = chs.add_parser("remove", help="stop watching a channel (keeps its history)")
    rm.add_argument("username")
    chs.add_parser("check", help="fetch each channel's public page once and report")
    p.set_defaults(func=cmd_channels)


def watch_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--interval", type=float, help="override every channel's poll interval (s)")
    p.add_argument("--seconds", type=float, help="stop after this long")
    p.set_defaults(func=cmd_watch)


def healthcheck_arguments(p: argparse.ArgumentParser) -> None:
    p.set_defaults(func=cmd_healthcheck)
