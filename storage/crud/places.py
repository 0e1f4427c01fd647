"""Towns, hromadas and raions a chat follows inside its regions (``subscription_places``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.crud._util import check_region, insert_for, now_or
from storage.models import Chat, SubscriptionPlace


@dataclass(frozen=True, slots=True)
class FollowedPlace:
    """One place a chat follows, with the raion and hromada it lies in."""

    key: str
    region: str
    level: str
    name_uk: str
    name_en: str
    raion: str
    hromada: str


def follow_place(
    session: Session, chat_id: int, place: FollowedPlace, *, now: datetime | None = None
) -> bool:
    """Follow ``place`` (its region must be subscribed too); ``False`` if it already was."""
    stmt = (
        insert_for(session, SubscriptionPlace)
        .values(
            chat_id=chat_id,
            key=place.key,
            region=check_region(place.region),
            level=place.level,
            name_uk=place.name_uk[:96],
            name_en=place.name_en[:96],
            raion=place.raion[:96],
            hromada=place.hromada[:96],
            created_at=now_or(now),
        )
        .on_conflict_do_nothing(index_elements=["chat_id", "key"])
        .returning(col(SubscriptionPlace.chat_id))
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def unfollow_region_places(session: Session, chat_id: int, region: str) -> int:
    """Follow the whole region again (or stop following it): forget its places."""
    result = session.execute(
        delete(SubscriptionPlace).where(
            col(SubscriptionPlace.chat_id) == chat_id, col(SubscriptionPlace.region) == region
        ),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0))


def followed_places(session: Session, chat_id: int) -> list[FollowedPlace]:
    """The chat's places, by region then name."""
    query = (
        select(SubscriptionPlace)
        .where(col(SubscriptionPlace.chat_id) == chat_id)
        .order_by(col(SubscriptionPlace.region), col(SubscriptionPlace.name_uk))
    )
    return [_followed(row) for row in session.exec(query).all()]


def places_in(
    session: Session, regions: Iterable[str]
) -> dict[int, tuple[bool, dict[str, list[FollowedPlace]]]]:
    """Every chat following places in any of ``regions``: chat id → (marks other areas,
    region → places). Chats absent here follow those regions whole. One query."""
    wanted = list(dict.fromkeys(regions))
    if not wanted:
        return {}
    query = (
        select(SubscriptionPlace, Chat.other_areas)
        .join(Chat, col(Chat.id) == col(SubscriptionPlace.chat_id))
        .where(col(SubscriptionPlace.region).in_(wanted))
    )
    out: dict[int, tuple[bool, dict[str, list[FollowedPlace]]]] = {}
    for row, other in session.exec(query).all():
        entry = out.setdefault(int(row.chat_id), (bool(other), defaultdict(list)))
        entry[1][row.region].append(_followed(row))
    return out


def _followed(row: SubscriptionPlace) -> FollowedPlace:
    return FollowedPlace(
        row.key, row.region, row.level, row.name_uk, row.name_en, row.raion, row.hromada
    )
