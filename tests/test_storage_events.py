"""Events: replace-by-kind, region index, recent_events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import crud
from storage.db import session_scope
from storage.models import Event, EventRegion

T0 = datetime(2025, 11, 25, 8, 0, tzinfo=UTC)


def _post(engine: Engine, message_id: int = 1, text: str = "t", at: datetime = T0) -> int:
    with session_scope(engine) as s:
        ch = crud.upsert_channel(s, "dnipropetrovska_oda", kind="governor", default_region="UA-12")
        post, _ = crud.upsert_post(
            s, channel_id=ch.id or 0, message_id=message_id, text=text, published_at=at
        )
        return post.id or 0


def _count(engine: Engine, model: type[Event] | type[EventRegion]) -> int:
    with session_scope(engine, readonly=True) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_replace_events_create_update_delete(engine: Engine) -> None:
    pid = _post(engine)
    first = [
        crud.EventData(
            "shelling", ["UA-12"], {"locations": 3}, "Обстріл", [{"name_uk": "Нікополь"}]
        ),
        crud.EventData("casualties", ["UA-12"], {"killed": 1, "injured": 2}),
    ]
    with session_scope(engine) as s:
        ch = crud.replace_events_for_post(s, pid, first, now=T0)
        assert [e.kind for e in ch.created] == ["shelling", "casualties"]
        assert not ch.updated and not ch.unchanged and not ch.deleted_kinds
        ids = {e.kind: e.id for e in ch.created}
        assert all(e.occurred_at == T0 for e in ch.created)
    with session_scope(engine) as s:  # same input → nothing changes
        ch = crud.replace_events_for_post(s, pid, first, now=T0 + timedelta(hours=1))
        assert [e.kind for e in ch.unchanged] == ["shelling", "casualties"]
        assert not ch.created and not ch.updated
        assert all(e.updated_at == T0 for e in ch.unchanged)
    second = [
        crud.EventData("shelling", ["UA-12", "UA-23", "UA-12"], {"locations": 4}),
        crud.EventData("damage", ["UA-12"], {}),
    ]
    with session_scope(engine) as s:
        ch = crud.replace_events_for_post(s, pid, second, now=T0 + timedelta(hours=2))
        assert [e.kind for e in ch.created] == ["damage"]
        assert [(e.kind, e.id, e.regions) for e in ch.updated] == [
            ("shelling", ids["shelling"], ["UA-12", "UA-23"])
        ]
        assert ch.deleted_kinds == ["casualties"]
        assert {e.kind for e in ch.current} == {"shelling", "damage"}
    with session_scope(engine, readonly=True) as s:
        events = crud.events_for_post(s, pid)
        assert [e.kind for e in events] == ["damage", "shelling"]
        shelling = events[1]
        assert shelling.counts == {"locations": 4} and shelling.updated_at == T0 + timedelta(
            hours=2
        )
        assert shelling.created_at == T0
    assert _count(engine, Event) == 2
    assert _count(engine, EventRegion) == 3  # shelling: 12, 23; damage: 12
    with session_scope(engine) as s:
        ch = crud.replace_events_for_post(s, pid, [])
        assert sorted(ch.deleted_kinds) == ["damage", "shelling"]
    assert _count(engine, Event) == _count(engine, EventRegion) == 0


def test_live_and_heading_are_stored_and_an_edit_updates_them(engine: Engine) -> None:
    pid = _post(engine)
    threat = crud.EventData("drones", ["UA-53", "UA-59"], live=True, heading=["UA-53", "UA-53"])
    with session_scope(engine) as s:
        crud.replace_events_for_post(s, pid, [threat, crud.EventData("damage", ["UA-59"])], now=T0)
    with session_scope(engine, readonly=True) as s:
        got = {e.kind: (e.live, e.heading) for e in crud.events_for_post(s, pid)}
        assert got == {"drones": (True, ["UA-53"]), "damage": (False, [])}
    with session_scope(engine) as s:  # the same post edited into a report
        ch = crud.replace_events_for_post(s, pid, [crud.EventData("drones", ["UA-59"])], now=T0)
        assert [(e.kind, e.live, e.heading) for e in ch.updated] == [("drones", False, [])]
    with session_scope(engine) as s, pytest.raises(ValueError, match="region"):
        crud.replace_events_for_post(s, pid, [crud.EventData("drones", ["UA"], heading=["Kyiv"])])


def test_replace_events_marks_post_parsed_and_validates(engine: Engine) -> None:
    pid = _post(engine)
    with session_scope(engine) as s:
        crud.replace_events_for_post(s, pid, [crud.EventData("drones", ["UA"])], now=T0)
        assert crud.unparsed_posts(s) == []
    with session_scope(engine) as s, pytest.raises(ValueError, match="duplicate"):
        crud.replace_events_for_post(s, pid, [crud.EventData("drones", ["UA"])] * 2)
    with session_scope(engine) as s, pytest.raises(ValueError, match="region"):
        crud.replace_events_for_post(s, pid, [crud.EventData("drones", ["Kyiv"])])
    with session_scope(engine) as s, pytest.raises(LookupError):
        crud.replace_events_for_post(s, 12345, [])


def test_edited_post_updates_events_not_duplicates(engine: Engine) -> None:
    pid = _post(engine, text="v1")
    with session_scope(engine) as s:
        crud.replace_events_for_post(s, pid, [crud.EventData("drones", ["UA-74"], {"launched": 5})])
    with session_scope(engine) as s:
        ch = crud.get_channel_by_username(s, "dnipropetrovska_oda")
        post, status = crud.upsert_post(
            s, channel_id=ch.id or 0 if ch else 0, message_id=1, text="v2", published_at=T0
        )
        assert (status, post.version, post.id) == ("edited", 2, pid)
        crud.replace_events_for_post(s, pid, [crud.EventData("drones", ["UA-74"], {"launched": 7})])
    with session_scope(engine, readonly=True) as s:
        (event,) = crud.events_for_post(s, pid)
        assert event.counts == {"launched": 7}
    assert _count(engine, Event) == 1


def test_recent_events(engine: Engine) -> None:
    with session_scope(engine) as s:
        for i, (kind, regions, hours_ago) in enumerate(
            [
                ("drones", ["UA-74"], 1),
                ("shelling", ["UA-74", "UA-59"], 5),
                ("drones", ["UA-59"], 2),
                ("missiles", ["UA"], 3),
                ("drones", ["UA-74"], 20),  # too old
            ]
        ):
            ch = crud.upsert_channel(s, "kpszsu", kind="air_force")
            post, _ = crud.upsert_post(
                s,
                channel_id=ch.id or 0,
                message_id=i,
                text=str(i),
                published_at=T0 - timedelta(hours=hours_ago),
            )
            crud.replace_events_for_post(s, post.id or 0, [crud.EventData(kind, regions)])
    since = T0 - timedelta(hours=12)
    with session_scope(engine, readonly=True) as s:
        got = crud.recent_events(s, "UA-74", since)
        assert [(e.kind, e.occurred_at) for e in got] == [
            ("drones", T0 - timedelta(hours=1)),
            ("shelling", T0 - timedelta(hours=5)),
        ]
        assert [e.kind for e in crud.recent_events(s, ["UA-74", "UA-59", "UA"], since)] == [
            "drones",
            "drones",
            "missiles",
            "shelling",
        ]  # shelling touches two of the regions but is returned once
        assert [e.kind for e in crud.recent_events(s, "UA-74", since, kinds=["shelling"])] == [
            "shelling"
        ]
        assert len(crud.recent_events(s, ["UA-74", "UA-59"], since, limit=2)) == 2
        assert crud.recent_events(s, [], since) == []
        until = T0 - timedelta(hours=2)
        assert [e.kind for e in crud.recent_events(s, "UA-74", since, until=until)] == ["shelling"]
        # naive "since" is read as UTC
        naive = since.replace(tzinfo=None)
        assert len(crud.recent_events(s, "UA-74", naive)) == 2
