"""Figures in words, shared by the alert messages and ``/latest``: numbers and durations per
locale, counted phrases with their CLDR plural form, what was damaged, which trains are late."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Final

from bot.i18n import t, tn
from bot.parsing.damage import DAMAGE_FIELDS, DESTROYED

MAX_TRAINS: Final = 8
# Thousands separators: "30 000" (no-break space) in Ukrainian, "30,000" in English.
_GROUP: Final = {"uk": "\u00a0", "en": ","}


def fmt_int(value: int, lang: str) -> str:
    """``30000`` → "30 000" (uk) / "30,000" (en)."""
    return f"{value:,}".replace(",", _GROUP.get(lang, ","))


def fmt_duration(delta: timedelta, lang: str) -> str:
    """Like "1 год 20 хв" / "1 h 20 min"; at least one minute."""
    return fmt_minutes(round(delta.total_seconds() / 60), lang)


def fmt_minutes(minutes: int, lang: str) -> str:
    """Minutes as hours and minutes, at least one minute."""
    h, m = divmod(max(1, minutes), 60)
    if h and m:
        return t(lang, "alert.duration.hm", h=fmt_int(h, lang), m=m)
    if h:
        return t(lang, "alert.duration.h", h=fmt_int(h, lang))
    return t(lang, "alert.duration.m", m=m)


def cap(text: str) -> str:
    """A line starts with a capital; a phrase inside one does not."""
    return text[:1].upper() + text[1:] if text else text


def counted(lang: str, key: str, value: int) -> str:
    """ "загинули 2 людини": the phrase ``alert.n.<key>`` in the plural form ``value`` takes."""
    return tn(lang, f"alert.n.{key}", value, value=fmt_int(value, lang))


def join_list(items: Sequence[str], lang: str) -> str:
    """ "a, b та c" / "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + t(lang, "alert.list.and") + items[-1]


def damage_text(counts: Mapping[str, int], lang: str) -> str:
    """What was damaged and destroyed, as a phrase: "пошкоджено 7 будинків та 3 автомобілі;
    зруйновано 1 багатоповерхівку" / "7 houses and 3 vehicles damaged; …"; "" when no figure."""
    phrases = []
    for state, key in (("", "alert.damaged"), (DESTROYED, "alert.destroyed_items")):
        items = [
            tn(lang, f"alert.noun.{name}", value, value=fmt_int(value, lang))
            for name in DAMAGE_FIELDS
            if (value := counts.get(name + state, 0)) > 0
        ]
        if items:
            phrases.append(t(lang, key, items=join_list(items, lang)))
    return "; ".join(phrases)


def trains_text(counts: Mapping[str, int], numbers: Sequence[str], lang: str) -> str:
    """ "Поїзди 743, 105 та 92/91 затримуються до 7 год"; with more trains than numbers given,
    "Затримуються 5 поїздів (743, 105), до 2 год"; "" when the post gives neither."""
    trains = counts.get("trains", 0)
    delay = counts.get("delay_minutes", 0)
    until = t(lang, "alert.delay", value=fmt_minutes(delay, lang)) if delay > 0 else ""
    shown = [html.escape(n) for n in numbers[:MAX_TRAINS]]
    if len(numbers) > MAX_TRAINS:
        shown.append(t(lang, "alert.places.more", n=len(numbers) - MAX_TRAINS))
    if numbers and trains <= len(numbers):
        listed = join_list(shown, lang)
        count = "one" if len(numbers) == 1 else "several"
        if until:
            return t(lang, f"alert.trains_late.{count}", numbers=listed, delay=until)
        return t(lang, f"alert.trains_named.{count}", numbers=listed)
    parts = []
    if trains > 0:
        parts.append(counted(lang, "trains", trains))
        if numbers:
            parts[-1] += f" ({', '.join(shown)})"
    if until:
        parts.append(until)
    if trains > 0:
        return cap(", ".join(parts))
    return f"{html.escape(t(lang, 'alert.kind.train_delay'))} {until}" if until else ""
