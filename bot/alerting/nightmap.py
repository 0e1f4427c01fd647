"""The night's map on the morning summary: rendered once per night and language, stored once.

The Air Force's nationwide tally of a night's attack (a report for "UA" naming weapons) is the
morning summary. When the night had alerts, hits or outages, its first message in each chat
carries the night's map (:mod:`bot.maps.night`); a quiet night's summary stays text only. The
picture is the same for every chat of a language (no chat's own regions outlined), so ten
thousand chats reference one stored PNG and Telegram gets it uploaded once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.alerting.happenings import NATIONWIDE, REPORT, WEAPON_KINDS, message_class
from storage.crud import media as crud_media
from storage.models import Happening

logger = logging.getLogger(__name__)


def is_night_summary(happening: Happening) -> bool:
    """The nationwide tally of an attack (rendered "📋 Attack summary · Ukraine")."""
    return (
        message_class(happening) == REPORT
        and list(happening.regions) == [NATIONWIDE]
        and any(k in WEAPON_KINDS for k in happening.kinds)
    )


def night_pictures(
    session: Session, at: datetime, tz: ZoneInfo, languages: Iterable[str]
) -> dict[str, str]:
    """Language → media key of the night's map before ``at``; empty for a quiet night, or
    when the picture cannot be made (the summary then goes as text: never lost for a map)."""
    # Imported here: bot.maps reads bot.latest, which imports this package's renderer.
    from bot.maps.history import last_night
    from bot.maps.night import night_state, render_night_map

    start, end = last_night(at, tz)
    out: dict[str, str] = {}
    try:
        with session.begin_nested():
            night = night_state(session, start, end)
            if night.quiet:
                return {}
            for lang in sorted(set(languages)):
                began = time.perf_counter()
                png = render_night_map(night, lang, tz)
                took_ms = round(1000 * (time.perf_counter() - began))
                key = crud_media.media_key(f"night:{start.astimezone(tz):%Y-%m-%d}:{lang}", png)
                out[lang] = crud_media.put_media(session, key, png, now=at)
                logger.info(
                    "alerting.night_map", extra={"lang": lang, "bytes": len(png), "ms": took_ms}
                )
    except Exception:
        logger.exception("alerting.night_map_failed")
        return {}
    return out
