"""Message catalogs: every user-facing string, in Ukrainian and English.

Each area keeps its own pair of modules (``ui_uk``/``ui_en``, ``alerts_uk``/``alerts_en``…) with
a ``MESSAGES: dict[str, str]`` of ``str.format`` templates; :func:`t` looks a key up in the chat's
language and falls back to Ukrainian. ``tests/test_i18n.py`` checks both languages have the same
keys and placeholders.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Final

from bot.i18n.plural import plural_form

LANGUAGES: Final = ("uk", "en")
DEFAULT_LANGUAGE: Final = "uk"


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, merged from the ``*_<lang>`` modules of this package."""
    merged: dict[str, str] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.endswith(f"_{lang}"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            merged.update(module.MESSAGES)
    return merged


def language_of(code: str | None) -> str:
    """The catalog language for a Telegram ``language_code`` ("uk", "en-US", "ru" → uk)."""
    base = (code or "").split("-")[0].lower()
    return base if base in LANGUAGES else ("en" if base and base != "ru" else DEFAULT_LANGUAGE)


def t(lang: str, key: str, /, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in."""
    text = catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text


def tn(lang: str, key: str, n: int, /, **values: object) -> str:
    """The counted phrase ``key`` in the plural form CLDR gives ``n`` ("{key}.one" …)."""
    return t(lang, f"{key}.{plural_form(lang, n)}", **values)
