"""Both catalogs say the same things: same keys, same placeholders."""

from __future__ import annotations

import string

from bot.i18n import catalog, language_of, t


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    uk, en = catalog("uk"), catalog("en")
    assert set(uk) == set(en)
    for key in uk:
        assert _fields(uk[key]) == _fields(en[key]), key


def test_language_from_telegram_code() -> None:
    assert language_of("uk") == "uk"
    assert language_of("en-GB") == "en"
    assert language_of(None) == "uk"
    assert language_of("ru") == "uk"
    assert language_of("de") == "en"


def test_region_names() -> None:
    assert t("uk", "region.UA-74") == "Чернігівщина"
    assert t("en", "region.UA-30") == "Kyiv city"
