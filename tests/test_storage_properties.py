"""Property tests: upserting any sequence of texts behaves like a version counter."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import crud
from storage.db import session_scope
from storage.models import Post

T0 = datetime(2025, 11, 25, 8, 0, tzinfo=UTC)
_ids = itertools.count(1)

texts = st.text(max_size=40) | st.sampled_from(["Загроза БпЛА", "Відбій", "Відбій\x00"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=st.lists(texts, min_size=1, max_size=6))
def test_upsert_post_is_idempotent(engine: Engine, sequence: list[str]) -> None:
    message_id = next(_ids)  # fresh message per example; the fixture's db is shared
    with session_scope(engine) as s:
        channel = crud.upsert_channel(s, "prop_channel", kind="news")
        channel_id = channel.id or 0
    expected_version, previous = 0, None
    for text in sequence:
        with session_scope(engine) as s:
            post, status = crud.upsert_post(
                s, channel_id=channel_id, message_id=message_id, text=text, published_at=T0
            )
        cleaned = text.replace("\x00", "")
        if previous is None:
            assert status == "new"
            expected_version = 1
        elif cleaned == previous:
            assert status == "unchanged"
        else:
            assert status == "edited"
            expected_version += 1
        previous = cleaned
        assert (post.version, post.text) == (expected_version, cleaned)
    with session_scope(engine, readonly=True) as s:
        rows = s.exec(
            select(func.count()).select_from(Post).where(Post.message_id == message_id)
        ).one()
        assert rows == 1
