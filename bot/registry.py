"""The channel registry: defaults shipped in ``bot/data/channels.json``, editable in the database."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Engine

from storage import crud
from storage.db import session_scope

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    username: str
    kind: str
    default_region: str | None
    confirmed: bool
    title: str
    poll_interval_s: int
    source: str = ""  # the evidence for the username (required when confirmed)


def _raw(path: Path | None) -> str:
    if path:
        return path.read_text(encoding="utf-8")
    return resources.files("bot.data").joinpath("channels.json").read_text(encoding="utf-8")


def default_channels(path: Path | None = None) -> list[ChannelSpec]:
    """The shipped registry (or an operator's file in the same format)."""
    raw = _raw(path)
    return [
        ChannelSpec(
            username=c["username"],
            kind=c["kind"],
            default_region=c.get("default_region"),
            confirmed=bool(c.get("confirmed", False)),
            title=c.get("title", ""),
            poll_interval_s=int(c.get("poll_interval_s", 30)),
            source=str(c.get("source", "")),
        )
        for c in json.loads(raw)["channels"]
    ]


def retired_usernames(path: Path | None = None) -> list[str]:
    """Usernames an earlier registry shipped that turned out wrong (``"retired"`` entries)."""
    return [str(r["username"]) for r in json.loads(_raw(path)).get("retired", [])]


def retire_channels(engine: Engine, usernames: list[str]) -> int:
    """Stop retired channels from polling and speaking (disabled, unconfirmed; history kept).

    Seeding never overwrites a database's rows, so a wrong username shipped earlier would go on
    alerting in databases created before the correction; this is the one exception.
    """
    retired = 0
    with session_scope(engine) as s:
        for username in usernames:
            row = crud.get_channel_by_username(s, username)
            if row is not None and (row.enabled or row.confirmed):
                row.enabled, row.confirmed = False, False
                retired += 1
                logger.warning("registry.retired", extra={"channel": username})
    return retired


def seed_channels(engine: Engine, specs: list[ChannelSpec]) -> int:
    """Insert registry channels the database does not know yet; never overwrite operator edits.

    A known channel without a display spelling (a database from before spellings were kept)
    gets the registry's, so links read "@chernigivskaODA" rather than "@chernigivskaoda"."""
    added = 0
    with session_scope(engine) as s:
        for spec in specs:
            row = crud.get_channel_by_username(s, spec.username)
            if row is not None and not row.display_name:
                row.display_name = crud.spelled_username(spec.username)
            if row is None:
                crud.upsert_channel(
                    s,
                    spec.username,
                    kind=spec.kind,
                    default_region=spec.default_region,
                    title=spec.title,
                    confirmed=spec.confirmed,
                    poll_interval_s=spec.poll_interval_s,
                )
                added += 1
    return added
