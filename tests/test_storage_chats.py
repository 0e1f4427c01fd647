"""Chats, topics, subscriptions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from storage import crud
from storage.db import session_scope
from storage.models import ALL_TOPICS_MASK, TOPICS

T0 = datetime(2025, 11, 25, 8, 0, tzinfo=UTC)
BIG = -1001234567890  # supergroup ids exceed 32 bits


def test_topic_mask_helpers() -> None:
    assert crud.topics_to_mask(TOPICS) == ALL_TOPICS_MASK
    assert crud.mask_to_topics(crud.topics_to_mask(["rail", "air_alerts"])) == [
        "air_alerts",
        "rail",
    ]
    with pytest.raises(ValueError):
        crud.topic_bit("weather")


def test_upsert_chat_defaults_and_reactivation(engine: Engine) -> None:
    with session_scope(engine) as s:
        chat = crud.upsert_chat(s, BIG, type="supergroup")
        assert (chat.language, chat.active, chat.digest_time, chat.topics) == (
            "uk",
            True,
            "08:00",
            63,
        )
        chat.quiet_start, chat.quiet_end = 23 * 60, 7 * 60
    with session_scope(engine) as s:
        assert crud.deactivate_chat(s, BIG, now=T0)
        assert not crud.deactivate_chat(s, 42)
    with session_scope(engine, readonly=True) as s:
        chat2 = crud.get_chat(s, BIG)
        assert chat2 is not None and not chat2.active and chat2.deactivated_at == T0
    with session_scope(engine) as s:
        chat3 = crud.upsert_chat(s, BIG, type="supergroup", language="en")
        assert (chat3.active, chat3.deactivated_at, chat3.language) == (True, None, "en")
        assert (chat3.quiet_start, chat3.quiet_end) == (1380, 420)
    with session_scope(engine) as s, pytest.raises(ValueError):
        crud.upsert_chat(s, 1, type="forum")
    with session_scope(engine) as s, pytest.raises(ValueError):
        crud.upsert_chat(s, 1, type="private", language="ru")


def test_subscribe_unsubscribe(engine: Engine) -> None:
    with session_scope(engine) as s:
        crud.upsert_chat(s, 1, type="private")
        assert crud.subscribe(s, 1, "UA-74")
        assert not crud.subscribe(s, 1, "UA-74")
        assert crud.subscribe(s, 1, "UA")
        with pytest.raises(ValueError):
            crud.subscribe(s, 1, "Chernihiv")
    with session_scope(engine) as s:
        assert crud.subscriptions_of(s, 1) == ["UA", "UA-74"]
        assert crud.unsubscribe(s, 1, "UA")
        assert not crud.unsubscribe(s, 1, "UA")
        assert crud.subscriptions_of(s, 1) == ["UA-74"]


def test_chat_ids_for(engine: Engine) -> None:
    with session_scope(engine) as s:
        for chat_id in (1, 2, 3, BIG):
            crud.upsert_chat(s, chat_id, type="private" if chat_id > 0 else "supergroup")
            crud.subscribe(s, chat_id, "UA-74")
        crud.subscribe(s, 1, "UA-59")
        crud.subscribe(s, 2, "UA")
        crud.set_topics(s, 2, ["power"])
        crud.deactivate_chat(s, 3)
    with session_scope(engine, readonly=True) as s:
        assert crud.chat_ids_for(s, "UA-74", "drones_missiles") == [BIG, 1]
        assert crud.chat_ids_for(s, "UA-74", "power") == [BIG, 1, 2]
        assert crud.chat_ids_for(s, "UA-74") == [BIG, 1, 2]
        assert crud.chat_ids_for(s, ["UA-74", "UA-59", "UA"], "power") == [BIG, 1, 2]
        assert crud.chat_ids_for(s, "UA-05", "power") == []
        assert crud.chat_ids_for(s, [], "power") == []
    with session_scope(engine) as s, pytest.raises(LookupError):
        crud.set_topics(s, 999, [])


def test_forget_chat_cascades(engine: Engine) -> None:
    with session_scope(engine) as s:
        crud.upsert_chat(s, 7, type="private")
        crud.subscribe(s, 7, "UA-74")
    with session_scope(engine) as s:
        assert crud.forget_chat(s, 7)
        assert not crud.forget_chat(s, 7)
    with session_scope(engine, readonly=True) as s:
        assert crud.get_chat(s, 7) is None
        assert crud.subscriptions_of(s, 7) == []
        assert crud.chat_ids_for(s, "UA-74") == []


def test_toggle_topic_flips_one_bit_and_refuses_unknown(engine: Engine) -> None:
    with session_scope(engine) as s:
        crud.upsert_chat(s, 8, type="private")
    with session_scope(engine) as s:
        chat = crud.toggle_topic(s, 8, 5)
        assert chat is not None and chat.topics == ALL_TOPICS_MASK & ~(1 << 5)
    with session_scope(engine) as s:
        chat = crud.toggle_topic(s, 8, 5)
        assert chat is not None and chat.topics == ALL_TOPICS_MASK
        assert crud.toggle_topic(s, 999, 0) is None
        with pytest.raises(ValueError):
            crud.toggle_topic(s, 8, len(TOPICS))


def test_concurrent_toggles_are_never_lost(engine: Engine) -> None:
    """Taps on two topics at once, each in its own transaction on its own thread: the final
    mask has each bit flipped once per tap (odd: flipped, even: back where it was)."""
    with session_scope(engine) as s:
        crud.upsert_chat(s, 9, type="private")
    taps = [1] * 9 + [4] * 6
    start = threading.Barrier(len(taps))

    def toggle(index: int) -> None:
        start.wait()
        with session_scope(engine) as s:
            crud.toggle_topic(s, 9, index)

    with ThreadPoolExecutor(len(taps)) as pool:
        list(pool.map(toggle, taps))
    with session_scope(engine, readonly=True) as s:
        chat = crud.get_chat(s, 9)
        assert chat is not None and chat.topics == ALL_TOPICS_MASK ^ (1 << 1)
