"""Channels: registry of polled Telegram channels and their poll state."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from storage.crud._util import check_region, now_or, short_error
from storage.models import CHANNEL_KINDS, Channel
from storage.types import as_utc

_USERNAME_RE = re.compile(r"^[a-z0-9_]{3,64}$")
_PREFIXES = ("https://t.me/s/", "http://t.me/s/", "https://t.me/", "http://t.me/", "t.me/", "@")


def spelled_username(username: str) -> str:
    """``"@DSNS_Telegram"`` / ``"https://t.me/s/x"`` → ``"DSNS_Telegram"`` / ``"x"``: the name
    as written, for display (validated like :func:`normalize_username`)."""
    name = username.strip()
    for prefix in _PREFIXES:
        if name.lower().startswith(prefix):
            name = name[len(prefix) :]
            break
    name = name.strip("/")
    if not _USERNAME_RE.match(name.lower()):
        raise ValueError(f"not a channel username: {username!r}")
    return name


def normalize_username(username: str) -> str:
    """``"@DSNS_Telegram"`` / ``"https://t.me/s/x"`` → ``"dsns_telegram"`` / ``"x"``."""
    return spelled_username(username).lower()


def get_channel_by_username(session: Session, username: str) -> Channel | None:
    """The channel with this username (any spelling accepted by :func:`normalize_username`)."""
    name = normalize_username(username)
    return session.exec(select(Channel).where(Channel.username == name)).first()


def upsert_channel(
    session: Session,
    username: str,
    *,
    kind: str,
    default_region: str | None = None,
    title: str | None = None,
    enabled: bool | None = None,
    confirmed: bool | None = None,
    poll_interval_s: int | None = None,
) -> Channel:
    """Create the channel or update its settings; ``None`` arguments keep the stored value.

    Poll state (``last_seen_id`` and friends) is never touched here. The spelling of
    ``username`` is kept for display when the channel is new, has none yet, or the caller
    spells it with capitals ("@ChernigivskaODA"); a lowercased lookup never erases it.
    """
    if kind not in CHANNEL_KINDS:
        raise ValueError(f"unknown channel kind: {kind!r}")
    spelled = spelled_username(username)
    channel = get_channel_by_username(session, username)
    if channel is None:
        channel = Channel(username=spelled.lower(), display_name=spelled, kind=kind)
        session.add(channel)
    elif not channel.display_name or spelled != spelled.lower():
        channel.display_name = spelled
    channel.kind = kind
    if default_region is not None:
        channel.default_region = check_region(default_region)
    if title is not None:
        channel.title = title
    if enabled is not None:
        channel.enabled = enabled
    if confirmed is not None:
        channel.confirmed = confirmed
    if poll_interval_s is not None:
        channel.poll_interval_s = poll_interval_s
    session.flush()
    return channel


def list_channels(session: Session, *, enabled_only: bool = False) -> Sequence[Channel]:
    """All channels by username; only enabled ones if asked."""
    query = select(Channel).order_by(col(Channel.username))
    if enabled_only:
        query = query.where(col(Channel.enabled).is_(True))
    return session.exec(query).all()


def record_poll(
    session: Session,
    channel_id: int,
    *,
    ok: bool,
    error: str | BaseException | None = None,
    last_post_at: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Store a poll outcome. Errors bump ``consecutive_errors`` atomically; success resets it."""
    values: dict[str, object] = {"last_poll_at": now_or(now), "last_poll_ok": ok}
    if ok:
        values.update(last_error=None, consecutive_errors=0)
    else:
        values.update(
            last_error=short_error(error) or "error",
            consecutive_errors=col(Channel.consecutive_errors) + 1,
        )
    if last_post_at is not None:
        values["last_post_at"] = last_post_at
    session.execute(
        update(Channel).where(col(Channel.id) == channel_id).values(values),
        execution_options={"synchronize_session": "fetch"},
    )


def advance_last_post_at(session: Session, channel_id: int, at: datetime) -> bool:
    """Raise ``last_post_at`` to ``at`` if later (never backwards: edits of old posts arrive too)."""
    result = session.execute(
        update(Channel)
        .where(
            col(Channel.id) == channel_id,
            or_(col(Channel.last_post_at).is_(None), col(Channel.last_post_at) < as_utc(at)),
        )
        .values(last_post_at=as_utc(at)),
        execution_options={"synchronize_session": "fetch"},
    )
    return bool(getattr(result, "rowcount", 0))


def advance_last_seen_id(session: Session, channel_id: int, message_id: int) -> bool:
    """Raise ``last_seen_id`` to ``message_id`` if it is higher (one atomic UPDATE).

    Returns whether it moved; it never goes backwards, whatever order pollers finish in.
    """
    result = session.execute(
        update(Channel)
        .where(col(Channel.id) == channel_id, col(Channel.last_seen_id) < message_id)
        .values(last_seen_id=message_id),
        execution_options={"synchronize_session": "fetch"},
    )
    return bool(getattr(result, "rowcount", 0))
