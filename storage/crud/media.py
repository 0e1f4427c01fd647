"""Pictures the outbox sends to many chats (the night's map), stored once by content key.

The PNG is kept in the database so every outbox row that names it can be sent after a
restart; Telegram's ``file_id`` from the first upload is kept beside it, so the other chats'
sends pass the id instead of uploading the bytes again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.crud._util import insert_for, now_or
from storage.models import Media, Outbox


def media_key(prefix: str, data: bytes) -> str:
    """``"<prefix>:<content hash>"``: the same picture is stored once whoever asks for it."""
    return f"{prefix[:40]}:{hashlib.sha256(data).hexdigest()[:20]}"


def put_media(session: Session, key: str, data: bytes, *, now: datetime | None = None) -> str:
    """Store ``data`` under ``key`` unless it is there already; returns ``key``."""
    stmt = (
        insert_for(session, Media)
        .values(key=key, data=data, file_id=None, created_at=now_or(now))
        .on_conflict_do_nothing(index_elements=["key"])
    )
    session.execute(stmt)
    return key


def get_media(session: Session, key: str) -> tuple[bytes, str | None] | None:
    """The picture and its Telegram ``file_id`` (``None`` until uploaded once)."""
    row = session.exec(select(Media.data, Media.file_id).where(col(Media.key) == key)).first()
    return None if row is None else (bytes(row[0]), row[1])


def set_file_id(session: Session, key: str, file_id: str) -> bool:
    """Remember Telegram's id of the uploaded picture."""
    result = session.execute(
        update(Media).where(col(Media.key) == key).values(file_id=file_id),
        execution_options={"synchronize_session": False},
    )
    return bool(getattr(result, "rowcount", 0))


def prune_media(session: Session, older_than: datetime) -> int:
    """Forget pictures stored before ``older_than`` that no unfinished outbox row names."""
    wanted = select(Outbox.media_key).where(
        col(Outbox.media_key).is_not(None),
        col(Outbox.status).in_(("pending", "failed", "sending")),
    )
    result = session.execute(
        delete(Media).where(
            col(Media.created_at) < older_than, col(Media.key).not_in(wanted.scalar_subquery())
        ),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0))


__all__ = ["get_media", "media_key", "prune_media", "put_media", "set_file_id"]
