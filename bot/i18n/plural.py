"""Plural categories from CLDR (through babel), so "1 людина / 2 людини / 5 людей" is never an
ad-hoc ending rule. Catalog keys for counted phrases end in ``.one``/``.few``/``.many``/``.other``
in both languages (English uses ``one`` and ``other`` and repeats ``other`` for the rest)."""

from __future__ import annotations

from functools import cache
from typing import Final

from babel import Locale

FORMS: Final = ("one", "few", "many", "other")


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in ("uk", "en") else "uk")


def plural_form(lang: str, n: int) -> str:
    """The CLDR plural category of ``n`` in ``lang`` (one of :data:`FORMS`)."""
    form = _locale(lang).plural_form(abs(n))
    return form if form in FORMS else "other"
