"""The ``sitrep`` console command: one parser, every sub-command registered here.

The commands' bodies live beside it by theme (``cli_parse``, ``cli_ops``, ``cli_map``); this
module names them all, so the command's whole surface reads in one place. It is the
composition root's door: ``run`` and ``demo`` import the Telegram layer lazily, so ``sitrep
parse`` starts without it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sitrep import cli_map, cli_ops, cli_parse

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def cmd_run(args: argparse.Namespace) -> int:
    """Run the bot until SIGINT/SIGTERM."""
    from telegram.error import InvalidToken

    from bot.leader import AlreadyRunning
    from bot.logs import setup_logging
    from sitrep.runtime import build_runtime, install_signal_handlers, serve

    settings, engine = cli_ops.open_store()
    if settings.bot_token is None:
        print(
            "configuration error: SITREP_BOT_TOKEN: required to run the bot (from @BotFather)",
            file=sys.stderr,
        )
        return 2
    secrets = [settings.bot_token.get_secret_value()]
    webhook_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if len(webhook_secret) >= 8:  # masking a shorter one would mangle every log line
        secrets.append(webhook_secret)
    setup_logging(args.log_level, secrets=secrets)

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
    from bot.leader import hold_sqlite

    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        yield
        return
    with hold_sqlite(Path(database)):
        yield


def cmd_demo(args: argparse.Namespace) -> int:
    """The whole system offline: recorded night, local stand-ins, demo chats."""
    from sitrep.demo import run_demo

    return int(asyncio.run(run_demo(json_lines=args.json, speed=args.speed, map_out=args.map_out)))


def _run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-level", default="INFO")
    p.set_defaults(func=cmd_run)


def _demo_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print each received message as a JSON line")
    p.add_argument("--speed", type=float, default=1.0, help="replay speed factor")
    p.add_argument(
        "--map-out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "sitrep-demo-map.png",
        help="where the closing /map's PNG is written (default: %(default)s)",
    )
    p.set_defaults(func=cmd_demo)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="sitrep",
        description=(
            "Sitrep turns official Ukrainian channel posts (Air Force, air-raid alerts, regional "
            "administrations, railway, energy) into per-region events and pushes them to Telegram "
            "subscribers."
        ),
        epilog='Start with `sitrep parse "Швидкісна ціль на Кременчук!"` to see what the parser makes of a post.',
    )
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    cli_parse.parse_arguments(
        sub.add_parser(
            "parse",
            help="parse post text into events (readable, or --jsonl for the contract form)",
            description=(
                "Parse one post given as arguments or on stdin; --jsonl reads/writes JSON lines."
            ),
        )
    )
    cli_ops.channels_arguments(
        sub.add_parser("channels", help="list, add, remove or check the watched channels")
    )
    cli_ops.watch_arguments(
        sub.add_parser("watch", help="poll the channels into the database (no bot)")
    )
    cli_ops.healthcheck_arguments(
        sub.add_parser("healthcheck", help="ask the running bot's /healthz (exit 0 when healthy)")
    )
    cli_map.map_arguments(
        sub.add_parser("map", help="render the current alert map from the database to a PNG")
    )
    _run_arguments(sub.add_parser("run", help="run the Telegram bot (needs SITREP_BOT_TOKEN)"))
    _demo_arguments(
        sub.add_parser("demo", help="watch the whole system work offline on a recorded night")
    )
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; a bad setting is one line, exit code 2."""
    ap = build_parser()
    args = ap.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        ap.print_help()
        return 0
    from bot.config import ConfigError

    try:
        return func(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
