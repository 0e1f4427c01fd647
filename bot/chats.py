"""What the chat commands do to the store, one unit of work per function.

Each takes the session first and is called by a handler as ``await context.write(fn, …)`` (or
``read``): one transaction, so a command's reads and writes see one state and commit together.
A chat "speaks" the language it was registered with (the first sender's, uk or en) until
``/settings`` changes it; only the 27 real regions are shown (rows written before taps were
checked may hold others).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.alerting.areas import followed
from bot.geo.gazetteer import Place
from bot.geo.regions import REGIONS
from storage import crud
from storage.crud.places import FollowedPlace, follow_place, followed_places, unfollow_region_places
from storage.models import Chat


def stored_language(session: Session, chat_id: int) -> str | None:
    """The chat's language if the bot knows the chat (active or not)."""
    chat = crud.get_chat(session, chat_id)
    return chat.language if chat is not None else None


def active_language(session: Session, chat_id: int) -> str | None:
    """The chat's language if the chat is registered and active."""
    chat = crud.get_chat(session, chat_id)
    return chat.language if chat is not None and chat.active else None


def register(session: Session, chat_id: int, chat_type: str, user_lang: str) -> str:
    """Make sure the chat is registered and active (first contact: in the sender's language);
    its language."""
    chat = crud.get_chat(session, chat_id)
    if chat is None or not chat.active:
        lang = chat.language if chat is not None else user_lang
        chat = crud.upsert_chat(session, chat_id, type=chat_type, language=lang)
    return chat.language


def welcome(session: Session, chat_id: int, chat_type: str, user_lang: str) -> str:
    """(Re)activate the chat, keeping a known chat's language; its language."""
    known = crud.get_chat(session, chat_id)
    language = None if known is not None else user_lang
    return crud.upsert_chat(session, chat_id, type=chat_type, language=language).language


def start(session: Session, chat_id: int, chat_type: str, user_lang: str) -> tuple[str, list[str]]:
    """``/start``: (re)activate the chat; its language and regions."""
    return welcome(session, chat_id, chat_type, user_lang), regions_of(session, chat_id)


def regions_of(session: Session, chat_id: int) -> list[str]:
    """The chat's regions, sorted, only the 27 real ones."""
    return [code for code in crud.subscriptions_of(session, chat_id) if code in REGIONS]


def regions_of_many(session: Session, chat_ids: list[int]) -> dict[int, list[str]]:
    """:func:`regions_of` of several chats in one query."""
    found = crud.regions_of_chats(session, chat_ids)
    return {i: [code for code in found[i] if code in REGIONS] for i in chat_ids}


def subscribe_region(session: Session, chat_id: int, region: str) -> list[str]:
    """Subscribe the region and follow it whole (no town filter); the chat's regions after."""
    crud.subscribe(session, chat_id, region)
    unfollow_region_places(session, chat_id, region)
    return regions_of(session, chat_id)


def subscribe_town(session: Session, chat_id: int, place: Place) -> list[str]:
    """Subscribe the town's oblast and follow the town; the chat's regions after."""
    crud.subscribe(session, chat_id, place.region)
    follow_place(session, chat_id, followed(place))
    return regions_of(session, chat_id)


def unsubscribe(session: Session, chat_id: int, region: str) -> tuple[bool, list[str]]:
    """Whether the chat had the region, and its regions after."""
    removed = crud.unsubscribe(session, chat_id, region)
    return removed, regions_of(session, chat_id)


def towns_by_region(session: Session, chat_id: int) -> dict[str, list[FollowedPlace]]:
    """The places the chat follows, by region."""
    out: dict[str, list[FollowedPlace]] = {}
    for place in followed_places(session, chat_id):
        out.setdefault(place.region, []).append(place)
    return out


def change_settings(session: Session, /, chat_id: int, **values: Any) -> Chat | None:
    """Set some of the chat's settings; the chat after."""
    crud.set_chat_fields(session, chat_id, **values)
    return crud.get_chat(session, chat_id)
