"""Posts: idempotent storage of channel messages, with edit detection by content hash."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from storage.crud._util import insert_for, now_or
from storage.models import Post
from storage.types import as_utc

PostStatus = Literal["new", "edited", "unchanged"]


def clean_text(text: str) -> str:
    """The text as stored: NUL characters removed (PostgreSQL text cannot hold them)."""
    return text.replace("\x00", "")


def content_hash(text: str) -> str:
    """sha256 hex digest of the (cleaned) text."""
    return hashlib.sha256(clean_text(text).encode("utf-8")).hexdigest()


def get_post(session: Session, channel_id: int, message_id: int) -> Post | None:
    """The stored post for (channel, message), if any."""
    query = select(Post).where(Post.channel_id == channel_id, Post.message_id == message_id)
    return session.exec(query).first()


def upsert_post(
    session: Session,
    *,
    channel_id: int,
    message_id: int,
    text: str,
    published_at: datetime,
    edited_at: datetime | None = None,
    forwarded_from: str | None = None,
    media: str | None = None,
    now: datetime | None = None,
) -> tuple[Post, PostStatus]:
    """Store a fetched message; safe to call any number of times with the same message.

    * ``new``: first sighting, ``version`` 1.
    * ``edited``: the text's hash differs from the stored one → text replaced, ``version`` + 1,
      ``edited_at`` set (given value or now), ``parsed_at`` cleared so the post gets re-parsed.
    * ``unchanged``: same text; only ``fetched_at`` is refreshed.

    On PostgreSQL the existing row is locked (``FOR UPDATE``) so concurrent upserts of the same
    message serialize; a concurrent first insert is absorbed by ``ON CONFLICT DO NOTHING``.
    """
    fetched_at = now_or(now)
    text = clean_text(text)
    digest = content_hash(text)
    for _ in range(2):
        post = session.exec(
            select(Post)
            .where(Post.channel_id == channel_id, Post.message_id == message_id)
            .with_for_update()
        ).first()
        if post is not None:
            break
        stmt = (
            insert_for(session, Post)
            .values(
                channel_id=channel_id,
                message_id=message_id,
                published_at=as_utc(published_at),
                edited_at=edited_at,
                text=text,
                content_hash=digest,
                forwarded_from=forwarded_from,
                media=media,
                fetched_at=fetched_at,
                version=1,
            )
            .on_conflict_do_nothing(index_elements=["channel_id", "message_id"])
            .returning(col(Post.id))
        )
        new_id = session.execute(stmt).scalar_one_or_none()
        if new_id is not None:
            created = session.get(Post, new_id)
            assert created is not None
            return created, "new"
    else:  # pragma: no cover - would need the row to vanish between two statements
        raise RuntimeError(f"post {channel_id}/{message_id} neither insertable nor found")

    post.fetched_at = fetched_at
    if forwarded_from is not None:
        post.forwarded_from = forwarded_from
    if media is not None:
        post.media = media
    if post.content_hash == digest:
        session.flush()
        return post, "unchanged"
    post.text = text
    post.content_hash = digest
    post.version += 1
    post.edited_at = as_utc(edited_at) if edited_at is not None else fetched_at
    post.parsed_at = None
    session.flush()
    return post, "edited"


def mark_parsed(session: Session, post_id: int, *, now: datetime | None = None) -> None:
    """Record that the post's current version has been parsed."""
    post = session.get(Post, post_id)
    if post is not None:
        post.parsed_at = now_or(now)
        session.flush()


def unparsed_posts(session: Session, limit: int = 100) -> list[Post]:
    """Posts whose current version was never parsed (e.g. after a crash), oldest first."""
    query = (
        select(Post)
        .where(col(Post.parsed_at).is_(None))
        .order_by(col(Post.published_at), col(Post.id))
        .limit(limit)
    )
    return list(session.exec(query).all())
