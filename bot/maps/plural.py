"""Counted words in the chat's language with CLDR plural rules (Babel): 1 тривога, 3 тривоги,
5 тривог, 21 тривога; 1 alert, 2 alerts.

A catalog entry ``<key>.<form>`` exists for every form of both languages (``one``, ``few``,
``many``, ``other``), so the catalogs keep the same keys; English's unused forms repeat
``other``.
"""

from __future__ import annotations

from bot.i18n import t
from bot.i18n.plural import plural_form
from bot.latest import fmt_num


def counted(lang: str, key: str, n: int) -> str:
    """``"5 тривог"``: the catalog's ``<key>.<form>`` with ``n`` filled in."""
    return t(lang, f"{key}.{plural_form(lang, n)}", n=fmt_num(lang, n))


def duration(lang: str, minutes: int) -> str:
    """``"3 години 20 хвилин"`` / ``"1 hour 5 minutes"``; under a minute is ``0 хвилин``."""
    h, m = divmod(max(0, minutes), 60)
    parts = []
    if h:
        parts.append(counted(lang, "plural.hours", h))
    if m or not h:
        parts.append(counted(lang, "plural.minutes", m))
    return " ".join(parts)
