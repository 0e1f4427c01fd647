"""Quiet hours: when a push goes out without sound.

Quiet hours are minutes of the day in the configured zone (``SITREP_TIMEZONE``), not a fixed
Kyiv clock. Inside them a report is silent; a threat (an alert or a live threat, which a chat
only receives for its own regions) still rings, unless the chat chose "silent for all".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.alerting.happenings import THREAT
from bot.alerting.render import KYIV


def in_quiet_hours(
    start: int | None, end: int | None, moment: datetime, tz: ZoneInfo = KYIV
) -> bool:
    """Whether ``moment`` (read in ``tz``) falls in [start, end) minutes, wrapping midnight."""
    if start is None or end is None or start == end:
        return False
    local = moment.astimezone(tz)
    minute = local.hour * 60 + local.minute
    return start <= minute < end if start < end else (minute >= start or minute < end)


def silent(
    message_class: str,
    quiet_start: int | None,
    quiet_end: int | None,
    quiet_all: bool,
    moment: datetime,
    tz: ZoneInfo = KYIV,
) -> bool:
    """Whether a message of ``message_class`` goes out without sound at ``moment``."""
    if not in_quiet_hours(quiet_start, quiet_end, moment, tz):
        return False
    return quiet_all or message_class != THREAT
