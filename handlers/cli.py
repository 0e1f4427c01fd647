"""The ``sitrep`` console command: the operator commands of ``bot.cli`` plus ``run`` and ``demo``.

It lives in ``handlers`` because running the bot needs the Telegram layer, and ``bot`` must not
import ``handlers``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine
from telegram.error import InvalidToken

from bot.cli import build_parser, dispatch
from bot.commands import open_store
from bot.leader import AlreadyRunning, hold_sqlite
from bot.logs import setup_logging


def cmd_run(args: argparse.Namespace) -> int:
    """Run the bot until SIGINT/SIGTERM."""
    from handlers.runtime import build_runtime, install_signal_handlers, serve

    settings, engine = open_store()
    if settings.bot_token is None:
        print(
            "configuration error: SITREP_BOT_TOKEN: required to run the bot (from @BotFather)",
            file=sys.stderr,
        )
        return 2
    setup_logging(args.log_level, secrets=[settings.bot_token.get_secret_value()])

    async def main() -> None:
        stop = asyncio.Event()
        install_signal_handlers(stop)
        await serve(build_runtime(settings, engine), stop)

    try:
        with single_instance(engine):
            asyncio.run(main())
    except AlreadyRunning as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except InvalidToken:  # its message quotes the token: never print it
        print(
            "configuration error: SITREP_BOT_TOKEN: rejected by Telegram (check it with @BotFather)",
            file=sys.stderr,
        )
        return 2
    return 0


@contextlib.contextmanager
def single_instance(engine: Engine) -> Iterator[None]:
    """SQLite: hold the database's lock file for the run (one instance only); PostgreSQL:
    nothing to hold, instances elect a leader (``bot.leader``)."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        yield
        return
    with hold_sqlite(Path(database)):
        yield


def cmd_demo(args: argparse.Namespace) -> int:
    """The whole system offline: recorded night, local stand-ins, demo chats."""
    from handlers.demo import run_demo

    return int(asyncio.run(run_demo(json_lines=args.json, speed=args.speed, map_out=args.map_out)))


def main(argv: Sequence[str] | None = None) -> int:
    ap = build_parser()
    sub = next(a for a in ap._actions if isinstance(a, argparse._SubParsersAction))
    run = sub.add_parser("run", help="run the Telegram bot (needs SITREP_BOT_TOKEN)")
    run.add_argument("--log-level", default="INFO")
    run.set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="watch the whole system work offline on a recorded night")
    demo.add_argument(
        "--json", action="store_true", help="print each received message as a JSON line"
    )
    demo.add_argument("--speed", type=float, default=1.0, help="replay speed factor")
    demo.add_argument(
        "--map-out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "sitrep-demo-map.png",
        help="where the closing /map's PNG is written (default: %(default)s)",
    )
    demo.set_defaults(func=cmd_demo)
    return dispatch(ap, argv)


if __name__ == "__main__":
    raise SystemExit(main())
