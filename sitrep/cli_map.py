"""``sitrep map --out FILE.png``: the current map from the database, for operators and docs."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.geo.regions import REGIONS
from sitrep.cli_ops import open_store


def cmd_map(args: argparse.Namespace) -> int:
    from bot.maps import current_map
    from storage.db import session_scope

    settings, engine = open_store()
    zone = ZoneInfo(settings.timezone)
    mine = [r.upper() for r in args.region or []]
    unknown = [r for r in mine if r not in REGIONS]
    if unknown:
        print(f"unknown region code: {', '.join(unknown)} (use ISO codes such as UA-74)")
        return 2
    started = time.perf_counter()
    with session_scope(engine, readonly=True) as session:
        png, state = current_map(session, datetime.now(UTC), args.lang, zone, mine)
    Path(args.out).write_bytes(png)
    took = (time.perf_counter() - started) * 1000
    alerts = ", ".join(f"{r} ({s})" for r, s in state.alerts) or "none"
    stale = " — sources STALE" if state.stale else ""
    print(f"{args.out}: {len(png)} bytes in {took:.0f} ms; alerts: {alerts}{stale}")
    return 0


def map_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="the PNG file to write")
    p.add_argument("--lang", choices=["uk", "en"], default="uk", help="legend language")
    p.add_argument("--region", action="append", help="outline this region (repeatable), e.g. UA-74")
    p.set_defaults(func=cmd_map)
