"""The channel registry: defaults shipped in ``bot/data/channels.json``, editable in the database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Engine

from storage import crud
from storage.db import session_scope


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    username: str
    kind: str
    default_region: str | None
    confirmed: bool
    title: str
    poll_interval_s: int
    source: str = ""  # the evidence for the username (required when confirmed)


def default_channels(path: Path | None = None) -> list[ChannelSpec]:
    """The shipped registry (or an operator's file in the same format)."""
    raw = (
        path.read_text(encoding="utf-8")
        if path
        else resources.files("bot.data").joinpath("channels.json").read_text(encoding="utf-8")
    )
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


def seed_channels(engine: Engine, specs: list[ChannelSpec]) -> int:
    """Insert registry channels the database does not know yet; never overwrite operator edits."""
    added = 0
    with session_scope(engine) as s:
        for spec in specs:
            if crud.get_channel_by_username(s, spec.username) is None:
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
