"""Chats and their region subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.crud._util import check_region, insert_for, now_or
from storage.models import CHAT_TYPES, LANGUAGES, TOPICS, Chat, Outbox, Subscription


def topic_bit(topic: str) -> int:
    """The :attr:`Chat.topics` bit of ``topic`` (one of :data:`storage.models.TOPICS`)."""
    try:
        return 1 << TOPICS.index(topic)
    except ValueError:
        raise ValueError(f"unknown topic: {topic!r}") from None


def topics_to_mask(topics: Iterable[str]) -> int:
    """Bitmask for a set of topic names."""
    mask = 0
    for topic in topics:
        mask |= topic_bit(topic)
    return mask


def mask_to_topics(mask: int) -> list[str]:
    """Topic names set in ``mask``, in :data:`TOPICS` order."""
    return [t for i, t in enumerate(TOPICS) if mask & (1 << i)]


def get_chat(session: Session, chat_id: int) -> Chat | None:
    """The chat, if the bot knows it."""
    return session.get(Chat, chat_id)


def upsert_chat(session: Session, chat_id: int, *, type: str, language: str | None = None) -> Chat:
    """Register a chat or (re)activate a known one; settings and subscriptions are kept."""
    if type not in CHAT_TYPES:
        raise ValueError(f"unknown chat type: {type!r}")
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")
    chat = session.get(Chat, chat_id)
    if chat is None:
        chat = Chat(id=chat_id, type=type, language=language or "uk")
        session.add(chat)
    else:
        chat.type = type
        chat.active = True
        chat.deactivated_at = None
        if language is not None:
            chat.language = language
    session.flush()
    return chat


def set_topics(session: Session, chat_id: int, topics: Iterable[str]) -> int:
    """Replace the chat's topics; returns the stored mask."""
    mask = topics_to_mask(topics)
    chat = session.get(Chat, chat_id)
    if chat is None:
        raise LookupError(f"no chat {chat_id}")
    chat.topics = mask
    session.flush()
    return mask


def toggle_topic(session: Session, chat_id: int, index: int) -> Chat | None:
    """Flip topic ``index`` of :data:`TOPICS` in one UPDATE; the chat after, None if unknown.

    The flip is computed by the database (``(topics | bit) - (topics & bit)``, XOR in SQL both
    backends speak) under the row's write lock, so concurrent taps never lose one another.
    """
    if not 0 <= index < len(TOPICS):
        raise ValueError(f"unknown topic index: {index}")
    bit, topics = 1 << index, col(Chat.topics)
    session.execute(
        update(Chat)
        .where(col(Chat.id) == chat_id)
        .values(topics=topics.op("|")(bit) - topics.op("&")(bit)),
        execution_options={"synchronize_session": False},
    )
    return session.get(Chat, chat_id, populate_existing=True)


def deactivate_chat(session: Session, chat_id: int, *, now: datetime | None = None) -> bool:
    """Stop delivering to a chat (bot blocked/kicked) but keep its settings.

    Undelivered outbox rows for the chat are marked ``dead``. Returns whether the chat exists.
    """
    stamp = now_or(now)
    result = session.execute(
        update(Chat).where(col(Chat.id) == chat_id).values(active=False, deactivated_at=stamp),
        execution_options={"synchronize_session": "fetch"},
    )
    session.execute(
        update(Outbox)
        .where(col(Outbox.chat_id) == chat_id, col(Outbox.status).in_(("pending", "failed")))
        .values(status="dead", last_error="chat deactivated"),
        execution_options={"synchronize_session": False},
    )
    return bool(getattr(result, "rowcount", 0))


def forget_chat(session: Session, chat_id: int) -> bool:
    """Delete the chat with its subscriptions and outbox rows. Returns whether it existed."""
    chat = session.get(Chat, chat_id)
    if chat is None:
        return False
    session.execute(
        delete(Chat).where(col(Chat.id) == chat_id),
        execution_options={"synchronize_session": False},
    )
    session.expunge(chat)
    return True


def subscribe(session: Session, chat_id: int, region: str, *, now: datetime | None = None) -> bool:
    """Subscribe a known chat to a region; returns ``False`` if it already was."""
    stmt = (
        insert_for(session, Subscription)
        .values(chat_id=chat_id, region=check_region(region), created_at=now_or(now))
        .on_conflict_do_nothing(index_elements=["chat_id", "region"])
        .returning(col(Subscription.chat_id))
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def unsubscribe(session: Session, chat_id: int, region: str) -> bool:
    """Remove a subscription; returns whether there was one."""
    result = session.execute(
        delete(Subscription).where(
            col(Subscription.chat_id) == chat_id, col(Subscription.region) == region
        ),
        execution_options={"synchronize_session": False},
    )
    return bool(getattr(result, "rowcount", 0))


def subscriptions_of(session: Session, chat_id: int) -> list[str]:
    """The chat's regions, sorted."""
    query = (
        select(Subscription.region)
        .where(Subscription.chat_id == chat_id)
        .order_by(col(Subscription.region))
    )
    return list(session.exec(query).all())


def chat_ids_for(
    session: Session, region: str | Iterable[str], topic: str | None = None
) -> list[int]:
    """Active chats subscribed to ``region`` (or any of several) wanting ``topic``.

    One query: the (region, chat_id) index of ``subscriptions`` joined to ``chats`` by key.
    ``topic=None`` skips the topic filter.
    """
    regions = [region] if isinstance(region, str) else list(region)
    if not regions:
        return []
    query = (
        select(Subscription.chat_id)
        .join(Chat, col(Chat.id) == col(Subscription.chat_id))
        .where(col(Subscription.region).in_(regions), col(Chat.active).is_(True))
        .distinct()
        .order_by(col(Subscription.chat_id))
    )
    if topic is not None:
        query = query.where(col(Chat.topics).op("&")(topic_bit(topic)) != 0)
    return list(session.exec(query).all())
